// Op and flop counts of the forward and backward graphs. Flops are symbolic
// sizes (polynomials in the run-time dims, e.g. 2*N*... for a batch).
import { isElementwise, topoSort, type Node, type OpAttrs } from './ir/node.js';
import { numel, Size } from './ir/size.js';
import type { Graph } from './model.js';

export interface Cost {
  ops: number;
  flops: Size;
}

/** Floating-point operations of one node (1 per element for maps and reductions, 2mkn for products). */
export function flops(n: Node): Size {
  if (n.inputs.length === 0 || n.op === 'reshape' || n.op === 'broadcast' || n.op === 'slice') return Size.of(0);
  if (n.op === 'matmul') {
    const { ta } = n.attrs as OpAttrs['matmul'];
    const k = ta ? n.inputs[0]!.shape[0] : n.inputs[0]!.shape[1];
    return Size.of(2).mul(numel(n.shape)).mul(k);
  }
  if (isElementwise(n.op)) return numel(n.shape);
  // Reductions and gathers touch every element of their (first) input once.
  return numel(n.inputs[0]!.shape);
}

function count(nodes: Node[]): Cost {
  const real = nodes.filter((n) => n.inputs.length > 0 && n.op !== 'reshape' && n.op !== 'broadcast');
  return { ops: real.length, flops: real.reduce((acc, n) => acc.add(flops(n)), Size.of(0)) };
}

/** The forward graph (loss and outputs) and what the backward pass adds to it. */
export function graphCost(g: Graph): { forward: Cost; backward: Cost } {
  const fwd = topoSort([g.loss, ...g.outputs.values()]);
  const seen = new Set(fwd.map((n) => n.id));
  const bwd = topoSort([...g.grads.values()]).filter((n) => !seen.has(n.id));
  return { forward: count(fwd), backward: count(bwd) };
}
