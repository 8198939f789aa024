// Rewrite rules, one table keyed by op. Builder.make tries them before it
// interns a node; a rule returns the replacement (built through the builder, so
// it is simplified in turn) or undefined. Every rule must preserve the value
// and the shape exactly, except that x·0 → 0 drops a 0·∞ (the usual convention
// of symbolic differentiation: a zero cotangent prunes the branch).
import type { Builder } from './builder.js';
import { COMPARE, UNARY, isElementwise, type Node, type Op, type OpAttrs } from './node.js';
import { isScalarShape, broadcastShapes, shapeEquals, type Shape } from './size.js';
import { SCALAR as SCALAR_FN } from '../ops/scalar.js';

type Rule<O extends Op> = (b: Builder, inputs: readonly Node[], attrs: OpAttrs[O], shape: Shape) => Node | undefined;
type RuleTable = { [O in Op]?: Rule<O>[] };

const constValue = (n: Node): number | undefined =>
  n.op === 'const' ? (n.attrs as OpAttrs['const']).value : undefined;
const isC = (n: Node, v: number) => constValue(n) === v;
/** x, made to have the given shape (only ever broadcast: the result shape is at least x's). */
const as = (b: Builder, x: Node, shape: Shape) => (shapeEquals(x.shape, shape) ? x : b.broadcast(x, shape));

