// `gradc compare`: symbolic vs automatic differentiation, measured on the model.
//   - naive symbolic: each gradient written out as an expression tree, nothing
//     shared (what a textbook symbolic differentiator prints): expression swell;
//   - after CSE: the same expressions as one graph, each subexpression once;
//   - reverse mode: the forward and backward program gradc compiles;
//   - forward mode: one pass per input dimension (tangents, jvp.ts);
//   - the lecture's "incorrect way": each ∂loss/∂θ derived on its own, vs all at once.
// Ops count nodes that compute (not leaves, reshapes, broadcasts); flops are
// cost.ts's, symbolic in the run-time dims.
import { gradients } from '../autodiff.js';
import { flops, graphCost } from '../cost.js';
import { Builder } from '../ir/builder.js';
import { isLeaf, topoSort, type Node } from '../ir/node.js';
import { isScalarShape, numel, Size } from '../ir/size.js';
import type { Model } from '../model.js';
import { printExpr } from '../print.js';
import { tangents } from './jvp.js';

export interface Cost {
  ops: number;
  flops: Size;
}

export interface SwellRow {
  /** The longest path from a leaf to the value, in ops. */
  depth: number;
  value: string;
  naive: Cost;
  cse: Cost;
}

export interface Comparison {
  loss: string;
  /** Scalars differentiated: params and wrt inputs. */
  inputs: Size;
  forward: Cost;
  naive: Cost;
  cse: Cost;
  reverse: Cost;
  /** One forward-mode pass: the forward values and their tangents along one direction. */
  forwardPass: Cost;
  forwardMode: Cost;
  /** Backward passes only. */
  separately: Cost;
  allAtOnce: Cost;
  swell: SwellRow[];
}

const computes = (n: Node) => n.inputs.length > 0 && n.op !== 'reshape' && n.op !== 'broadcast';
const ZERO: Cost = { ops: 0, flops: Size.of(0) };
const plus = (a: Cost, b: Cost): Cost => ({ ops: a.ops + b.ops, flops: a.flops.add(b.flops) });
const times = (k: Size, c: Cost): Cost => ({ ops: c.ops * (k.constant ?? NaN), flops: c.flops.mul(k) });

/** The cost of evaluating these nodes once each (a graph: shared nodes count once). */
export function dagCost(nodes: Iterable<Node>): Cost {
  let c = ZERO;
  for (const n of nodes) if (computes(n)) c = plus(c, { ops: 1, flops: flops(n) });
  return c;
}

/** The cost of `root` written out as a tree: every use of a shared node repeats it. */
export function treeCost(roots: readonly Node[]): Cost {
  const memo = new Map<number, Cost>();
  for (const n of topoSort(roots)) {
    const own = computes(n) ? { ops: 1, flops: flops(n) } : ZERO;
    memo.set(n.id, n.inputs.reduce((acc, x) => plus(acc, memo.get(x.id)!), own));
  }
  return roots.reduce((acc, r) => plus(acc, memo.get(r.id)!), ZERO);
}

/** Copies a graph into another builder, node for node (no rewriting). */
function copyInto(b: Builder, roots: readonly Node[]): Map<number, Node> {
  const m = new Map<number, Node>();
  for (const n of topoSort(roots)) m.set(n.id, b.intern(n.op, n.inputs.map((x) => m.get(x.id)!), n.attrs as never, n.shape));
  return m;
}

function leafName(n: Node): string {
  return (n.attrs as { name: string }).name;
}

export function compare(model: Model): Comparison {
  const g = model.train;
  const b = model.builder;
  const fwdNodes = topoSort([g.loss]);
  const forwardIds = new Set(fwdNodes.map((n) => n.id));
  const leaves = fwdNodes.filter((n) => (n.op === 'param' || n.op === 'input') && g.grads.has(leafName(n)));
  const grads = [...g.grads.values()];
  const inputs = [...model.params, ...model.inputs.filter((i) => model.wrt.includes(i.name))].reduce((s, t) => s.add(numel(t.shape)), Size.of(0));

  const forward = dagCost(fwdNodes);
  const cost = graphCost({ ...g, outputs: new Map() });
  const reverse = plus(cost.forward, cost.backward);

  // Forward mode: the tangent of the loss along one direction, per input scalar.
  const t = tangents(b, g.loss, leaves);
  const tangentNodes = t.has(g.loss.id) ? topoSort([t.get(g.loss.id)!]).filter((n) => !forwardIds.has(n.id)) : [];
  const forwardPass = plus(forward, dagCost(tangentNodes));

  // The incorrect way: each gradient in a graph of its own, sharing nothing with the others.
  let separately = ZERO;
  for (const leaf of leaves) {
    const own = new Builder();
    const copy = copyInto(own, [g.loss]);
    const one = gradients(own, copy.get(g.loss.id)!, [copy.get(leaf.id)!]).get(copy.get(leaf.id)!)!;
    const seen = new Set([...copy.values()].map((n) => n.id));
    separately = plus(separately, dagCost(topoSort([one]).filter((n) => !seen.has(n.id))));
  }

  return {
    loss: model.loss.name,
    inputs,
    forward,
    naive: treeCost(grads),
    cse: dagCost(topoSort(grads)),
    reverse,
    forwardPass,
    forwardMode: times(inputs, forwardPass),
    separately,
    allAtOnce: cost.backward,
    swell: swell(model, leaves),
  };
}

