// JS-only decisions on top of the shared plan (../plan.ts): which matrix
// products hand each element straight to their one elementwise consumer (bias,
// activation, mask, weight decay) instead of storing it, and the buffer slots
// for the steps that are left. A fused product needs no buffer, and its
// consumer's loop disappears: `H = relu(W X + b)` is one pass, not three.
import { isElementwise, type Node } from '../../compiler/ir/node.js';
import { shapeEquals, type Shape } from '../../compiler/ir/size.js';
import type { Graph, Model } from '../../compiler/model.js';
import { programGraph, type ProgramKind } from '../../compiler/program.js';
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

/** How the module computes a program: the graph every target compiles, its plan and its schedule. */
export function programSchedule(model: Model, graph: Graph, kind: ProgramKind, withUpdates = true) {
  const { graph: g, roots } = programGraph(model, graph, kind, withUpdates);
  const p = plan(roots);
  return { graph: g, plan: p, schedule: schedule(p) };
}

/** The size of the module's grad program (train mode), as `gradc MODEL.nn` reports it. */
export function gradProgramSize(model: Model): { steps: number; buffers: number } {
  const { schedule: s } = programSchedule(model, model.train, 'grad');
  return { steps: s.steps.length, buffers: s.slotSizes.length };
}