const RULES: RuleTable = {
  add: [
    (b, [x, y], _, s) => (isC(y!, 0) ? as(b, x!, s) : isC(x!, 0) ? as(b, y!, s) : undefined),
    // a·x + a·y → a·(x + y): one product fewer, and the common factor shows.
    (b, [x, y], _, s) => factor(b, x!, y!, s, (p, q) => b.add(p, q)),
    (b, [x, y]) => (x === y ? b.scale(2, x!) : undefined),
    // x + (−y) → x − y
    (b, [x, y]) => (y!.op === 'neg' ? b.sub(x!, y!.inputs[0]!) : x!.op === 'neg' ? b.sub(y!, x!.inputs[0]!) : undefined),
  ],
  sub: [
    (b, [x, y], _, s) => (isC(y!, 0) ? as(b, x!, s) : isC(x!, 0) ? as(b, b.neg(y!), s) : undefined),
    (b, [x, y], _, s) => factor(b, x!, y!, s, (p, q) => b.sub(p, q)),
    (b, [x, y], _, s) => (x === y ? b.zeros(s) : undefined),
    (b, [x, y]) => (y!.op === 'neg' ? b.add(x!, y!.inputs[0]!) : undefined),
  ],
  mul: [
    (b, [x, y], _, s) => (isC(x!, 0) || isC(y!, 0) ? b.zeros(s) : undefined),
    (b, [x, y], _, s) => (isC(x!, 1) ? as(b, y!, s) : isC(y!, 1) ? as(b, x!, s) : undefined),
    (b, [x, y], _, s) => (isC(x!, -1) ? as(b, b.neg(y!), s) : isC(y!, -1) ? as(b, b.neg(x!), s) : undefined),
    // Constants to the left, and folded together: 2·(3·x) → 6·x.
    (b, [x, y]) => (constValue(y!) !== undefined && constValue(x!) === undefined ? b.mul(y!, x!) : undefined),
    (b, [x, y], _, s) => {
      const k = constValue(x!);
      if (k === undefined || y!.op !== 'mul') return undefined;
      const k2 = constValue(y!.inputs[0]!);
      return k2 === undefined ? undefined : as(b, b.mul(b.const(k * k2), y!.inputs[1]!), s);
    },
    // (−x)·y → −(x·y), so that signs collect outside.
    (b, [x, y]) => (x!.op === 'neg' ? b.neg(b.mul(x!.inputs[0]!, y!)) : y!.op === 'neg' ? b.neg(b.mul(x!, y!.inputs[0]!)) : undefined),
  ],
  div: [
    (b, [x, y], _, s) => (isC(y!, 1) ? as(b, x!, s) : isC(x!, 0) ? b.zeros(s) : undefined),
    (b, [x, y]) => (x!.op === 'neg' ? b.neg(b.div(x!.inputs[0]!, y!)) : undefined),
  ],
  neg: [
    (_, [x]) => (x!.op === 'neg' ? x!.inputs[0] : undefined),
    (b, [x]) => (x!.op === 'sub' ? b.sub(x!.inputs[1]!, x!.inputs[0]!) : undefined),
  ],
  pow: [
    (b, [x, p], _, s) => (isC(p!, 1) ? as(b, x!, s) : isC(p!, 0) ? b.const(1, s) : undefined),
    // (√s)² → s: ‖x‖² is Σx², with no square root to differentiate.
    (b, [x, p], _, s) => (isC(p!, 2) && x!.op === 'sqrt' ? as(b, x!.inputs[0]!, s) : undefined),
  ],
  log: [
    // log ∘ exp → identity: with softmax lowered to exp(f − logsumexp f), this
    // turns log(softmax(f)) into the stable log_softmax f − logsumexp f, also
    // when the lowering put a reshape or transpose between them.
    (b, [x]) => underExp(b, x!),
  ],
  where: [
    (b, [c, x, y], _, s) => (x === y ? as(b, x!, s) : undefined),
    (b, [c, x, y], _, s) => {
      const v = constValue(c!);
      return v === undefined ? undefined : as(b, v !== 0 ? x! : y!, s);
    },
  ],
  reshape: [
    (_, [x], __, s) => (shapeEquals(x!.shape, s) ? x : undefined),
    (b, [x], _, s) => (x!.op === 'reshape' ? b.reshape(x!.inputs[0]!, s) : undefined),
    (b, [x], _, s) => (x!.op === 'const' ? b.const(constValue(x!)!, s) : undefined),
    // A broadcast scalar has every shape: reshaping it is broadcasting it.
    (b, [x], _, s) => (x!.op === 'broadcast' && isScalarShape(x!.inputs[0]!.shape) ? b.broadcast(x!.inputs[0]!, s) : undefined),
  ],
  broadcast: [
    (_, [x], __, s) => (shapeEquals(x!.shape, s) ? x : undefined),
    (b, [x], _, s) => (x!.op === 'const' ? b.const(constValue(x!)!, s) : undefined),
    (b, [x], _, s) => (x!.op === 'broadcast' ? b.broadcast(x!.inputs[0]!, s) : undefined),
  ],
  transpose: [(_, [x]) => (x!.op === 'transpose' ? x!.inputs[0] : undefined)],
  matmul: [
    // A transposed operand is read in place: matmul(Aᵀ, B) → matmul{ta}(A, B).
    (b, [x, y], { ta, tb }) => (x!.op === 'transpose' ? b.matmul(x!.inputs[0]!, y!, !ta, tb) : undefined),
    (b, [x, y], { ta, tb }) => (y!.op === 'transpose' ? b.matmul(x!, y!.inputs[0]!, ta, !tb) : undefined),
    // A 1×1 operand is a scalar: the product is a scaling.
    (b, [x, y], { ta, tb }, s) =>
      isScalarShape(x!.shape) ? as(b, b.mul(x!, oriented(b, y!, tb, s)), s) : undefined,
    (b, [x, y], { ta, tb }, s) =>
      isScalarShape(y!.shape) ? as(b, b.mul(oriented(b, x!, ta, s), y!), s) : undefined,
    (b, [x, y], _, s) => (isC(x!, 0) || isC(y!, 0) ? b.zeros(s) : undefined),
    // A product with a constant matrix is a scaled sum: X·c = c·(row sums of X),
    // c·Y = c·(column sums of Y). (The backward pass of sum(W x) makes these.)
    (b, [x, y], { ta, tb }, s) => {
      const c = constValue(y!);
      return c === undefined ? undefined : b.mul(b.const(c), b.broadcast(b.sum(ta ? b.transpose(x!) : x!, 1), s));
    },
    (b, [x, y], { tb }, s) => {
      const c = constValue(x!);
      return c === undefined ? undefined : b.mul(b.const(c), b.broadcast(b.sum(tb ? b.transpose(y!) : y!, 0), s));
    },
  ],
  sum: [
    // Sign and factors constant along the reduced axis come out of the sum:
    // Σ −x = −Σ x, Σ a·x = a·Σ x.
    (b, [x], { axis }) => (x!.op === 'neg' ? b.neg(b.sum(x!.inputs[0]!, axis)) : undefined),
    (b, [x], { axis }, s) => {
      if (x!.op !== 'mul') return undefined;
      const [p, q] = x!.inputs as [Node, Node];
      const outside = (f: Node) => shapeEquals(f.shape, s) || isScalarShape(f.shape);
      if (outside(p) && !shapeEquals(p.shape, x!.shape)) return b.mul(p, b.sum(q, axis));
      if (outside(q) && !shapeEquals(q.shape, x!.shape)) return b.mul(b.sum(p, axis), q);
      return undefined;
    },
    // Σ over an axis of Aᵀ is Σ over the other axis of A: no transpose needed.
    (b, [x], { axis }, s) => (x!.op === 'transpose' && axis !== 'all' ? b.reshape(b.sum(x!.inputs[0]!, axis === 0 ? 1 : 0), s) : undefined),
    // Every column of a one-hot sums to 1.
    (b, [x], { axis }, s) => (x!.op === 'onehot' && axis === 0 ? b.const(1, s) : undefined),
    // Summing over an axis of size 1 changes nothing.
    (b, [x], { axis }, s) =>
      axis !== 'all' && x!.shape[axis].isOne() ? b.reshape(x!, s) : undefined,
    (b, [x], { axis }, s) => (axis === 'all' && isScalarShape(x!.shape) ? x : undefined),
    // Σ of a constant v is v times the count, the same in every slot of the result.
    (b, [x], { axis }, s) => {
      const v = constValue(x!);
      if (v === undefined) return undefined;
      const n = axis === 'all' ? x!.shape[0].mul(x!.shape[1]) : x!.shape[axis];
      return as(b, b.mul(b.const(v), b.size(n)), s);
    },
  ],
  // max and logsumexp over axes of size 1 are the identity, as for sum.
  rmax: [(b, [x], { axis }, s) => (reducesNothing(x!, axis) ? b.reshape(x!, s) : undefined)],
  logsumexp: [(b, [x], { axis }, s) => (reducesNothing(x!, axis) ? b.reshape(x!, s) : undefined)],
  pick: [
    // pick(exp(a), y) → exp(pick(a, y)): picking commutes with elementwise maps,
    // and cross_entropy(softmax(f), y) then becomes −pick(log_softmax(f), y)
    // (a row softmax reaches pick reshaped to a column: seen through too).
    (b, [p, y]) => {
      const a = underExp(b, p!);
      return a && b.exp(b.make('pick', [a, y!], {}));
    },
  ],
};

