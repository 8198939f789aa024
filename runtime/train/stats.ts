// Activation statistics (the lectures' "watch each layer's mean and std"): a
// build of the generated CPU module with one more method, `activations(inputs)`,
// a program planned and spelled like `grad` whose roots are the equations'
// results; the module itself reduces each to mean, std, min, max, the fraction
// of dead ReLUs or saturated tanh/sigmoid units, and a histogram.
import { topoSort, type Node } from '../../compiler/ir/node.js';
import type { Graph, Model } from '../../compiler/model.js';
import { emitJsModule, type ExtraMethod } from '../../targets/js/module.js';
import { importModule } from '../load-module.js';

/** How an activation fails: a dead ReLU is 0; a saturated tanh is |h| > 0.99, a sigmoid below 0.01 or above 0.99. */
export type ActivationKind = 'relu' | 'tanh' | 'sigmoid' | 'other';

/** Bins of equal width from lo to hi: [-1, 1] for tanh, [0, 1] for sigmoid, the values' [min, max] otherwise. */
export interface Histogram {
  lo: number;
  hi: number;
  counts: number[];
}

export interface LayerStats {
  name: string;
  kind: ActivationKind;
  /** Elements summarized (units × examples). */
  count: number;
  mean: number;
  std: number;
  min: number;
  max: number;
  /** ReLU: the fraction of exact zeros. */
  dead?: number;
  /** tanh and sigmoid: the fraction within 0.01 of the asymptotes. */
  saturated?: number;
  histogram: Histogram;
}

export const HISTOGRAM_BINS = 30;

/** The initializers `--init` may put on every weight matrix (they take no arguments). */
export const INIT_OVERRIDES = ['small', 'xavier', 'xavier_normal', 'he', 'zeros', 'ones'] as const;

/** The model's equations in the order they are computed (every named value that is not a leaf, the loss left out). */
export function equations(model: Model, graph: Graph): { name: string; node: Node; kind: ActivationKind }[] {
  const order = topoSort([graph.loss, ...graph.outputs.values()]);
  const out: { name: string; node: Node; kind: ActivationKind }[] = [];
  for (const n of order) {
    const name = model.names.get(n.id);
    if (name === undefined || n.inputs.length === 0 || n === graph.loss) continue;
    out.push({ name, node: n, kind: n.op === 'relu' || n.op === 'tanh' || n.op === 'sigmoid' ? n.op : 'other' });
  }
  return out;
}

/**
 * The model with `init` on every param that is a matrix (the weights); vectors
 * and scalars (biases) keep what the model declares, as the lecture's recipes do.
 */
export function withInit(model: Model, init: string): Model {
  return { ...model, params: model.params.map((p) => (p.type.dims.length === 2 ? { ...p, init: { name: init, args: {}, loc: p.init.loc } } : p)) };
}

/** The `activations` method: eval mode (no dropout), the values summarized inside the module. */
export function statsMethod(model: Model): ExtraMethod {
  const graph = model.hasModes ? model.eval : model.train;
  const eqs = equations(model, graph);
  const g: Graph = { loss: graph.loss, outputs: new Map(), grads: new Map(eqs.map((e) => [e.name, e.node])), updates: new Map(), adjoints: new Map() };
  const q = JSON.stringify;
  const source = [
    '// activations(inputs): every equation\'s result over the batch, summarized:',
    '// mean, std, min, max, dead ReLUs or saturated tanh/sigmoid units, a histogram.',
    'function activations(inputs) {',
    '  const r = activations_train(inputs);',
    `  const kinds = ${q(eqs.map((e) => [e.name, e.kind]))};`,
    `  const bins = ${HISTOGRAM_BINS};`,
    '  const layers = [];',
    '  for (const [name, kind] of kinds) {',
    '    const v = r.grad[name];',
    '    const a = typeof v === "number" ? [v] : v;',
    '    const count = a.length;',
    '    let sum = 0, min = Infinity, max = -Infinity, off = 0;',
    '    for (let k = 0; k < count; k++) {',
    '      const x = a[k];',
    '      sum += x;',
    '      if (x < min) min = x;',
    '      if (x > max) max = x;',
    '      if (kind === "relu" ? x === 0 : kind === "tanh" ? Math.abs(x) > 0.99 : kind === "sigmoid" ? x < 0.01 || x > 0.99 : false) off++;',
    '    }',
    '    const mean = sum / count;',
    '    let ss = 0;',
    '    for (let k = 0; k < count; k++) ss += (a[k] - mean) ** 2;',
    '    const counts = new Array(bins).fill(0);',
    '    // tanh and sigmoid on their whole range, as the lecture draws them (a collapse to 0 is one spike); other values on theirs.',
    '    const lo = kind === "tanh" ? -1 : kind === "sigmoid" ? 0 : min;',
    '    const hi = kind === "tanh" || kind === "sigmoid" ? 1 : max;',
    '    const width = (hi - lo) / bins;',
    '    for (let k = 0; k < count; k++) counts[width > 0 ? Math.max(0, Math.min(bins - 1, Math.floor((a[k] - lo) / width))) : 0]++;',
    '    const layer = { name, kind, count, mean, std: Math.sqrt(ss / count), min, max, histogram: { lo, hi, counts } };',
    '    if (kind === "relu") layer.dead = off / count;',
    '    else if (kind !== "other") layer.saturated = off / count;',
    '    layers.push(layer);',
    '  }',
    '  return { loss: r.loss, layers };',
    '}',
    '',
  ].join('\n');
  return { name: 'activations', graph: g, inputs: [], source };
}

export interface StatsModel {
  params: Record<string, Float32Array | Float64Array>;
  load(state: Record<string, ArrayLike<number>>): void;
  activations(inputs: object): { loss: number; layers: LayerStats[] };
}

/** A live module with `activations` (float64, so that a std of 1e-7 is not rounding noise). */
export async function statsModule(model: Model, opts: { seed: number; dims?: Record<string, number>; maxMemory?: number }): Promise<StatsModel> {
  const text = emitJsModule(model, { precision: 'f64', extra: [statsMethod(model)] });
  const mod = await importModule<{ create(o: object): StatsModel }>(text);
  return mod.create({ seed: opts.seed, dims: opts.dims, maxMemory: opts.maxMemory });
}
