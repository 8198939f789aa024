// The execution plan shared by the JS and WGSL targets: which nodes are
// computed inline inside their consumer's loop, which are views of another
// buffer, which are scalars, and which get a buffer of their own; the order of
// the steps; and which buffers can share memory. Targets only spell the plan.
import { isElementwise, topoSort, type Node } from '../compiler/ir/node.js';
import { isScalarShape, numel, type Shape, shapeEquals } from '../compiler/ir/size.js';
import type { InputInfo } from '../compiler/model.js';

/** How a node's value exists at run time. */
export type Storage =
  /** A param, input or state array, owned outside the plan. */
  | 'leaf'
  /** Recomputed wherever it is used: constants, sizes, single-use elementwise nodes, broadcasts, one-hots. */
  | 'inline'
  /** A one-element value (a JS local; a one-element buffer on the GPU). */
  | 'scalar'
  /** A buffer of its own. */
  | 'buffer'
  /** Another node's buffer seen with another shape or offset (reshape, row slice). */
  | 'view';

/** Ops whose inputs may be inline expressions (evaluated at any index). */
const TAKES_EXPRESSIONS = new Set<string>(['sum', 'pick']);
/** Ops cheap enough to inline into any number of consumers. */
const FREE = new Set<string>(['const', 'size', 'broadcast', 'onehot']);

export interface Step {
  node: Node;
  /** Elementwise nodes of the same shape computed in the same loop (node is the first). */
  fused?: Node[];
}

export interface Plan {
  roots: Node[];
  /** Every node the roots need, inputs first. */
  order: Node[];
  storage: Map<number, Storage>;
  /** The nodes computed, in order: each gets a loop (or a few). */
  steps: Step[];
  /** For a view: the node whose buffer it reads, and the element offset (a row slice). */
  viewOf: Map<number, Node>;
  /** Buffer slots: node id → slot; nodes of equal size whose lives do not overlap share a slot. */
  slot: Map<number, number>;
  /** The size (element count) of each slot. */
  slotSizes: Shape[];
  /** Number of consumers of each node within the plan. */
  uses: Map<number, number>;
}

export interface PlanOptions {
  /** Nodes whose buffers must survive to the end (returned values). Defaults to the roots. */
  pinned?: readonly Node[];
  /** Keep scalars in buffers (the GPU) rather than locals. */
  scalarsInBuffers?: boolean;
}