/**
 * Expression swell as the model gets deeper: for each value on the way to the
 * loss (the named ones, or every op when fewer than three are named), the
 * derivative of (the sum of) that value with respect to the params and wrt
 * inputs below it, as a tree and as a shared graph.
 */
function swell(model: Model, leaves: Node[]): SwellRow[] {
  const b = model.builder;
  const order = topoSort([model.train.loss]);
  const depth = new Map<number, number>();
  for (const n of order) {
    const d = Math.max(0, ...n.inputs.map((x) => depth.get(x.id)!));
    depth.set(n.id, computes(n) ? d + 1 : d);
  }
  const named = order.filter((n) => model.names.has(n.id) && !isLeaf(n.op));
  let rows = named;
  if (named.length < 3) {
    // The deepest chain of ops down from the loss.
    rows = [];
    for (let n: Node | undefined = model.train.loss; n && computes(n); ) {
      rows.unshift(n);
      n = [...n.inputs].sort((a, c) => depth.get(c.id)! - depth.get(a.id)!)[0];
      while (n && !computes(n) && n.inputs.length) n = n.inputs[0];
    }
  }
  const namer = (n: Node) => model.names.get(n.id);
  const out: SwellRow[] = [];
  for (const n of rows) {
    const below = new Set(topoSort([n]).map((x) => x.id));
    const wrt = leaves.filter((l) => below.has(l.id));
    if (!wrt.length) continue;
    const scalar = isScalarShape(n.shape);
    const target = scalar ? n : b.sum(n);
    const gs = [...gradients(b, target, wrt).values()];
    const text = model.names.get(n.id) ?? printExpr(n, namer);
    out.push({ depth: depth.get(n.id)!, value: text.length > 28 ? `${text.slice(0, 27)}…` : text, naive: treeCost(gs), cse: dagCost(topoSort(gs)) });
  }
  return out;
}

/** Big counts with thousands separators; symbolic ones as polynomials. */
export function showSize(s: Size): string {
  const c = s.constant;
  if (c === undefined) return s.key;
  return c >= 1e15 ? c.toExponential(2) : c.toLocaleString('en-US');
}

export function formatComparison(c: Comparison, file: string): string {
  const out: string[] = [];
  const n = showSize(c.inputs);
  out.push(`${file}: loss ${c.loss}, ${n} number${n === '1' ? '' : 's'} to differentiate (params and wrt inputs)`);
  out.push('');
  const ratio = (a: Cost, base: Cost) => {
    const x = a.flops.constant;
    const y = base.flops.constant;
    return x !== undefined && y ? `${(x / y).toFixed(x / y < 10 ? 2 : 0)}×` : '';
  };
  const rows: [string, Cost, string][] = [
    ['forward pass (the loss alone)', c.forward, ''],
    ['symbolic, naive: each gradient a tree', c.naive, ratio(c.naive, c.forward)],
    ['symbolic, after CSE: one shared graph', c.cse, ratio(c.cse, c.forward)],
    ['reverse mode: forward + backward', c.reverse, ratio(c.reverse, c.forward)],
    [`forward mode: ${n} passes`, c.forwardMode, ratio(c.forwardMode, c.forward)],
    ['   one forward-mode pass', c.forwardPass, ratio(c.forwardPass, c.forward)],
    ['incorrect way: each ∂/∂θ on its own', c.separately, ''],
    ['all at once: one backward pass', c.allAtOnce, ''],
  ];
  out.push(...table(1, ['', 'ops', 'flops', '÷ forward'], rows.map(([a, k, r]) => [a, Number.isNaN(k.ops) ? '—' : k.ops.toLocaleString('en-US'), showSize(k.flops), r])));
  out.push('(the last two rows count the backward pass only)');
  if (c.swell.length) {
    out.push('', `expression swell with depth: ∂(sum of the value)/∂(params and wrt inputs below it), in ops`);
    out.push(...table(2, ['depth', 'value', 'naive tree', 'after CSE'], c.swell.map((r) => [String(r.depth), r.value, r.naive.ops.toLocaleString('en-US'), r.cse.ops.toLocaleString('en-US')])));
  }
  return out.join('\n') + '\n';
}

/** Columns padded to a common width: the first `left` aligned left, the rest right. */
function table(left: number, head: string[], rows: string[][]): string[] {
  const all = [head, ...rows];
  const w = head.map((_, j) => Math.max(...all.map((r) => [...r[j]!].length)));
  return all.map((r) => r.map((s, j) => (j < left ? s.padEnd(w[j]!) : s.padStart(w[j]!))).join('  ').trimEnd());
}
