// Where every value lives on the GPU. A handful of storage buffers, each packed
// with many tensors, keeps every kernel at a few bindings whatever the model
// (devices may allow only 8 storage buffers per shader stage):
//   params  params, then running statistics (batchnorm)
//   inputs  float inputs          ints   integer inputs (labels, indices)
//   grads   gradients: params first (the optimizer reads them in one sweep), then wrt inputs
//   work    the plan's buffer slots, shared by all programs
//   optim   optimizer slots (m, v, ...), each as long as all params; then the clipping scale
// Offsets are sizes: polynomials in the run-time dims, like shapes.
import type { Node } from '../../compiler/ir/node.js';
import { numel, Size } from '../../compiler/ir/size.js';
import type { Model } from '../../compiler/model.js';
import type { Plan } from '../plan.js';

export type BufferName = 'params' | 'inputs' | 'ints' | 'work' | 'grads' | 'optim';

/** A stretch of one buffer, in f32/i32 elements. */
export interface Region {
  buffer: BufferName;
  at: Size;
  size: Size;
}

export interface LeafLayout {
  /** Params and running statistics, by name. */
  params: Map<string, Region>;
  inputs: Map<string, Region>;
  /** Gradients of params and wrt inputs, by name. */
  grads: Map<string, Region>;
  /** Elements of params alone (what the optimizer updates). */
  paramCount: Size;
  size: Record<Exclude<BufferName, 'work' | 'optim'>, Size>;
}

const ZERO = Size.of(0);

/** Packs regions one after another into a buffer; returns the total. */
function pack(buffer: BufferName, items: { name: string; size: Size }[], into: Map<string, Region>): Size {
  let at = ZERO;
  for (const it of items) {
    into.set(it.name, { buffer, at, size: it.size });
    at = at.add(it.size);
  }
  return at;
}

export function leafLayout(model: Model): LeafLayout {
  const params = new Map<string, Region>();
  const inputs = new Map<string, Region>();
  const grads = new Map<string, Region>();
  const paramItems = model.params.map((p) => ({ name: p.name, size: numel(p.shape) }));
  const paramCount = paramItems.reduce((s, p) => s.add(p.size), ZERO);
  const paramsSize = pack('params', [...paramItems, ...model.states.map((s) => ({ name: s.name, size: numel(s.shape) }))], params);
  const item = (i: { name: string; shape: Model['inputs'][number]['shape'] }) => ({ name: i.name, size: numel(i.shape) });
  const floats = new Map<string, Region>();
  const ints = new Map<string, Region>();
  const inputsSize = pack('inputs', model.inputs.filter((i) => !i.int).map(item), floats);
  const intsSize = pack('ints', model.inputs.filter((i) => i.int).map(item), ints);
  for (const i of model.inputs) inputs.set(i.name, (i.int ? ints : floats).get(i.name)!);
  const wrt = model.inputs.filter((i) => model.wrt.includes(i.name));
  const gradsSize = pack('grads', [...paramItems, ...wrt.map(item)], grads);
  return { params, inputs, grads, paramCount, size: { params: paramsSize, inputs: inputsSize, ints: intsSize, grads: gradsSize } };
}

/** Gradients a kernel writes straight into their place in `grads`: node id → gradient name. */
export function placeGrads(plan: Plan, grads: Map<string, Node>): Map<number, string> {
  const placed = new Map<number, string>();
  for (const [name, g] of grads) if (plan.storage.get(g.id) === 'buffer' && !placed.has(g.id)) placed.set(g.id, name);
  return placed;
}

export interface ProgramLayout {
  /** Where a node's value is in memory; undefined for values computed inline. */
  region(n: Node): Region | undefined;
  /** Elements of `work` this program needs. */
  workSize: Size;
  /** Gradients that are not computed in place (a param, a view, a value two params share): copied after the kernels. */
  gather: { name: string; from: Region; to: Region }[];
}

/**
 * Places a program's values: leaves where the leaf layout puts them, each
 * gradient that a kernel computes straight into its place in `grads`, and the
 * plan's slots one after another in `work`, leaving out slots that hold only
 * such gradients or values no kernel stores (kept in registers by fusion).
 */
export function programLayout(plan: Plan, leaves: LeafLayout, grads: Map<string, Node>, stored: ReadonlySet<number>): ProgramLayout {
  const placed = placeGrads(plan, grads);
  const live = new Set<number>();
  for (const [id, slot] of plan.slot) if (!placed.has(id) && stored.has(id)) live.add(slot);
  const slotAt = new Map<number, Size>();
  let workSize = ZERO;
  plan.slotSizes.forEach((s, slot) => {
    if (!live.has(slot)) return;
    slotAt.set(slot, workSize);
    workSize = workSize.add(numel(s));
  });
  function region(n: Node): Region | undefined {
    const st = plan.storage.get(n.id);
    const name = (n.attrs as { name?: string }).name;
    if (st === 'leaf') return (n.op === 'input' ? leaves.inputs : leaves.params).get(name!);
    if (st === 'view') {
      // The input's region (not the base's): slices of slices add up.
      const base = region(n.inputs[0]!)!;
      const start = n.op === 'slice' ? (n.attrs as { start: Size }).start.mul(n.shape[1]) : ZERO;
      return { buffer: base.buffer, at: base.at.add(start), size: numel(n.shape) };
    }
    if (st !== 'buffer') return undefined;
    const grad = placed.get(n.id);
    if (grad !== undefined) return leaves.grads.get(grad)!;
    const at = slotAt.get(plan.slot.get(n.id)!);
    if (!at) throw new Error(`internal: a value no kernel stores was asked for its place in memory (node ${n.id})`);
    return { buffer: 'work', at, size: numel(n.shape) };
  }
  const gather = [...grads].filter(([name, g]) => placed.get(g.id) !== name).map(([name, g]) => ({ name, from: region(g)!, to: leaves.grads.get(name)! }));
  return { region, workSize, gather };
}
