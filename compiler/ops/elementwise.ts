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

/** e^(−k·x²). */
function gauss(b: Builder, x: Node, k: number): Node {
  return b.exp(b.scale(-k, b.pow(x, b.const(2))));
}

type Vjp = (b: Builder, y: Node, g: Node, x: readonly Node[]) => (Node | null)[];

/** 1[a > b] + ½·1[a = b]: where the larger operand of max wins, ties shared evenly. */
function winner(b: Builder, a: Node, c: Node): Node {
  return b.add(b.binary('gt', a, c), b.scale(0.5, b.binary('eq', a, c)));
}

/** A comparison is 0 or 1: flat, so nothing flows to either operand. */
const COMPARISON = { note: 'a comparison is flat: no gradient flows', vjp: () => [null, null] };

/** Each op's VJP, and what it does to the gradient in words. */
const VJP: { [O in ElementwiseOp]: { note: string; vjp: Vjp } } = {
  neg: { note: 'negation flips the sign of the upstream', vjp: (b, _, g) => [b.neg(g)] },
  exp: { note: 'exp′ = exp: the local gradient is the value itself', vjp: (b, y, g) => [b.mul(g, y)] },
  log: { note: 'log′(x) = 1/x', vjp: (b, _, g, [x]) => [b.div(g, x!)] },
  sqrt: { note: '√′(x) = 1/(2√x), from the value already computed', vjp: (b, y, g) => [b.div(g, b.scale(2, y))] },
  abs: { note: 'abs′ = sign', vjp: (b, _, g, [x]) => [b.mul(g, b.unary('sign', x!))] },
  sign: { note: 'sign is flat: no gradient flows', vjp: () => [null] },
  sin: { note: 'sin′ = cos', vjp: (b, _, g, [x]) => [b.mul(g, b.unary('cos', x!))] },
  cos: { note: 'cos′ = −sin', vjp: (b, _, g, [x]) => [b.neg(b.mul(g, b.unary('sin', x!)))] },
  tanh: { note: 'tanh′ = 1 − tanh², from the value already computed', vjp: (b, y, g) => [b.mul(g, b.sub(b.const(1), b.pow(y, b.const(2))))] },
  sigmoid: { note: 'σ′ = σ(1 − σ), from the value already computed', vjp: (b, y, g) => [b.mul(g, b.mul(y, b.sub(b.const(1), y)))] },
  // relu′(0) = 0: the indicator is strict.
  relu: { note: 'relu gates: the upstream passes where the input is positive', vjp: (b, _, g, [x]) => [b.mul(g, b.binary('gt', x!, b.const(0)))] },
  softplus: { note: 'softplus′ = σ', vjp: (b, _, g, [x]) => [b.mul(g, b.unary('sigmoid', x!))] },
  erf: { note: 'erf′(x) = (2/√π)·e^(−x²)', vjp: (b, _, g, [x]) => [b.mul(g, b.scale(2 / Math.sqrt(Math.PI), gauss(b, x!, 1)))] },
  // gelu(x) = x·Φ(x): Φ(x) = ½(1 + erf(x/√2)), φ(x) = e^(−x²/2)/√(2π).
  gelu: {
    note: 'gelu′(x) = Φ(x) + x·φ(x): the normal CDF plus x times its density',
    vjp: (b, _, g, [x]) => {
      const cdf = b.scale(0.5, b.add(b.const(1), b.unary('erf', b.scale(Math.SQRT1_2, x!))));
      return [b.mul(g, b.add(cdf, b.mul(x!, b.scale(1 / Math.sqrt(2 * Math.PI), gauss(b, x!, 0.5)))))];
    },
  },
  add: { note: '+ distributes: each input gets the upstream unchanged', vjp: (_, __, g) => [g, g] },
  sub: { note: '− distributes: the left input gets the upstream, the right one its negative', vjp: (b, _, g) => [g, b.neg(g)] },
  mul: { note: '× switches: each input gets the upstream times the other input', vjp: (b, _, g, [x, y]) => [b.mul(g, y!), b.mul(g, x!)] },
  div: { note: '÷: a/b sends upstream/b to a and −upstream·a/b² to b', vjp: (b, q, g, [, y]) => [b.div(g, y!), b.neg(b.div(b.mul(g, q), y!))] },
  pow: { note: 'the power rule: (xᵖ)′ = p·xᵖ⁻¹', vjp: (b, y, g, [x, p]) => [
    b.mul(g, b.mul(p!, b.pow(x!, b.sub(p!, b.const(1))))),
    b.mul(g, b.mul(y, b.log(x!))),
  ] },
  // The two shares sum to 1, so the second is 1 − the first: one mask, built once.
  max: { note: 'max routes: the upstream goes to the larger input (a tie shares it)', vjp: (b, _, g, [x, y]) => split(b, g, winner(b, x!, y!)) },
  min: { note: 'min routes: the upstream goes to the smaller input (a tie shares it)', vjp: (b, _, g, [x, y]) => split(b, g, winner(b, y!, x!)) },
  lt: COMPARISON,
  le: COMPARISON,
  gt: COMPARISON,
  ge: COMPARISON,
  eq: COMPARISON,
  ne: COMPARISON,
  where: { note: 'where routes: the upstream goes to the branch that was taken', vjp: (b, _, g, [c]) => [null, b.where(c!, g, b.const(0)), b.where(c!, b.const(0), g)] },
};

function rule<O extends ElementwiseOp>(op: O): OpRule<O> {
  return {
    note: VJP[op].note,
    eval: (inputs, node, ctx) => {
      const [r, c] = node.shape;
      return evalElementwise(SCALAR[op], inputs, r.eval(ctx.dims), c.eval(ctx.dims));
    },
    vjp: (b, node, g, wants) => VJP[op].vjp(b, node, g, node.inputs).map((ct, i) => (wants[i] ? ct : null)),
  };
}

export const ELEMENTWISE_RULES: { [O in ElementwiseOp]: OpRule<O> } = Object.fromEntries(
  (Object.keys(VJP) as ElementwiseOp[]).map((op) => [op, rule(op)]),
) as { [O in ElementwiseOp]: OpRule<O> };
