// gradc explain MODEL.nn [--at VALUES.json]: the lecture's backprop walk on the
// user's model and numbers (compiler/teach/trace.ts).
import type { Command } from 'commander';
import { tensor, type Tensor } from '../../compiler/ir/tensor.js';
import type { Model } from '../../compiler/model.js';
import { formatTrace, trace } from '../../compiler/teach/trace.js';
import { bindValues } from '../../runtime/values.js';
import { parseDims, readModel } from '../load.js';
import { parseSeed, prepare, readValues, type RunOptions } from './grad.js';
import { announcedFill } from './fill.js';
import { runOptions } from './options.js';

export interface Leaves {
  /** Every param and input, by name: given (--at or the model) or, for params, initialized as `create()` does. */
  values: Record<string, Tensor>;
  dims: Record<string, number>;
  seed: number;
}

/** The values a teaching command evaluates at, exactly as `gradc grad` would use them. */
export async function leafValues(model: Model, opts: RunOptions, fill?: Parameters<typeof bindValues>[4]): Promise<Leaves> {
  const { file: vfile, given } = readValues(opts.at);
  const bound = bindValues(model, vfile, given, {}, fill ?? (opts.at ? undefined : announcedFill(parseSeed(opts.seed))));
  const m = await prepare(model, bound, { ...opts, target: 'js' }, 'f64');
  const values: Record<string, Tensor> = {};
  const shaped = (t: { shape: Model['params'][number]['shape'] }, data: ArrayLike<number>) =>
    tensor(t.shape[0].eval(bound.dims), t.shape[1].eval(bound.dims), data);
  for (const p of model.params) values[p.name] = shaped(p, m.params[p.name]!);
  for (const i of model.inputs) values[i.name] = shaped(i, bound.inputs[i.name]!);
  return { values, dims: bound.dims, seed: parseSeed(opts.seed) };
}

export interface ExplainOptions extends RunOptions {
  json?: boolean;
}

export async function explainCommand(file: string, opts: ExplainOptions): Promise<number> {
  const { model } = readModel(file, parseDims(opts.dim));
  const leaves = await leafValues(model, opts);
  const t = trace(model, { ...leaves, mode: opts.eval ? 'eval' : 'train' });
  if (opts.json) {
    const arr = (x: Tensor) => (x.data.length === 1 ? x.data[0]! : [...x.data]);
    process.stdout.write(JSON.stringify({
      loss: t.loss,
      forward: t.forward.map((s) => ({ name: s.name, expr: s.expr, value: arr(s.value) })),
      backward: t.backward.map((s) => ({
        name: s.name, expr: s.expr, note: s.note, upstream: arr(s.upstream.value), parts: s.upstream.parts.map(arr),
        inputs: s.flows.map((f) => ({ input: f.input, local: f.local && { expr: f.local.expr, value: arr(f.local.value) }, downstream: { expr: f.downstream.expr, value: arr(f.downstream.value) } })),
      })),
      grad: Object.fromEntries(t.gradients.map((g) => [g.name, arr(g.value)])),
    }) + '\n');
  } else process.stdout.write(formatTrace(t));
  return 0;
}

export function register(p: Command, setExit: (code: number) => void): void {
  runOptions(p.command('explain'), false)
    .description('teach backprop on the model: forward values, local gradients, upstream × local, sums at branches')
    .argument('<model>', 'the .nn file')
    .option('--json', 'the trace as JSON')
    .action(async (model, opts) => setExit(await explainCommand(model, opts)));
}
