// Elementwise primitives: reference semantics come from the scalar table
// (scalar.ts); the VJPs are the calculus. Each VJP reuses the forward value
// where the derivative is a function of it (σ′ = σ(1 − σ), exp′ = exp, …).
import type { Builder } from '../ir/builder.js';
import type { ElementwiseOp, Node } from '../ir/node.js';
import { tensor, at, type Tensor } from '../ir/tensor.js';
import { SCALAR } from './scalar.js';
import type { OpRule } from './rule.js';

/** Applies an elementwise scalar function with broadcasting. */
export function evalElementwise(fn: (...x: number[]) => number, inputs: readonly Tensor[], rows: number, cols: number): Tensor {
  const out = tensor(rows, cols);
  const args = new Array<number>(inputs.length);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      for (let k = 0; k < inputs.length; k++) args[k] = at(inputs[k]!, i, j);
      out.data[i * cols + j] = fn(...args);
    }
  }
  return out;
}

/** g·w for the first operand and g·(1 − w) for the second. */
function split(b: Builder, g: Node, w: Node): Node[] {
  return [b.mul(g, w), b.mul(g, b.sub(b.const(1), w))];
}

type Vjp = (b: Builder, y: Node, g: Node, x: readonly Node[]) => (Node | null)[];

/** 1[a > b] + ½·1[a = b]: where the larger operand of max wins, ties shared evenly. */
function winner(b: Builder, a: Node, c: Node): Node {
  return b.add(b.binary('gt', a, c), b.scale(0.5, b.binary('eq', a, c)));
}

const VJP: { [O in ElementwiseOp]: Vjp } = {
  neg: (b, _, g) => [b.neg(g)],
  exp: (b, y, g) => [b.mul(g, y)],
  log: (b, _, g, [x]) => [b.div(g, x!)],
  sqrt: (b, y, g) => [b.div(g, b.scale(2, y))],
  abs: (b, _, g, [x]) => [b.mul(g, b.unary('sign', x!))],
  sign: () => [null],
  sin: (b, _, g, [x]) => [b.mul(g, b.unary('cos', x!))],
  cos: (b, _, g, [x]) => [b.neg(b.mul(g, b.unary('sin', x!)))],
  tanh: (b, y, g) => [b.mul(g, b.sub(b.const(1), b.pow(y, b.const(2))))],
  sigmoid: (b, y, g) => [b.mul(g, b.mul(y, b.sub(b.const(1), y)))],
  // relu′(0) = 0: the indicator is strict.
  relu: (b, _, g, [x]) => [b.mul(g, b.binary('gt', x!, b.const(0)))],
  softplus: (b, _, g, [x]) => [b.mul(g, b.unary('sigmoid', x!))],
  add: (_, __, g) => [g, g],
  sub: (b, _, g) => [g, b.neg(g)],
  mul: (b, _, g, [x, y]) => [b.mul(g, y!), b.mul(g, x!)],
  div: (b, q, g, [, y]) => [b.div(g, y!), b.neg(b.div(b.mul(g, q), y!))],
  pow: (b, y, g, [x, p]) => [
    b.mul(g, b.mul(p!, b.pow(x!, b.sub(p!, b.const(1))))),
    b.mul(g, b.mul(y, b.log(x!))),
  ],
  // The two shares sum to 1, so the second is 1 − the first: one mask, built once.
  max: (b, _, g, [x, y]) => split(b, g, winner(b, x!, y!)),
  min: (b, _, g, [x, y]) => split(b, g, winner(b, y!, x!)),
  lt: () => [null, null],
  le: () => [null, null],
  gt: () => [null, null],
  ge: () => [null, null],
  eq: () => [null, null],
  ne: () => [null, null],
  where: (b, _, g, [c]) => [null, b.where(c!, g, b.const(0)), b.where(c!, b.const(0), g)],
};

function rule<O extends ElementwiseOp>(op: O): OpRule<O> {
  return {
    eval: (inputs, node, ctx) => {
      const [r, c] = node.shape;
      return evalElementwise(SCALAR[op], inputs, r.eval(ctx.dims), c.eval(ctx.dims));
    },
    vjp: (b, node, g, wants) => VJP[op](b, node, g, node.inputs).map((ct, i) => (wants[i] ? ct : null)),
  };
}

export const ELEMENTWISE_RULES: { [O in ElementwiseOp]: OpRule<O> } = Object.fromEntries(
  (Object.keys(VJP) as ElementwiseOp[]).map((op) => [op, rule(op)]),
) as { [O in ElementwiseOp]: OpRule<O> };
