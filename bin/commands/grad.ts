// gradc grad MODEL.nn: runs the generated module once and prints loss, outputs
// and every gradient as one JSON object.
import { Option, type Command } from 'commander';
import { readFileSync } from 'node:fs';
import type { JsonValue, Model } from '../../compiler/model.js';
import { instantiate, toArrays } from '../../runtime/instantiate.js';
import type { GeneratedModel } from '../../runtime/module-types.js';
import { describeNonFinite, findNonFinite } from '../../runtime/nan.js';
import { firstNonFinite, toJson } from '../../runtime/results.js';
import { bindValues, parseValues, type BoundValues } from '../../runtime/values.js';
import { UsageError, UserError } from '../errors.js';
import { parseDims, readModel } from '../load.js';
import { runOptions } from './options.js';

export interface RunOptions {
  at?: string;
  dim?: string[];
  seed?: string;
  target?: 'js' | 'wgsl' | 'wasm';
  precision?: 'f32' | 'f64';
  eval?: boolean;
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
  const n = Number(s);
  if (!Number.isInteger(n)) throw new UsageError(`--seed wants an integer, not '${s}'`);
  return n;
}

/** A live module with the given values loaded into its params. */
export async function prepare(model: Model, values: BoundValues, opts: RunOptions, precision: 'f32' | 'f64'): Promise<GeneratedModel> {
  const m = await instantiate(model, { target: opts.target, precision, seed: parseSeed(opts.seed), dims: values.dims });
  for (const [name, v] of Object.entries(values.params)) m.params[name]!.set(v);
  if (opts.eval) m.eval();
  return m;
}

export async function gradCommand(file: string, opts: RunOptions): Promise<number> {
  const { model } = readModel(file, parseDims(opts.dim), true);
  const { file: vfile, given } = readValues(opts.at);
  const values = bindValues(model, vfile, given);
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
    for (const p of model.params) if (!all[p.name]) all[p.name] = Float64Array.from(m.params[p.name]!);
    const where = findNonFinite(model, opts.eval ? model.eval : model.train, { ...all, ...values.inputs }, values.dims, parseSeed(opts.seed));
    throw new UserError(where ? describeNonFinite(where, file) : `${file}: error: the result is not finite (NaN or infinity)`);
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
