// JS-only decisions on top of the shared plan (../plan.ts): which matrix
// products hand each element straight to their one elementwise consumer (bias,
// activation, mask, weight decay) instead of storing it, and the buffer slots
// for the steps that are left. A fused product needs no buffer, and its
// consumer's loop disappears: `H = relu(W X + b)` is one pass, not three.
import type { Builder } from '../../compiler/ir/builder.js';
import { isElementwise, topoSort, type Node } from '../../compiler/ir/node.js';
import { shapeEquals, type Shape } from '../../compiler/ir/size.js';
import type { Graph, Model } from '../../compiler/model.js';
import { assignSlots, plan, type Plan } from '../plan.js';

export interface JsStep {
  /** The node the step stores. */
  node: Node;
  /** A matrix product computed in the same loops and read by `node` as it is accumulated; never stored. */
  product?: Node;
}

export interface JsSchedule {
  steps: JsStep[];
  /** Buffer slots: node id → slot; nodes of equal size whose lives do not overlap share a slot. */
  slot: Map<number, number>;
  /** The shape of each slot. */
  slotSizes: Shape[];
}

export interface ScheduleOptions {
  /** Nodes whose buffers must survive to the end (returned values). Defaults to the plan's roots. */
  pinned?: readonly Node[];
  /** Fuse matrix products into their consumers (default true). */
  fuse?: boolean;
}

export function schedule(p: Plan, opts: ScheduleOptions = {}): JsSchedule {
  const base = (x: Node) => (p.storage.get(x.id) === 'view' ? p.viewOf.get(x.id)! : x);
  /** The stored values (buffers, scalars, leaves) an expression reads, through inline nodes. */
  const readsOf = (n: Node, out = new Set<Node>()): Set<Node> => {
    for (const x of n.inputs) {
      if (p.storage.get(x.id) === 'inline') readsOf(x, out);
      else out.add(base(x));
    }
    return out;
  };
  const pinned = new Set((opts.pinned ?? p.roots).map((n) => base(n).id));
  const nodes = p.steps.map((s) => s.node);
  const at = new Map(nodes.map((n, i) => [n.id, i]));
  const readers = new Map<number, number[]>();
  nodes.forEach((n, i) => {
    for (const x of readsOf(n)) readers.set(x.id, [...(readers.get(x.id) ?? []), i]);
  });

  const steps: (JsStep | undefined)[] = nodes.map((node) => ({ node }));
  if (opts.fuse ?? true) {
    nodes.forEach((m, i) => {
      if (m.op !== 'matmul' || p.storage.get(m.id) !== 'buffer' || pinned.has(m.id)) return;
      const r = readers.get(m.id) ?? [];
      if (r.length !== 1) return;
      const j = r[0]!;
      const s = nodes[j]!;
      if (!steps[j] || steps[j]!.product || !isElementwise(s.op) || p.storage.get(s.id) !== 'buffer' || !shapeEquals(s.shape, m.shape)) return;
      if (!readsAtSamePlace(p, s, m)) return;
      // The consumer moves up to the product: all else it reads must exist by then.
      for (const x of readsOf(s)) if (x !== m && (at.get(x.id) ?? -1) >= i) return;
      steps[i] = { node: s, product: m };
      steps[j] = undefined;
    });
  }
  const kept = steps.filter((s): s is JsStep => s !== undefined);

  // Buffer slots: a slot is free again after the last step that reads it.
  const lastUse = new Map<number, number>();
  kept.forEach((s, i) => {
    const reads = readsOf(s.node);
    if (s.product) {
      reads.delete(s.product);
      readsOf(s.product, reads);
    }
    for (const x of reads) lastUse.set(x.id, Math.max(lastUse.get(x.id) ?? -1, i));
  });
  const keptNodes = kept.map((s) => s.node);
  const { slot, slotSizes } = assignSlots(keptNodes.filter((n) => p.storage.get(n.id) === 'buffer'), keptNodes, lastUse, pinned);
  return { steps: kept, slot, slotSizes };
}

/** Whether every path from `s` down to `m` runs through inline elementwise nodes of m's shape (so m is read at the loop's own index). */
function readsAtSamePlace(p: Plan, s: Node, m: Node): boolean {
  const ok = (n: Node): boolean =>
    n.inputs.every((x) => {
      if (x === m) return true;
      if (p.storage.get(x.id) !== 'inline') return true;
      if (!isElementwise(x.op) || !shapeEquals(x.shape, m.shape)) return !reaches(p, x, m);
      return ok(x);
    });
  return ok(s);
}

function reaches(p: Plan, n: Node, m: Node): boolean {
  return n.inputs.some((x) => x === m || (p.storage.get(x.id) === 'inline' && reaches(p, x, m)));
}

/** What a program computes: forward (loss + outputs), grad (loss + gradients), predict (outputs only: no labels needed). */
export type ProgramKind = 'forward' | 'grad' | 'predict';

/** The roots of a program: the loss and what it returns. */
export function programRoots(graph: Graph, kind: ProgramKind, withUpdates = true): Node[] {
  if (kind === 'predict') return [...graph.outputs.values()];
  return kind === 'forward'
    ? [graph.loss, ...graph.outputs.values()]
    : [graph.loss, ...graph.grads.values(), ...(withUpdates ? graph.updates.values() : [])];
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

/** How the module computes a program: the graph after JS rewrites, its plan and its schedule. */
export function programSchedule(model: Model, graph: Graph, kind: ProgramKind, withUpdates = true) {
  const g = reluMasks(graph, model.builder);
  const p = plan(programRoots(g, kind, withUpdates));
  return { graph: g, plan: p, schedule: schedule(p) };
}