export function plan(roots: readonly Node[], opts: PlanOptions = {}): Plan {
  const order = topoSort(roots);
  const consumers = new Map<number, Node[]>();
  for (const n of order) for (const i of n.inputs) consumers.set(i.id, [...(consumers.get(i.id) ?? []), n]);
  const rootIds = new Set(roots.map((r) => r.id));
  const storage = new Map<number, Storage>();
  const viewOf = new Map<number, Node>();

  for (const n of order) {
    const users = consumers.get(n.id) ?? [];
    let s: Storage;
    if (n.op === 'param' || n.op === 'input' || n.op === 'state') s = 'leaf';
    else if (FREE.has(n.op) && !rootIds.has(n.id)) s = 'inline';
    else if (n.op === 'reshape' || n.op === 'slice') s = 'view';
    else if (isScalarShape(n.shape) && !opts.scalarsInBuffers) s = 'scalar';
    else if (
      isElementwise(n.op) && !rootIds.has(n.id) && users.length === 1 &&
      (isElementwise(users[0]!.op) || TAKES_EXPRESSIONS.has(users[0]!.op)) &&
      (shapeEquals(users[0]!.shape, n.shape) || users[0]!.op === 'sum' || users[0]!.op === 'pick')
    ) s = 'inline';
    else s = 'buffer';
    storage.set(n.id, s);
  }
  // A view must see a buffer (or a leaf): materialize what it looks through.
  for (const n of order) {
    if (storage.get(n.id) !== 'view') continue;
    const x = n.inputs[0]!;
    const sx = storage.get(x.id)!;
    if (sx === 'inline') storage.set(x.id, isScalarShape(x.shape) && !opts.scalarsInBuffers ? 'scalar' : 'buffer');
    if (storage.get(x.id) === 'scalar') storage.set(n.id, 'scalar'); // a reshaped scalar is the scalar
    viewOf.set(n.id, base(x));
  }
  function base(x: Node): Node {
    return storage.get(x.id) === 'view' ? viewOf.get(x.id)! : x;
  }
  // Ops that read their inputs as arrays need them materialized.
  for (const n of order) {
    if (isElementwise(n.op) || TAKES_EXPRESSIONS.has(n.op) || storage.get(n.id) === 'view') continue;
    for (const x of n.inputs) {
      if (storage.get(x.id) === 'inline') {
        storage.set(x.id, isScalarShape(x.shape) && !opts.scalarsInBuffers ? 'scalar' : 'buffer');
      }
    }
  }

  const steps: Step[] = order
    .filter((n) => storage.get(n.id) === 'buffer' || (storage.get(n.id) === 'scalar' && n.op !== 'reshape'))
    .map((node) => ({ node }));

  // Buffer slots: a slot is free again after the last step that reads it.
  const lastUse = new Map<number, number>();
  const read = (x: Node, at: number) => {
    const b = storage.get(x.id) === 'view' ? viewOf.get(x.id)! : x;
    lastUse.set(b.id, Math.max(lastUse.get(b.id) ?? -1, at));
    if (storage.get(x.id) === 'inline') x.inputs.forEach((i) => read(i, at));
  };
  steps.forEach((s, i) => s.node.inputs.forEach((x) => read(x, i)));
  const pinned = new Set((opts.pinned ?? roots).map((n) => (storage.get(n.id) === 'view' ? viewOf.get(n.id)! : n).id));
  const { slot, slotSizes } = assignSlots(steps.map((s) => s.node).filter((n) => storage.get(n.id) === 'buffer'), steps.map((s) => s.node), lastUse, pinned);

  const uses = new Map<number, number>();
  for (const [id, c] of consumers) uses.set(id, c.length);
  return { roots: [...roots], order, storage, steps, viewOf, slot, slotSizes, uses };
}

/**
 * Buffer slots for `buffers` (computed in the order of `order`): a node takes a
 * free slot of its size whose last reader ran before it, or a new one; a slot
 * is free again after the last step that reads its node (`lastUse`, a step
 * index), unless the node is pinned (returned to the caller).
 */
export function assignSlots(
  buffers: readonly Node[],
  order: readonly Node[],
  lastUse: ReadonlyMap<number, number>,
  pinned: ReadonlySet<number>,
): { slot: Map<number, number>; slotSizes: Shape[] } {
  const slot = new Map<number, number>();
  const slotSizes: Shape[] = [];
  const free: { slot: number; key: string; until: number }[] = [];
  const isBuffer = new Set(buffers.map((n) => n.id));
  order.forEach((n, i) => {
    if (!isBuffer.has(n.id)) return;
    const key = numel(n.shape).key;
    const k = free.findIndex((f) => f.key === key && f.until < i);
    let id: number;
    if (k >= 0) {
      id = free[k]!.slot;
      free.splice(k, 1);
    } else {
      id = slotSizes.length;
      slotSizes.push(n.shape);
    }
    slot.set(n.id, id);
    if (!pinned.has(n.id)) free.push({ slot: id, key, until: lastUse.get(n.id) ?? i });
  });
  return { slot, slotSizes };
}

/** The inputs a planned program reads, in the order given. */
export function inputsRead(inputs: readonly InputInfo[], p: Plan): InputInfo[] {
  const used = new Set(p.order.filter((n) => n.op === 'input').map((n) => (n.attrs as { name: string }).name));
  return inputs.filter((i) => used.has(i.name));
}
