// Which plan steps share a kernel. A kernel has a main step (an elementwise
// loop, a matrix product, a reduction, ...) and a tail: the elementwise steps
// right after it with the same shape, computed by the thread that computed the
// main step's element, from registers. So a product's bias and activation run
// in its epilogue, and a value that only the kernel itself reads is never
// written to memory.
import { isElementwise, type Node } from '../../compiler/ir/node.js';
import { shapeEquals } from '../../compiler/ir/size.js';
import type { Plan } from '../plan.js';

export type KernelKind = 'map' | 'reduce' | 'tiled';

export interface Group {
  kind: KernelKind;
  /** The main step first, then the tail. */
  steps: Node[];
  /** Steps whose values must be written to memory: read by another kernel, through a view, or returned. */
  stored: Set<number>;
}

const isScalarDim = (n: Node, axis: 0 | 1) => n.shape[axis].isOne();
const shapeEqualsNode = (a: Node, b: Node) => shapeEquals(a.shape, b.shape);

export function kindOf(n: Node): KernelKind {
  if (n.op === 'matmul') return isScalarDim(n, 0) || isScalarDim(n, 1) ? 'reduce' : 'tiled';
  if (n.op === 'sum' || n.op === 'rmax' || n.op === 'logsumexp') return 'reduce';
  return 'map';
}

/** A memory read by a step: aligned when it is the element the step's own thread writes. */
interface Read {
  node: Node;
  aligned: boolean;
}

/** The values a step reads from memory (through the inline expressions it computes). */
export function memoryReads(plan: Plan, step: Node): Read[] {
  const out: Read[] = [];
  const perElement = isElementwise(step.op) || step.op === 'mask';
  const visit = (x: Node, aligned: boolean) => {
    const st = plan.storage.get(x.id);
    if (st === 'inline') {
      const same = aligned && isElementwise(x.op) && shapeEqualsNode(x, step);
      for (const i of x.inputs) visit(i, same);
      return;
    }
    out.push({ node: x, aligned: aligned && st !== 'view' && shapeEqualsNode(x, step) });
  };
  for (const x of step.inputs) visit(x, perElement);
  return out;
}

/** `placed`: the gradients written straight into `grads` (layout.ts), by node id. */
export function fuse(plan: Plan, placed: ReadonlyMap<number, string>): Group[] {
  const base = (x: Node) => (plan.storage.get(x.id) === 'view' ? plan.viewOf.get(x.id)! : x);
  // The memory a value occupies: nodes that share a plan slot share it.
  const cell = (x: Node) => {
    const b = base(x);
    const grad = placed.get(b.id);
    if (grad !== undefined) return `grad:${grad}`;
    const slot = plan.slot.get(b.id);
    return slot !== undefined ? `slot:${slot}` : `node:${b.id}`;
  };
  const steps = plan.steps.map((s) => s.node);
  const reads = steps.map((s) => memoryReads(plan, s));
  const readers = new Map<number, Set<number>>();
  const viaView = new Set<number>();
  reads.forEach((list, k) => {
    for (const r of list) {
      const b = base(r.node);
      if (b !== r.node) viaView.add(b.id);
      if (!readers.has(b.id)) readers.set(b.id, new Set());
      readers.get(b.id)!.add(k);
    }
  });
  const pinned = new Set(plan.roots.map((r) => base(r).id));

  const groups: Group[] = [];
  let k = 0;
  while (k < steps.length) {
    const main = steps[k]!;
    const members = [k];
    const unaligned = new Set(reads[k]!.filter((r) => !r.aligned).map((r) => cell(r.node)));
    const inKernel = new Set([main.id]);
    for (let t = k + 1; t < steps.length; t++) {
      const tail = steps[t]!;
      if (!(isElementwise(tail.op) || tail.op === 'mask') || !shapeEqualsNode(tail, main)) break;
      const own = reads[t]!;
      // A thread may not overwrite memory that another thread of this kernel still reads,
      // nor read another thread's result through a view or a broadcast.
      const wouldRead = new Set([...unaligned, ...own.filter((r) => !r.aligned).map((r) => cell(r.node))]);
      if (wouldRead.has(cell(tail))) break;
      if (own.some((r) => inKernel.has(base(r.node).id) && (!r.aligned || base(r.node) !== r.node))) break;
      for (const c of wouldRead) unaligned.add(c);
      members.push(t);
      inKernel.add(tail.id);
    }
    const stored = new Set<number>();
    for (const m of members) {
      const n = steps[m]!;
      const outside = [...(readers.get(n.id) ?? [])].some((r) => !members.includes(r));
      if (pinned.has(n.id) || viaView.has(n.id) || outside) stored.add(n.id);
    }
    groups.push({ kind: kindOf(main), steps: members.map((m) => steps[m]!), stored });
    k += members.length;
  }
  return groups;
}
