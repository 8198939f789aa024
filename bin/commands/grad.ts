// gradc grad MODEL.nn: runs the generated module once and prints loss, outputs
// and every gradient as one JSON object.
import { Option, type Command } from 'commander';
import { readFileSync } from 'node:fs';
import type { JsonValue, Model } from '../../compiler/model.js';
import { GpuUnavailableError } from '../../runtime/gpu/device.js';
import { instantiate, toArrays } from '../../runtime/instantiate.js';
import type { GeneratedModel } from '../../runtime/module-types.js';
import { describeNonFinite, findNonFinite } from '../../runtime/nan.js';
import { firstNonFinite, toJson } from '../../runtime/results.js';
import { SEED_RANGE } from '../../runtime/seed.js';
import { bindValues, parseValues, type BoundValues } from '../../runtime/values.js';
import { ModelError, UsageError, UserError } from '../errors.js';
import { parseBytes, parseDims, readModel } from '../load.js';
import { announcedFill } from './fill.js';
import { runOptions } from './options.js';

export interface RunOptions {
  at?: string;
  dim?: string[];
  seed?: string;
  target?: 'js' | 'wgsl' | 'wasm';
  precision?: 'f32' | 'f64';
  eval?: boolean;
  maxMemory?: string;
}

export function readValues(at: string | undefined): { file: string; given: Record<string, JsonValue> } {
  if (!at) return { file: 'values', given: {} };
  let text: string;
  try {
    text = readFileSync(at, 'utf8');
  } catch {
    throw new UsageError(`cannot read values file '${at}'`);
  }
  return { file: at, given: parseValues(at, text) };
}


export function parseSeed(s: string | undefined): number {
  if (s === undefined) return 0;
  const n = s.trim() === '' ? NaN : Number(s);
  if (!Number.isInteger(n)) throw new UsageError(`--seed wants an integer, not '${s}'`);
  if (n < SEED_RANGE[0] || n >= SEED_RANGE[1]) throw new UsageError(`--seed ${s} is outside the seeds gradc draws from (integers from 0 to 2^32 - 1): it would repeat another seed's draws`);
  return n;
}

/** The generated module's create(); what it refuses (sizes, memory) is the user's to fix (exit 1). */
export async function createModule<T>(create: () => Promise<T>): Promise<T> {
  try {
    return await create();
  } catch (e) {
    // The module's own refusals are Error and RangeError; a SyntaxError or TypeError would be a bug in gradc.
    if (e instanceof GpuUnavailableError || !(e instanceof RangeError || (e as Error)?.constructor === Error)) throw e;
    throw new UserError(`gradc: error: cannot create the module: ${(e as Error).message}`);
  }
}

/** Every param's size must be known before the module is created (spec §2): an error at the param, not a throw in create(). */
export function requireParamSizes(model: Model, dims: Record<string, number>): void {
  for (const p of model.params) {
    const free = p.shape[0].mul(p.shape[1]).dims.find((d) => !Object.hasOwn(dims, d));
    if (free !== undefined) throw new ModelError(model, p.loc, `param '${p.name}' is sized by dim '${free}', which has no value: give it with --dim ${free}=…`);
  }
}

/** A live module with the given values loaded into its params. */
export async function prepare(model: Model, values: BoundValues, opts: RunOptions, precision: 'f32' | 'f64'): Promise<GeneratedModel> {
  requireParamSizes(model, values.dims);
  const m = await createModule(() => instantiate(model, { target: opts.target, precision, seed: parseSeed(opts.seed), dims: values.dims, maxMemory: parseBytes(opts.maxMemory) }));
  for (const [name, v] of Object.entries(values.params)) m.params[name]!.set(v);
  if (opts.eval) m.eval();
  return m;
}

export async function gradCommand(file: string, opts: RunOptions): Promise<number> {
  const { model, source } = readModel(file, parseDims(opts.dim), true, parseBytes(opts.maxMemory));
  const { file: vfile, given } = readValues(opts.at);
  // Without --at, inputs get seeded random values (said on stderr); a values
  // file that misses an input is an error naming it, as the contract says.
  const values = bindValues(model, vfile, given, {}, opts.at ? undefined : announcedFill(parseSeed(opts.seed)));
  const precision = opts.precision ?? 'f32';
  const m = await prepare(model, values, opts, precision);
  const inputs = toArrays(model, values.inputs, precision);
  let r: Awaited<ReturnType<GeneratedModel['grad']>>;
  try {
    r = await m.grad(inputs); // the WebGPU module answers with a promise
  } catch (e) {
    throw new UserError(`${vfile}: error: ${(e as Error).message}`);
  }
  const out: Record<string, JsonValue | Record<string, JsonValue>> = { loss: r.loss };
  if (model.outputs.length) {
    const f = await m.forward(inputs);
    out.outputs = Object.fromEntries(model.outputs.map((o) => [o.name, toJson(f.outputs[o.name]!, o.type, values.dims)]));
  }
  const types = new Map([...model.params, ...model.inputs].map((t) => [t.name, t.type]));
  out.grad = Object.fromEntries(Object.entries(r.grad).map(([k, v]) => [k, toJson(v, types.get(k)!, values.dims)]));
  const bad = firstNonFinite([r.loss, ...Object.values(out.grad as Record<string, JsonValue>)]);
  if (bad) {
    const all = { ...values.params };
    for (const p of model.params) if (!Object.hasOwn(all, p.name)) all[p.name] = Float64Array.from(m.params[p.name]!);
    const where = findNonFinite(model, opts.eval ? model.eval : model.train, { ...all, ...values.inputs }, values.dims, parseSeed(opts.seed));
    throw new UserError(where ? describeNonFinite(where, file, source) : `${file}: error: the result is not finite (NaN or infinity)`);
  }
  process.stdout.write(JSON.stringify(out) + '\n');
  return 0;
}

export function register(p: Command, setExit: (code: number) => void): void {
  runOptions(p.command('grad'))
    .description('run the generated module once: loss, outputs and every gradient as JSON')
    .argument('<model>', 'the .nn file')
    .addOption(new Option('--precision <p>', 'float precision').choices(['f32', 'f64']).default('f32'))
    .action(async (model, opts) => setExit(await gradCommand(model, opts)));
}
