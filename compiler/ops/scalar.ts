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

/** sign(±0) = 0; NaN stays NaN. */
export function sign(x: number): number {
  return x > 0 ? 1 : x < 0 ? -1 : x === 0 ? 0 : x;
}

/** The error function to a few ulps: its Taylor series below 2, 1 − erfc above. */
export function erf(x: number): number {
  if (Math.abs(x) >= 2) return Math.sign(x) * (1 - erfc(Math.abs(x)));
  const x2 = x * x;
  let term = x;
  let sum = x;
  for (let n = 1; n < 60; n++) {
    term *= -x2 / n;
    const add = term / (2 * n + 1);
    sum += add;
    if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}

/** 1 − erf(x) without cancellation for large x: the continued fraction e^(−x²)/√π · 1/(x + ½/(x + 1/(x + …))). */
export function erfc(x: number): number {
  if (x < 2) return 1 - erf(x);
  let t = x;
  for (let k = 120; k >= 1; k--) t = x + k / 2 / t;
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / t;
}

/** gelu(x) = x·Φ(x) = ½x(1 + erf(x/√2)) exactly; for x < 0 through erfc, which keeps its tail precise. */
export function gelu(x: number): number {
  return x < 0 ? 0.5 * x * erfc(-x * Math.SQRT1_2) : 0.5 * x * (1 + erf(x * Math.SQRT1_2));
}

const b = (v: boolean) => (v ? 1 : 0);

export const SCALAR: { [O in ElementwiseOp]: (...x: number[]) => number } = {
  neg: (a) => -a!,
  exp: Math.exp,
  log: Math.log,
  sqrt: Math.sqrt,
  abs: Math.abs,
  sign: (a) => sign(a!),
  sin: Math.sin,
  cos: Math.cos,
  tanh: Math.tanh,
  sigmoid: (a) => sigmoid(a!),
  relu: (a) => Math.max(a!, 0), // NaN stays NaN, so that it is reported where it appears
  softplus: (a) => softplus(a!),
  erf: (a) => erf(a!),
  gelu: (a) => gelu(a!),
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
