// Eval mode (spec §6): dropout is the identity, batchnorm uses the running
// statistics that training steps keep (momentum 0.1, unbiased variance).
import { describe, expect, it } from 'vitest';
import { live, maxDiff } from './util.js';

const X = [0.5, -1, 2, 0.25, 1.5, -0.5, 3, 1, -2, 0.75, 0.1, -1.25]; // [4, 3]
const W = [0.2, -0.4, 0.6, 0.1, -0.3, 0.5, 0.05, 0.9, 0.7, -0.8, 0.3, -0.2]; // [3, 4]

/** W X for W : [3, 4] and X : [4, N] (row-major). */
function matmul(w: number[], x: number[], n: number): number[] {
  const out = new Array<number>(3 * n).fill(0);
  for (let i = 0; i < 3; i++) for (let k = 0; k < 4; k++) for (let j = 0; j < n; j++) out[i * n + j]! += w[i * 4 + k]! * x[k * n + j]!;
  return out;
}

describe('dropout', () => {
  const src = `dim N\ninput X : [4, N]\nparam W : [3, 4] = [[0.2, -0.4, 0.6, 0.1], [-0.3, 0.5, 0.05, 0.9], [0.7, -0.8, 0.3, -0.2]]
H = dropout(W X, 0.5)\nloss J = sum(H)\noutput h = H\n`;

  it('drops and rescales in training mode, and is the identity in eval mode', async () => {
    const m = await live(src, { precision: 'f64', seed: 4 });
    const z = matmul(W, X, 3);
    const train = Array.from(m.forward({ X }).outputs.h as Float64Array);
    expect(train.every((v, k) => v === 0 || Math.abs(v - 2 * z[k]!) < 1e-12)).toBe(true);
    expect(train.some((v) => v === 0)).toBe(true);
    m.eval();
    const ev = m.forward({ X });
    expect(maxDiff(ev.outputs.h as Float64Array, z)).toBeLessThan(1e-12);
    expect(ev.loss).toBeCloseTo(z.reduce((a, b) => a + b, 0), 12);
    m.train();
    expect(Array.from(m.forward({ X }).outputs.h as Float64Array)).toEqual(train);
  });
});

describe('batchnorm', () => {
  // lr = 0 keeps γ and β fixed, so only the running statistics move.
  const src = `dim N\ninput X : [3, N]\nparam γ : [3] = [1.5, 0.5, 2]\nparam β : [3] = [0.1, -0.2, 0.3]
optimizer sgd(lr = 0)\nY = batchnorm(X, γ, β)\nloss J = sum(Y * Y * Y)\noutput y = Y\n`;
  const γ = [1.5, 0.5, 2];
  const β = [0.1, -0.2, 0.3];
  const batches = [
    [0.5, -1, 2, 0.25, 1.5, -0.5, 3, 1, -2, 0.75, 0.1, -1.25],
    [1, 2, 3, 4, -1, 0, 1, 2, 0.5, 0.5, 1.5, -0.5],
    [2, -2, 0.3, 0.7, 1.1, 1.2, -0.4, 0.6, 5, -5, 0, 1],
  ]; // each [3, 4]

  it('keeps running statistics with momentum 0.1 (unbiased variance) and uses them in eval mode', async () => {
    const m = await live(src, { precision: 'f64' });
    const mean = [0, 0, 0];
    const vari = [1, 1, 1];
    for (const b of batches) {
      // Training-mode output: each row normalized with its biased batch variance.
      const out = m.forward({ X: b }).outputs.y as Float64Array;
      for (let i = 0; i < 3; i++) {
        const row = b.slice(i * 4, i * 4 + 4);
        const mu = row.reduce((a, c) => a + c, 0) / 4;
        const ss = row.reduce((a, c) => a + (c - mu) ** 2, 0);
        row.forEach((x, j) => expect(out[i * 4 + j]).toBeCloseTo(γ[i]! * ((x - mu) / Math.sqrt(ss / 4 + 1e-5)) + β[i]!, 10));
        mean[i] = 0.9 * mean[i]! + 0.1 * mu;
        vari[i] = 0.9 * vari[i]! + 0.1 * (ss / 3);
      }
      m.step({ X: b });
    }
    const st = m.state();
    expect(maxDiff(st['@bn0_mean']!, mean)).toBeLessThan(1e-12);
    expect(maxDiff(st['@bn0_var']!, vari)).toBeLessThan(1e-12);
    // forward and grad do not move the running statistics; only step does.
    m.forward({ X: batches[0]! });
    m.grad({ X: batches[1]! });
    expect(maxDiff(m.state()['@bn0_mean']!, mean)).toBeLessThan(1e-12);

    m.eval();
    const x = [1, 2, -1, 0.5, 3, -3];
    const y = m.forward({ X: x }).outputs.y as Float64Array; // [3, 2]
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 2; j++) {
        expect(y[i * 2 + j]).toBeCloseTo(γ[i]! * ((x[i * 2 + j]! - mean[i]!) / Math.sqrt(vari[i]! + 1e-5)) + β[i]!, 10);
      }
    }
    // A step in eval mode leaves the running statistics alone.
    m.step({ X: x });
    expect(maxDiff(m.state()['@bn0_var']!, vari)).toBeLessThan(1e-12);
  });

  it('the running statistics travel with state() and load()', async () => {
    const a = await live(src, { precision: 'f64' });
    for (const b of batches) a.step({ X: b });
    const b = await live(src, { precision: 'f64' });
    b.load(a.state());
    a.eval();
    b.eval();
    expect(Array.from(b.forward({ X: batches[2]! }).outputs.y as Float64Array)).toEqual(Array.from(a.forward({ X: batches[2]! }).outputs.y as Float64Array));
  });
});