/**
 * For L(exp(a)), where L is a chain of reshapes and transposes (possibly
 * empty): L(a). These move elements without changing them, so log(L(exp(a)))
 * is L(a) and pick(L(exp(a)), y) is exp(pick(L(a), y)).
 */
function underExp(b: Builder, x: Node): Node | undefined {
  if (x.op === 'exp') return x.inputs[0]!;
  if (x.op !== 'reshape' && x.op !== 'transpose') return undefined;
  const inner = underExp(b, x.inputs[0]!);
  if (!inner) return undefined;
  return x.op === 'reshape' ? b.reshape(inner, x.shape) : b.transpose(inner);
}

/** a·p ∘ a·q → a·(p ∘ q) for ∘ = + or −, when both products share their first factor. */
function factor(b: Builder, x: Node, y: Node, s: Shape, combine: (p: Node, q: Node) => Node): Node | undefined {
  if (x.op !== 'mul' || y.op !== 'mul') return undefined;
  for (const [i, j] of [[0, 0], [0, 1], [1, 0], [1, 1]] as const) {
    const a = x.inputs[i]!;
    if (a !== y.inputs[j]) continue;
    const r = as(b, b.mul(a, combine(x.inputs[1 - i]!, y.inputs[1 - j]!)), s);
    return shapeEquals(r.shape, s) ? r : undefined;
  }
  return undefined;
}

/** Whether reducing `x` over `axis` combines no two elements. */
function reducesNothing(x: Node, axis: 'all' | 0 | 1): boolean {
  if (axis === 'all') return isScalarShape(x.shape);
  return x.shape[axis].isOne();
}

/** The operand of a scaling product, in the orientation the product reads it. */
function oriented(b: Builder, x: Node, transposed: boolean, s: Shape): Node {
  const t = transposed ? b.transpose(x) : x;
  return shapeEquals(t.shape, s) ? t : b.reshape(t, s);
}

/** Folds elementwise ops whose inputs are all constants. */
function fold(b: Builder, op: Op, inputs: readonly Node[], shape: Shape): Node | undefined {
  if (!isElementwise(op) || !inputs.every((n) => n.op === 'const')) return undefined;
  const v = SCALAR_FN[op](...inputs.map((n) => constValue(n)!));
  return b.const(v, shape);
}

const compareOps = new Set<string>(COMPARE);
const UNARY_OPS = new Set<string>(UNARY);

export function rewrite<O extends Op>(
  b: Builder,
  op: O,
  inputs: readonly Node[],
  attrs: OpAttrs[O],
  shape: Shape,
): Node | undefined {
  const folded = fold(b, op, inputs, shape);
  if (folded) return folded;
  // Comparisons of a value with itself are decided without looking at it.
  if (compareOps.has(op) && inputs[0] === inputs[1]) {
    return b.const(op === 'le' || op === 'ge' || op === 'eq' ? 1 : 0, shape);
  }
  // A unary map of a broadcast is the broadcast of the map: compute it on the small tensor.
  if (UNARY_OPS.has(op) && inputs[0]!.op === 'broadcast') {
    return b.broadcast(b.make(op, [inputs[0]!.inputs[0]!], attrs), shape);
  }
  // Elementwise ops broadcast by themselves: an explicit broadcast of an input is not needed.
  if (isElementwise(op) && inputs.length > 1 && inputs.some((n) => n.op === 'broadcast')) {
    const bare = inputs.map((n) => (n.op === 'broadcast' ? n.inputs[0]! : n));
    let s: Shape | undefined = bare[0]!.shape;
    for (const n of bare.slice(1)) s = s && broadcastShapes(s, n.shape);
    if (s && shapeEquals(s, shape)) return b.make(op, bare, attrs);
  }
  for (const rule of (RULES[op] ?? []) as Rule<O>[]) {
    const r = rule(b, inputs, attrs, shape);
    if (r) return r;
  }
  return undefined;
}
