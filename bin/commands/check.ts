// gradc check MODEL.nn: every gradient against central finite differences of
// the loss, in float64, with the generated module itself.
import { Option, type Command } from 'commander';
import type { Model } from '../../compiler/model.js';
import { toArrays } from '../../runtime/instantiate.js';
import { bindValues } from '../../runtime/values.js';
import { UsageError } from '../errors.js';
import { parseBytes, parseDims, readModel } from '../load.js';
import { parseSeed, prepare, readValues, type RunOptions } from './grad.js';
import { announcedFill, randomInput } from './fill.js';
import { runOptions } from './options.js';
import { samplePicks } from './sample.js';

export { DEFAULT_RUNTIME_DIM, randomInput } from './fill.js';

export interface CheckOptions extends RunOptions {
  tol?: string;
  max?: string;
  json?: boolean;
}

export interface TensorCheck {
  name: string;
  checked: number;
  /** How many of the checked elements have a nonzero gradient, and how many the tensor has. */
  nonzeroChecked: number;
  nonzero: number;
  size: number;
  maxRelError: number;
  ok: boolean;
}

export async function checkGradients(model: Model, opts: CheckOptions, given: Record<string, import('../../compiler/model.js').JsonValue>, vfile: string, fill = randomInput): Promise<TensorCheck[]> {
  // The wasm module computes in float32: its gradient is checked against float64 differences with a float32 tolerance.
  const wasm = opts.target === 'wasm';
  const tol = opts.tol === undefined ? (wasm ? 2e-4 : 1e-5) : Number(opts.tol);
  const max = opts.max === undefined ? 400 : Number(opts.max);
  if (!(tol > 0) || !(max > 0)) throw new UsageError('--tol and --max want positive numbers');
  const seed = parseSeed(opts.seed);
  const values = bindValues(model, vfile, given, {}, fill(seed));
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
  return Object.entries(grads).map(([name, g]) => {
    const r = againstDifferences(g, (Object.hasOwn(m.params, name) ? m.params[name] : inputs[name]) as Float64Array, lossAt, analytic.loss, max);
    return { name, ...r, ok: r.maxRelError <= tol };
  });
}

/** `f` with element k of `target` moved up and down by h, then restored: the two sides of a central difference. */
export function perturbed<T>(target: { [k: number]: number }, k: number, f: () => T): { up: T; down: T; h: number } {
  const x = target[k]!;
  // The step scales with the value. A step as large as x itself would cross
  // zero, where the kinks and domain edges of relu, abs, log and sqrt are:
  // then it shrinks to a part of |x|, so x ± h stays on x's side.
  const wide = 1e-5 * Math.max(1, Math.abs(x));
  const h = x !== 0 && wide >= Math.abs(x) / 2 ? 1e-5 * Math.abs(x) : wide;
  target[k] = x + h;
  const up = f();
  target[k] = x - h;
  const down = f();
  target[k] = x;
  return { up, down, h };
}

/**
 * The worst relative error of gradient `g` of the tensor `target` against
 * central differences of `lossAt` (which reads `target`, perturbed in place and
 * restored); every element, or `max` of them for large tensors.
 */
export function againstDifferences(g: readonly number[], target: Float64Array, lossAt: () => number, loss: number, max = 400): Omit<TensorCheck, 'name' | 'ok'> {
  const n = target.length;
  // Every element, or the largest entries plus an even sample (sample.ts).
  const picks = samplePicks(g, max);
  let worst = 0;
  // Elements far smaller than the tensor's largest are measured against a
  // thousandth of it, and nothing against less than 1e-4·|loss|: below that
  // the rounding noise of the differences (≈ 1e-16·|loss| / h) dominates.
  // A loop, not Math.max(...g): a spread of millions of elements overflows the stack (examples/deep_init.nn has 2.5M params).
  const largest = g.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
  const floor = Math.max(1e-3 * largest, 1e-4 * Math.max(1, Math.abs(loss)));
  for (const k of picks) {
    const { up, down, h } = perturbed(target, k, lossAt);
    const numeric = (up - down) / (2 * h);
    const a = g[k]!;
    const err = Math.abs(a - numeric) / Math.max(Math.abs(a), Math.abs(numeric), floor);
    worst = Math.max(worst, Number.isNaN(err) ? Infinity : err);
  }
  const nonzero = g.filter((x) => x !== 0).length;
  return { checked: picks.length, nonzeroChecked: picks.filter((k) => g[k] !== 0).length, nonzero, size: n, maxRelError: worst };
}

export async function checkCommand(file: string, opts: CheckOptions): Promise<number> {
  const { model } = readModel(file, parseDims(opts.dim), true, parseBytes(opts.maxMemory));
  const { file: vfile, given } = readValues(opts.at);
  const results = await checkGradients(model, opts, given, vfile, announcedFill);
  const ok = results.every((r) => r.ok);
  if (opts.json) {
    process.stdout.write(JSON.stringify({ ok, tensors: results }) + '\n');
  } else {
    const w = Math.max(6, ...results.map((r) => r.name.length));
    const cw = Math.max(7, ...results.map((r) => `${r.checked}/${r.size}`.length));
    const nw = Math.max(7, ...results.map((r) => `${r.nonzeroChecked}/${r.nonzero}`.length));
    process.stdout.write(`${'tensor'.padEnd(w)}  ${'checked'.padStart(cw)}  ${'nonzero'.padStart(nw)}  max rel. error  \n`);
    for (const r of results) {
      process.stdout.write(`${r.name.padEnd(w)}  ${`${r.checked}/${r.size}`.padStart(cw)}  ${`${r.nonzeroChecked}/${r.nonzero}`.padStart(nw)}  ${r.maxRelError.toExponential(2).padStart(14)}  ${r.ok ? 'ok' : 'FAIL'}\n`);
    }
    const total = results.reduce((a, r) => a + r.checked, 0);
    const size = results.reduce((a, r) => a + r.size, 0);
    process.stdout.write(`checked ${total} of ${size} elements (the largest |gradient| entries, then an even sample; at most --max ${opts.max ?? 400} per tensor)\n`);
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
