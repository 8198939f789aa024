// gradc check MODEL.nn: every gradient against central finite differences of
// the loss, in float64, with the generated module itself.
import { Option, type Command } from 'commander';
import type { InputInfo, Model } from '../../compiler/model.js';
import { toArrays } from '../../runtime/instantiate.js';
import { normal, uniform } from '../../runtime/random.js';
import { bindValues } from '../../runtime/values.js';
import { UsageError } from '../errors.js';
import { parseDims, readModel } from '../load.js';
import { parseSeed, prepare, readValues, type RunOptions } from './grad.js';
import { runOptions } from './options.js';

export interface CheckOptions extends RunOptions {
  tol?: string;
  max?: string;
  json?: boolean;
}

export interface TensorCheck {
  name: string;
  checked: number;
  size: number;
  maxRelError: number;
  ok: boolean;
}

/** Run-time dims that no value binds get this size in `check` (documented in the README). */
export const DEFAULT_RUNTIME_DIM = 3;

/** Seeded random values for inputs without one: N(0, 1), or labels uniform below their bound. */
export function randomInput(seed: number) {
  return (i: InputInfo, dims: Record<string, number>): Float64Array => {
    for (const d of i.shape[0].mul(i.shape[1]).dims) dims[d] ??= DEFAULT_RUNTIME_DIM;
    const n = i.shape[0].mul(i.shape[1]).eval(dims);
    const stream = 7919 + i.name.length * 131 + i.name.charCodeAt(0);
    if (i.int) {
      // Labels below their number of classes; integers with no known range in {0, 1, 2}.
      const b = i.bound ? i.bound.eval(dims) : 3;
      return Float64Array.from({ length: n }, (_, k) => Math.floor(uniform(seed, stream, k) * b));
    }
    return Float64Array.from({ length: n }, (_, k) => normal(seed, stream, k));
  };
}

export async function checkGradients(model: Model, opts: CheckOptions, given: Record<string, import('../../compiler/model.js').JsonValue>, vfile: string): Promise<TensorCheck[]> {
  // The wasm module computes in float32: its gradient is checked against float64 differences with a float32 tolerance.
  const wasm = opts.target === 'wasm';
  const tol = opts.tol === undefined ? (wasm ? 2e-4 : 1e-5) : Number(opts.tol);
  const max = opts.max === undefined ? 400 : Number(opts.max);
  if (!(tol > 0) || !(max > 0)) throw new UsageError('--tol and --max want positive numbers');
  const seed = parseSeed(opts.seed);
  const values = bindValues(model, vfile, given, {}, randomInput(seed));
  const m = await prepare(model, values, { ...opts, target: 'js' }, 'f64');
  const inputs = toArrays(model, values.inputs, 'f64') as Record<string, Float64Array | Int32Array>;
  let analytic = m.grad(inputs);
  if (wasm) {
    const w = await prepare(model, values, opts, 'f32');
    for (const [k, v] of Object.entries(m.params)) w.params[k]!.set(v);
    analytic = w.grad(toArrays(model, values.inputs, 'f32'));
  }
  const grads = Object.fromEntries(Object.entries(analytic.grad).map(([k, v]) => [k, typeof v === 'number' ? [v] : Array.from(v)]));
  const lossAt = () => m.forward(inputs).loss;
  const results: TensorCheck[] = [];
  for (const [name, g] of Object.entries(grads)) {
    const target = (m.params[name] ?? inputs[name]) as Float64Array;
    const n = target.length;
    // Every element, or an even sample of them for large tensors.
    const picks = n <= max ? [...Array(n).keys()] : Array.from({ length: max }, (_, k) => Math.floor((k * n) / max));
    let worst = 0;
    // Elements far smaller than the tensor's largest are measured against a
    // thousandth of it, and nothing against less than 1e-4·|loss|: below that
    // the rounding noise of the differences (≈ 1e-16·|loss| / h) dominates.
    const floor = Math.max(1e-3 * Math.max(0, ...g.map(Math.abs)), 1e-4 * Math.max(1, Math.abs(analytic.loss)));
    for (const k of picks) {
      const x = target[k]!;
      const h = 1e-5 * Math.max(1, Math.abs(x));
      target[k] = x + h;
      const up = lossAt();
      target[k] = x - h;
      const down = lossAt();
      target[k] = x;
      const numeric = (up - down) / (2 * h);
      const a = g[k]!;
      const err = Math.abs(a - numeric) / Math.max(Math.abs(a), Math.abs(numeric), floor);
      worst = Math.max(worst, Number.isNaN(err) ? Infinity : err);
    }
    results.push({ name, checked: picks.length, size: n, maxRelError: worst, ok: worst <= tol });
  }
  return results;
}

export async function checkCommand(file: string, opts: CheckOptions): Promise<number> {
  const { model } = readModel(file, parseDims(opts.dim), true);
  const { file: vfile, given } = readValues(opts.at);
  const results = await checkGradients(model, opts, given, vfile);
  const ok = results.every((r) => r.ok);
  if (opts.json) {
    process.stdout.write(JSON.stringify({ ok, tensors: results }) + '\n');
  } else {
    const w = Math.max(6, ...results.map((r) => r.name.length));
    process.stdout.write(`${'tensor'.padEnd(w)}  ${'checked'.padStart(9)}  max rel. error  \n`);
    for (const r of results) {
      process.stdout.write(`${r.name.padEnd(w)}  ${`${r.checked}/${r.size}`.padStart(9)}  ${r.maxRelError.toExponential(2).padStart(14)}  ${r.ok ? 'ok' : 'FAIL'}\n`);
    }
    process.stdout.write(ok ? 'all gradients agree with finite differences\n' : 'some gradients disagree with finite differences\n');
  }
  return ok ? 0 : 1;
}

export function register(p: Command, setExit: (code: number) => void): void {
  runOptions(p.command('check'), false)
    .description('compare every gradient with central finite differences (float64)')
    .addOption(new Option('--target <target>', "whose gradient: the JS module's (float64) or the wasm module's (float32, default --tol 2e-4)").choices(['js', 'wasm']).default('js'))
    .argument('<model>', 'the .nn file')
    .option('--tol <r>', 'largest relative error allowed (default 1e-5; 2e-4 with --target wasm)')
    .option('--max <n>', 'elements checked per tensor at most (evenly sampled)', '400')
    .option('--json', 'machine-readable output')
    .action(async (model, opts) => setExit(await checkCommand(model, opts)));
}
