// The elementary functions inside the wasm module against float64 (Math), over
// the whole float32 range: error in float32 ulps of the exact value, and the
// edges the language requires to be stable (overflow to ∞, underflow to 0,
// saturation of σ and tanh, softplus at ±1e4, NaN in, NaN out).
import { describe, expect, it } from 'vitest';
import { compile } from '../wgsl/util.js';
import { assemble } from '../../targets/wasm/assemble.js';
import { emitWasm } from '../../targets/wasm/index.js';

// The global is in the DOM library, which this project does not load.
declare const WebAssembly: { Instance: new (m: unknown, i: object) => { exports: unknown }; Module: new (b: Uint8Array) => unknown };

const { wat } = emitWasm(compile('param x\nloss x\n'), { exportMath: true });
const ex = new WebAssembly.Instance(new WebAssembly.Module(assemble(wat)), {}).exports as Record<string, (a: number, b?: number) => number>;

/** Distance in float32 ulps between a float32 result and the exact (float64) value. */
function ulps(got: number, exact: number): number {
  if (Number.isNaN(exact)) return Number.isNaN(got) ? 0 : Infinity;
  if (got === exact) return 0;
  if (!Number.isFinite(exact) || !Number.isFinite(got)) return Math.fround(exact) === got ? 0 : Infinity;
  const e = Math.fround(exact);
  const a = Math.abs(e) || 1e-45;
  const ulp = Math.max(2 ** (Math.floor(Math.log2(a)) - 23), 2 ** -149);
  return Math.abs(got - exact) / ulp;
}

/** Float32 values spread over the whole range by their bit patterns, both signs. */
function samples(n: number): number[] {
  const out: number[] = [];
  const buf = new Float32Array(1);
  const bits = new Uint32Array(buf.buffer);
  for (let k = 0; k < n; k++) {
    bits[0] = Math.floor((k / n) * 0x7f800000);
    out.push(buf[0]!, -buf[0]!);
  }
  return out;
}

const sigmoid = (x: number) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));
const softplus = (x: number) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
const FUNCS: [string, (x: number) => number, number, number?][] = [
  // name, exact, max ulps, |x| bound for the test (sin and cos: range reduction in float64)
  ['exp', Math.exp, 1],
  ['log', Math.log, 1],
  ['tanh', Math.tanh, 1],
  ['sigmoid', sigmoid, 1],
  ['softplus', softplus, 1],
  ['sin', Math.sin, 1, 1e5],
  ['cos', Math.cos, 1, 1e5],
];

describe('wasm math against float64', () => {
  const xs = samples(20000).concat([0, -0, 88.72, 88.73, -87.3, -103.9, -104, 1e-30, 20, 9.01, -9.01, 1e4, -1e4, 3.4e38, -3.4e38]).map(Math.fround);
  for (const [name, exact, limit, bound] of FUNCS) {
    it(`${name}: within ${limit} ulp over the float32 range`, () => {
      let worst = 0;
      let at = 0;
      let n = 0;
      for (const x of xs) {
        if (bound !== undefined && Math.abs(x) > bound) continue;
        const e = exact(x);
        const u = ulps(ex[`math_${name}`]!(x), e);
        n++;
        if (u > worst) (worst = u), (at = x);
      }
      expect(n).toBeGreaterThan(10000);
      expect(worst, `${name}(${at}) = ${ex[`math_${name}`]!(at)}, exact ${exact(at)}`).toBeLessThanOrEqual(limit);
    });
  }
  // The f32x4 float32 polynomials (used four elements at a time): a few ulps.
  for (const [name, exact] of FUNCS.filter(([n]) => ['exp', 'tanh', 'sigmoid'].includes(n))) {
    it(`${name} (f32x4): within 3 ulp over the float32 range, stable at the edges`, () => {
      const f = ex[`math_${name}4`]!;
      let worst = 0;
      let at = 0;
      for (const x of xs) {
        const u = ulps(f(x), exact(x));
        if (u > worst) (worst = u), (at = x);
      }
      expect(worst, `${name}4(${at}) = ${f(at)}, exact ${exact(at)}`).toBeLessThanOrEqual(3);
      expect(f(NaN)).toBeNaN();
      for (const x of [Infinity, -Infinity, 1e4, -1e4, 88.72, -103.9]) expect(ulps(f(Math.fround(x)), exact(Math.fround(x))), `${name}4(${x})`).toBeLessThanOrEqual(3);
    });
  }
  it('is stable at the edges', () => {
    expect(ex.math_exp!(89)).toBe(Infinity);
    expect(ex.math_exp!(-200)).toBe(0);
    expect(ex.math_exp!(-Infinity)).toBe(0);
    expect(ex.math_log!(0)).toBe(-Infinity);
    expect(ex.math_log!(-1)).toBeNaN();
    expect(ex.math_log!(Infinity)).toBe(Infinity);
    expect(ex.math_sigmoid!(1e4)).toBe(1);
    expect(ex.math_sigmoid!(-1e4)).toBe(0);
    expect(ex.math_tanh!(1e4)).toBe(1);
    expect(ex.math_tanh!(-1e4)).toBe(-1);
    expect(ex.math_softplus!(1e4)).toBe(1e4);
    expect(ex.math_softplus!(-1e4)).toBe(0);
    for (const f of ['exp', 'log', 'tanh', 'sigmoid', 'softplus', 'sin', 'cos', 'sign']) expect(ex[`math_${f}`]!(NaN), f).toBeNaN();
  });
  it('pow follows Math.pow on signs, zeros and integers', () => {
    const cases = [[2, 10], [-2, 3], [-2, 2], [-2, 0.5], [0, 2], [0, -1], [1.5, -2.5], [10, 38], [7, 0], [Infinity, 2], [2, -Infinity]];
    for (const [a, b] of cases) expect(ulps(ex.math_pow!(a!, b!), Math.pow(a!, b!)), `pow(${a}, ${b})`).toBeLessThanOrEqual(1);
  });
});
