// How the WGSL target spells elementwise ops, numbers and array reads. Values
// are f32; indices and sizes are u32; integer inputs live in an i32 array.
import type { Size } from '../../compiler/ir/size.js';
import type { Spelling } from '../expr.js';

const fn = (f: string) => ([a]: string[]) => `${f}(${a})`;
const bin = (op: string) => ([a, b]: string[]) => `(${a} ${op} ${b})`;
const cmp = (op: string) => ([a, b]: string[]) => `select(0.0, 1.0, ${a} ${op} ${b})`;

/** The buffer that holds integer inputs; reads of it are converted. */
export const INT_BUFFER = 'ints';

/** An f32 literal. WGSL has no infinity or NaN literal (a constant that overflows is an error), so those call helpers. */
export function wgslNum(v: number): string {
  if (Number.isNaN(v)) return 'nan()';
  if (!Number.isFinite(v)) return v > 0 ? 'inf()' : '-inf()';
  if (Object.is(v, -0) || v === 0) return '0.0';
  if (Math.abs(v) > 3.4028234663852886e38) return v > 0 ? 'inf()' : '-inf()';
  const s = String(v);
  return /[.e]/.test(s) ? s : `${s}.0`;
}

/** `size` spells a size as a u32 expression (run-time dims are fields of the uniform). */
export function wgslSpelling(size: (s: Size) => string): Spelling {
  return {
    op: {
      // `- -x` would lex as a decrement: parenthesize a negative operand.
      neg: ([a]) => (a!.startsWith('-') ? `-(${a})` : `-${a}`),
      exp: fn('exp'), log: fn('log'), sqrt: fn('sqrt'), abs: fn('abs'), sign: fn('sign'),
      sin: fn('sin'), cos: fn('cos'), tanh: fn('safe_tanh'), sigmoid: fn('sigmoid'), softplus: fn('softplus'),
      erf: fn('erf'), gelu: fn('gelu'),
      relu: ([a]) => `max(${a}, 0.0)`,
      add: bin('+'), sub: bin('-'), mul: bin('*'), div: bin('/'),
      pow: ([a, b]) => (b === '2.0' ? `square(${a})` : `power(${a}, ${b})`),
      max: ([a, b]) => `max(${a}, ${b})`,
      min: ([a, b]) => `min(${a}, ${b})`,
      lt: cmp('<'), le: cmp('<='), gt: cmp('>'), ge: cmp('>='), eq: cmp('=='), ne: cmp('!='),
      where: ([c, a, b]) => `select(${b}, ${a}, ${c} != 0.0)`,
    },
    num: wgslNum,
    size,
    sizeValue: (s) => (s.constant !== undefined ? wgslNum(s.constant) : `f32(${size(s)})`),
    load: (name, index) => (name === INT_BUFFER ? `f32(${name}[${index}])` : `${name}[${index}]`),
    loadInt: (name, index) => `u32(${name}[${index}])`,
    select: (c, a, b) => `select(${b}, ${a}, ${c} != 0.0)`,
    isEqual: (a, b) => `select(0.0, 1.0, ${a} == ${b})`,
  };
}

/**
 * Functions every kernel may call: the same formulas as compiler/ops/scalar.ts
 * and the CPU module, and the counter-based random numbers of compiler/random.ts
 * in u32 arithmetic (wrapping multiplication is Math.imul), so that dropout
 * masks on the GPU equal those on the CPU bit for bit.
 */
export const WGSL_HELPERS = `\
// Infinity and NaN from bits at run time: a constant expression may not overflow.
fn inf() -> f32 {
  var bits = 0x7f800000u;
  return bitcast<f32>(bits);
}
fn nan() -> f32 {
  var bits = 0x7fc00000u;
  return bitcast<f32>(bits);
}
// σ(x) without overflow: exp of a non-positive number only.
fn sigmoid(x: f32) -> f32 {
  let e = exp(-abs(x));
  return select(e / (1.0 + e), 1.0 / (1.0 + e), x >= 0.0);
}
// log(1 + eˣ) = max(x, 0) + log1p(e^(−|x|)); log1p(u) as log(1 + u) · u / ((1 + u) − 1) keeps small u exact.
fn softplus(x: f32) -> f32 {
  let u = exp(-abs(x));
  let w = 1.0 + u;
  let log1p = select(log(w) * u / (w - 1.0), u, w == 1.0);
  return max(x, 0.0) + log1p;
}
// tanh saturates in f32 long before |x| = 15; clamping keeps exp() inside some implementations from overflowing.
fn safe_tanh(x: f32) -> f32 {
  return tanh(clamp(x, -15.0, 15.0));
}
// erfc(x) to a relative 1.2e-7 (Numerical Recipes' erfcc, a Chebyshev fit): f32 needs no more.
fn erfc(x: f32) -> f32 {
  let z = abs(x);
  let t = 1.0 / (1.0 + 0.5 * z);
  let p = -1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  let r = t * exp(-z * z + p);
  return select(2.0 - r, r, x >= 0.0);
}
fn erf(x: f32) -> f32 {
  return 1.0 - erfc(x);
}
// gelu(x) = x·Φ(x) = ½x·erfc(−x/√2): the erfc form keeps the negative tail precise.
fn gelu(x: f32) -> f32 {
  return 0.5 * x * erfc(-x * 0.70710678118654752);
}
fn square(x: f32) -> f32 {
  return x * x;
}
// aᵇ as Math.pow: WGSL's pow() is undefined for a < 0, so odd and even integer powers are signed here.
fn power(a: f32, b: f32) -> f32 {
  if (b == 0.0) {
    return 1.0;
  }
  if (a >= 0.0) {
    return pow(a, b);
  }
  if (b != floor(b)) {
    return nan();
  }
  let r = pow(-a, b);
  return select(r, -r, fract(b * 0.5) != 0.0);
}
// A 32-bit mix of three integers (lowbias32 rounds), as hash3 in compiler/random.ts.
fn hash3(a: u32, b: u32, c: u32) -> u32 {
  var h = (a * 0x9e3779b1u) ^ (b * 0x85ebca77u) ^ (c * 0xc2b2ae3du);
  h ^= h >> 16u;
  h *= 0x7feb352du;
  h ^= h >> 15u;
  h *= 0x846ca68bu;
  h ^= h >> 16u;
  h += a;
  h ^= h >> 16u;
  h *= 0x7feb352du;
  h ^= h >> 15u;
  return h;
}
// Inverted dropout: element k of the mask is 0 when its 24-bit uniform draw is below
// \`below\` (= ceil(p · 2²⁴), an exact integer comparison), else \`keep\` = 1 / (1 − p).
fn dropout(stream: u32, k: u32, below: u32, keep: f32) -> f32 {
  return select(keep, 0.0, (hash3(run.seed, stream, k) >> 8u) < below);
}`;
