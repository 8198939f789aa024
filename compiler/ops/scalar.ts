// The scalar meaning of every elementwise op: the one definition the reference
// interpreter and constant folding use. Emitted code spells the same formulas
// in its own language (targets/*), and tests compare the two.
import type { ElementwiseOp } from '../ir/node.js';

/** σ(x) without overflow: exp of a non-positive number only. */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** log(1 + eˣ) without overflow: max(x, 0) + log1p(e^(−|x|)). */
export function softplus(x: number): number {
  return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
}

const b = (v: boolean) => (v ? 1 : 0);

export const SCALAR: { [O in ElementwiseOp]: (...x: number[]) => number } = {
  neg: (a) => -a!,
  exp: Math.exp,
  log: Math.log,
  sqrt: Math.sqrt,
  abs: Math.abs,
  sign: (a) => (a! > 0 ? 1 : a! < 0 ? -1 : a === 0 ? 0 : a!), // sign(±0) = 0; NaN stays NaN
  sin: Math.sin,
  cos: Math.cos,
  tanh: Math.tanh,
  sigmoid: (a) => sigmoid(a!),
  relu: (a) => Math.max(a!, 0), // NaN stays NaN, so that it is reported where it appears
  softplus: (a) => softplus(a!),
  add: (a, c) => a! + c!,
  sub: (a, c) => a! - c!,
  mul: (a, c) => a! * c!,
  div: (a, c) => a! / c!,
  pow: (a, c) => Math.pow(a!, c!),
  max: (a, c) => Math.max(a!, c!),
  min: (a, c) => Math.min(a!, c!),
  lt: (a, c) => b(a! < c!),
  le: (a, c) => b(a! <= c!),
  gt: (a, c) => b(a! > c!),
  ge: (a, c) => b(a! >= c!),
  eq: (a, c) => b(a! === c!),
  ne: (a, c) => b(a! !== c!),
  where: (c, x, y) => (c !== 0 ? x! : y!),
};
