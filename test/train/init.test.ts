// Initializers of spec §2: statistics against the formulas (fan-in and fan-out
// of W : [out, in] are in and out), within sampling error, and reproducibility.
import { describe, expect, it } from 'vitest';
import type { GeneratedModel } from '../../runtime/module-types.js';
import { live } from './util.js';

const SRC = `
param A : [300, 200] ~ xavier
param B : [300, 200] ~ xavier_normal
param C : [300, 200] ~ he
param D : [50, 1000] ~ he
param E : [2000] ~ xavier
param F : [200, 300] ~ normal(0.1)
param G : [200, 300] ~ uniform(0.5)
param H : [200, 300] ~ small
param I : [3, 4] ~ ones
param K : [5] ~ const(-2.5)
param L : [3, 3] ~ zeros
param Z : [7]
param Y : [400, 100]
param s ~ normal(2)
loss J = sum(A) + sum(B) + sum(C) + sum(D) + sum(E) + sum(F) + sum(G) + sum(H) + sum(I) + sum(K) + sum(L) + sum(Z) + sum(Y) + s
`;

interface Moments {
  n: number;
  mean: number;
  variance: number;
  kurtosis: number;
  lag1: number;
  max: number;
}

function moments(x: ArrayLike<number>): Moments {
  const n = x.length;
  let s = 0;
  for (let k = 0; k < n; k++) s += x[k]!;
  const mean = s / n;
  let m2 = 0;
  let m4 = 0;
  let lag = 0;
  let max = 0;
  for (let k = 0; k < n; k++) {
    const d = x[k]! - mean;
    m2 += d * d;
    m4 += d ** 4;
    if (k > 0) lag += d * (x[k - 1]! - mean);
    max = Math.max(max, Math.abs(x[k]!));
  }
  const variance = m2 / n;
  return { n, mean, variance, kurtosis: m4 / n / variance ** 2, lag1: lag / m2, max };
}

/**
 * Checks a sample against a centred distribution of variance σ² and kurtosis κ
 * (3 normal, 1.8 uniform), allowing 5 standard errors for each statistic.
 */
function expectDistribution(name: string, x: ArrayLike<number>, σ2: number, κ: number): void {
  const m = moments(x);
  const z = 5;
  expect(Math.abs(m.mean), `${name} mean`).toBeLessThan(z * Math.sqrt(σ2 / m.n));
  // Var(s²) = σ⁴ (κ − 1) / n.
  expect(Math.abs(m.variance - σ2), `${name} variance ${m.variance} vs ${σ2}`).toBeLessThan(z * σ2 * Math.sqrt((κ - 1) / m.n));
  // The sample kurtosis is rough; its standard error is about √(24/n) for a normal.
  expect(Math.abs(m.kurtosis - κ), `${name} kurtosis ${m.kurtosis} vs ${κ}`).toBeLessThan(z * Math.sqrt(24 / m.n));
  expect(Math.abs(m.lag1), `${name} neighbours correlated`).toBeLessThan(z / Math.sqrt(m.n));
}

let cached: GeneratedModel | undefined;
const make = async () => (cached ??= await live(SRC, { precision: 'f64', seed: 0 }));

describe('initializers: statistics match the formulas', () => {
  it('xavier: U(−r, r) with Var = 2/(fan_in + fan_out), |x| ≤ r', async () => {
    const p = (await make()).params;
    expectDistribution('A', p.A!, 2 / (200 + 300), 1.8);
    expect(moments(p.A!).max).toBeLessThanOrEqual(Math.sqrt(6 / 500));
    // A rank-1 tensor: fan-in = fan-out = its length.
    expectDistribution('E', p.E!, 2 / (2000 + 2000), 1.8);
    // The default for rank 2 is xavier.
    expectDistribution('Y', p.Y!, 2 / (100 + 400), 1.8);
  });

  it('xavier_normal: N(0, 2/(fan_in + fan_out))', async () => {
    expectDistribution('B', (await make()).params.B!, 2 / 500, 3);
  });

  it('he: N(0, 2/fan_in), fan_in being the second size of W : [out, in]', async () => {
    const p = (await make()).params;
    expectDistribution('C', p.C!, 2 / 200, 3);
    expectDistribution('D', p.D!, 2 / 1000, 3);
  });

  it('normal(std), uniform(r), small', async () => {
    const p = (await make()).params;
    expectDistribution('F', p.F!, 0.1 ** 2, 3);
    expectDistribution('G', p.G!, 0.5 ** 2 / 3, 1.8);
    expect(moments(p.G!).max).toBeLessThanOrEqual(0.5);
    expectDistribution('H', p.H!, 0.01 ** 2, 3);
  });

  it('zeros, ones, const(c), and zeros by default for rank ≤ 1', async () => {
    const p = (await make()).params;
    expect(Array.from(p.I!)).toEqual(new Array(12).fill(1));
    expect(Array.from(p.K!)).toEqual(new Array(5).fill(-2.5));
    expect(Array.from(p.L!)).toEqual(new Array(9).fill(0));
    expect(Array.from(p.Z!)).toEqual(new Array(7).fill(0));
    expect(p.s![0]).not.toBe(0);
  });

  it('params do not share random numbers: A and C (same shape) are uncorrelated', async () => {
    const p = (await make()).params;
    const a = p.A!;
    const c = p.C!;
    let sac = 0;
    let saa = 0;
    let scc = 0;
    for (let k = 0; k < a.length; k++) {
      sac += a[k]! * c[k]!;
      saa += a[k]! ** 2;
      scc += c[k]! ** 2;
    }
    expect(Math.abs(sac / Math.sqrt(saa * scc))).toBeLessThan(5 / Math.sqrt(a.length));
  });
});

describe('initializers: seeded and reproducible', () => {
  it('the same seed gives the same params, run after run; another seed others', async () => {
    const a = await live(SRC, { precision: 'f64', seed: 7 });
    const b = await live(SRC, { precision: 'f64', seed: 7 });
    const c = await live(SRC, { precision: 'f64', seed: 8 });
    for (const k of Object.keys(a.params)) expect(Array.from(b.params[k]!), k).toEqual(Array.from(a.params[k]!));
    expect(Array.from(c.params.A!.subarray(0, 10))).not.toEqual(Array.from(a.params.A!.subarray(0, 10)));
    expect(Array.from(c.params.s!)).not.toEqual(Array.from(a.params.s!));
  });

  it('float32 modules hold the float64 values rounded: the same numbers in either precision', async () => {
    const a = await live(SRC, { precision: 'f64', seed: 3 });
    const b = await live(SRC, { precision: 'f32', seed: 3 });
    for (const k of Object.keys(a.params)) expect(Array.from(b.params[k]!), k).toEqual(Array.from(a.params[k]!, Math.fround));
  });

  it('does not depend on the batch size or on create() dims', async () => {
    const src = 'dim N\ninput X : [4, N]\nparam W : [3, 4] ~ he\nloss J = sum(W X)\n';
    const a = await live(src, { seed: 1 });
    const b = await live(src, { seed: 1, dims: { N: 9 } });
    expect(Array.from(b.params.W!)).toEqual(Array.from(a.params.W!));
  });
});
