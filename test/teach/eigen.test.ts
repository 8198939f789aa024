// The Hessian views' numerics: the symmetric eigensolver against mathjs's eigs
// and known spectra; the Hessian built from the generated module's hvp against
// the reference interpreter's; Lanczos's extremes against the full spectrum;
// and a degenerate point described without contradicting itself.
import { eigs } from 'mathjs';
import { describe, expect, it } from 'vitest';
import { hessianCommand } from '../../bin/commands/hessian.js';
import { lanczos, symmetricEigenvalues, tridiagonalEigenvalues } from '../../compiler/teach/eigen.js';
import { hessian, paramCount } from '../../compiler/teach/hessian.js';
import { fullHessian, hessianOperator } from '../../runtime/hessian.js';
import { normal } from '../../compiler/random.js';
import { compileSmall, examples, stdout, values } from './util.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const randomSymmetric = (n: number, seed: number) => {
  const a = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) a[i]![j] = a[j]![i] = normal(seed, 7, i * n + j);
  return a;
};

describe('symmetric eigenvalues', () => {
  it('agree with mathjs eigs on random matrices', () => {
    for (const n of [1, 2, 7, 30]) {
      const a = randomSymmetric(n, n);
      const want = (eigs(a).values as unknown as number[]).map(Number).sort((x, y) => x - y);
      const got = symmetricEigenvalues(a);
      expect(got.length).toBe(n);
      got.forEach((g, k) => expect(Math.abs(g - want[k]!)).toBeLessThan(1e-10));
    }
  });

  it('known spectra: diagonal, repeated, the second-difference matrix', () => {
    expect(symmetricEigenvalues([[3, 0, 0], [0, -1, 0], [0, 0, 2]])).toEqual([-1, 2, 3]);
    expect(symmetricEigenvalues([[2, 1], [1, 2]]).map((x) => +x.toFixed(12))).toEqual([1, 3]);
    const n = 50; // tridiag(−1, 2, −1): 2 − 2cos(kπ/(n+1))
    const got = tridiagonalEigenvalues(new Array(n).fill(2), [0, ...new Array(n - 1).fill(-1)]);
    got.forEach((g, k) => expect(Math.abs(g - (2 - 2 * Math.cos(((k + 1) * Math.PI) / (n + 1))))).toBeLessThan(1e-12));
  });

  it('Lanczos finds the extreme eigenvalues from products alone', async () => {
    const a = randomSymmetric(120, 3);
    const full = symmetricEigenvalues(a);
    const r = await lanczos(120, (x) => Float64Array.from(a, (row) => row.reduce((s, v, j) => s + v * x[j]!, 0)), 70, (k) => normal(1, 2, k));
    for (let k = 0; k < 3; k++) {
      expect(Math.abs(r.values[k]! - full[k]!)).toBeLessThan(1e-6);
      expect(Math.abs(r.values[r.values.length - 1 - k]! - full[full.length - 1 - k]!)).toBeLessThan(1e-6);
    }
  });
});

describe('the Hessian from the generated module', () => {
  it.each(examples.map((f) => [f.split('/').pop()!, f] as const))('%s: equals the interpreter\'s', async (_, file) => {
    const { model } = compileSmall(file);
    const v = await values(model);
    if (paramCount(model, v.dims) > 150) return;
    const ref = hessian(model, v);
    const op = await hessianOperator(model, { ...v, mode: 'train' });
    const h = fullHessian(op);
    const scale = Math.max(1, ...ref.hessian.flat().map(Math.abs));
    h.hessian.forEach((row, i) => row.forEach((x, j) => expect(Math.abs(x - ref.hessian[i]![j]!), `H[${i},${j}]`).toBeLessThanOrEqual(1e-9 * scale)));
    expect(op.loss).toBeCloseTo(ref.loss, 10);
  });

  it('--top K gives the extremes of the full spectrum', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gradc-top-'));
    const file = join(dir, 'm.nn');
    writeFileSync(file, 'dim d = 6, h = 5, C = 3, N = 8\ninput X : [d, N]\ninput y : [N] int\nparam W1 : [h, d] ~ he\nparam W2 : [C, h] ~ xavier\nloss J = mean(softmax_cross_entropy(W2 tanh(W1 X), y))\n');
    const full = JSON.parse(await stdout(() => hessianCommand(file, { json: true })));
    const top = JSON.parse(await stdout(() => hessianCommand(file, { json: true, top: '2' })));
    expect(top.lanczos_steps).toBe(45); // every one of the 45 params: exact
    full.eigenvalues.slice(0, 2).forEach((x: number, k: number) => expect(top.smallest[k]).toBeCloseTo(x, 8));
    full.eigenvalues.slice(-2).forEach((x: number, k: number) => expect(top.largest[k]).toBeCloseTo(x, 8));
    expect(top.critical).toBe(full.critical);
  });

  it('a degenerate point is not called a minimum and undecided at once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gradc-deg-'));
    const file = join(dir, 'm.nn');
    writeFileSync(file, 'param w1 = 0, w2 = 0\nloss f = w1^2 + w2^4\n');
    const text = await stdout(() => hessianCommand(file, {}));
    expect(text).toContain('the point is a degenerate critical point: the eigenvalues are positive or zero with some zero, so the second-order test cannot decide');
    expect(text).not.toMatch(/is a minimum/u);
  });
});
