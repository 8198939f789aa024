// What a target compiles: one program (forward or grad, in one mode) as a graph
// and its roots, decided here once for every target. Rewrites that every target
// wants run here, as compiler passes over the model's graph; a target reads the
// result and never adds nodes of its own.
import type { Builder } from './ir/builder.js';
import { topoSort, type Node } from './ir/node.js';
import type { Graph, Model } from './model.js';

/** What a program computes: forward (loss + outputs), grad (loss + gradients), predict (outputs only: no labels needed). */
export type ProgramKind = 'forward' | 'grad' | 'predict';

export interface ProgramGraph {
  /** The graph after the target passes (same values as the model's graph). */
  graph: Graph;
  /** The nodes the program computes: the loss and what it returns. */
  roots: Node[];
}

/** The roots of a program: the loss and what it returns (with the state updates when `withUpdates`). */
export function programRoots(graph: Graph, kind: ProgramKind, withUpdates = true): Node[] {
  if (kind === 'predict') return [...graph.outputs.values()];
  return kind === 'forward'
    ? [graph.loss, ...graph.outputs.values()]
    : [graph.loss, ...graph.grads.values(), ...(withUpdates ? graph.updates.values() : [])];
}

// One rewritten graph per analysed graph, so that every target (and every call) gets the same nodes.
const passed = new WeakMap<Graph, Graph>();

/** The graph every target compiles: `graph` (one of `model`'s, or one built on its builder) after the target passes. */
export function targetGraph(model: Model, graph: Graph): Graph {
  let g = passed.get(graph);
  if (!g) passed.set(graph, (g = reluMasks(graph, model.builder)));
  return g;
}

/** A program of `model` in `mode` (or of another graph built on the model's builder): its graph and roots. */
export function programGraph(model: Model, graph: Graph, kind: ProgramKind, withUpdates = true): ProgramGraph {
  const g = targetGraph(model, graph);
  return { graph: g, roots: programRoots(g, kind, withUpdates) };
}

/** One of a module's programs: forward_train, grad_train, forward_eval, grad_eval. */
export interface ModuleProgram extends ProgramGraph {
  fn: string;
  kind: ProgramKind;
  mode: 'train' | 'eval';
}

/**
 * The programs a module has: forward and grad in each mode that differs (state
 * updates in train mode only), and predict (the outputs alone, in eval mode, so
 * that only the inputs they read are needed) when the model has outputs.
 */
export function modulePrograms(model: Model): ModuleProgram[] {
  const modes: ('train' | 'eval')[] = model.hasModes ? ['train', 'eval'] : ['train'];
  const programs: ModuleProgram[] = modes.flatMap((mode) =>
    (['forward', 'grad'] as const).map((kind) => ({ fn: `${kind}_${mode}`, kind, mode, ...programGraph(model, model[mode], kind, mode === 'train') })),
  );
  if (model.outputs.length) programs.push({ fn: 'predict_eval', kind: 'predict', mode: 'eval', ...programGraph(model, model.eval, 'predict') });
  return programs;
}

/**
 * ReLU's backward reads 1[z > 0]; it reads 1[relu(z) > 0] instead, which is the
 * same number (for NaN and ±0 too). Then z is read only by relu(z), so z is
 * never stored and `relu(W x + b)` becomes the epilogue of the product.
 */
export function reluMasks(graph: Graph, b: Builder): Graph {
  const all = [graph.loss, ...graph.outputs.values(), ...graph.grads.values(), ...graph.updates.values()];
  const order = topoSort(all);
  const hasRelu = new Set(order.filter((n) => n.op === 'relu').map((n) => n.inputs[0]!.id));
  const isZero = (n: Node) => n.op === 'const' && (n.attrs as { value: number }).value === 0;
  const map = new Map<number, Node>();
  const get = (n: Node) => map.get(n.id) ?? n;
  for (const n of order) {
    let inputs = n.inputs.map(get);
    if (n.op === 'gt' && hasRelu.has(n.inputs[0]!.id) && isZero(n.inputs[1]!)) {
      inputs = [b.intern('relu', [inputs[0]!], {}, n.inputs[0]!.shape), inputs[1]!];
    }
    if (inputs.some((x, i) => x !== n.inputs[i])) {
      map.set(n.id, b.within(b.origins.get(n.id), () => b.intern(n.op, inputs, n.attrs as never, n.shape)));
    }
  }
  if (!map.size) return graph;
  const remap = <K>(m: ReadonlyMap<K, Node>) => new Map([...m].map(([k, v]) => [k, get(v)] as [K, Node]));
  return { ...graph, loss: get(graph.loss), outputs: remap(graph.outputs), grads: remap(graph.grads), updates: remap(graph.updates), adjoints: remap(graph.adjoints) };
}
