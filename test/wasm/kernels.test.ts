// The wasm target's kernels against the reference interpreter (float64) at
// sizes that are not multiples of the blocking (4 rows × 8 columns of f32x4,
// vector loops with scalar tails): products in every orientation (W X, Wᵀ δ,
// δ Xᵀ packed, rows, dot products) with their fused epilogues, N = 1 and
// batch sizes read at run time, reductions and softmax along both axes.
import { describe, expect, it } from 'vitest';
import { compileOk, jsVsReference } from '../helpers/run.js';
import { worst } from '../wgsl/util.js';
import { emitWasm } from '../../targets/wasm/index.js';

async function agree(source: string, dims: Record<string, number> = {}, fixed: Record<string, number> = {}) {
  const model = compileOk(source, fixed);
  const { js: wasm, ref } = await jsVsReference(model, 1, 'f32', 'wasm', dims);
  const w = worst(wasm, ref, 1e-4, 1e-5);
  expect(w.ratio, `worst at ${w.at} (${JSON.stringify(dims)})`).toBeLessThanOrEqual(1);
}

const mlp = (d: number, h: number, C: number) => `
dim d = ${d}, h = ${h}, C = ${C}
dim N
input X : [d, N]
input y : [N] int
param W1 : [h, d] ~ xavier
param b1 : [h] ~ normal(0.1)
param W2 : [C, h] ~ xavier
param b2 : [C] ~ normal(0.1)
wrt X
H = relu(W1 X + b1)
F = W2 H + b2
loss J = mean(softmax_cross_entropy(F, y)) + 0.001 * (sum(W1^2) + sum(W2^2))
`;

describe('wasm kernels agree with the interpreter', () => {
  for (const [d, h, C] of [[7, 5, 3], [1, 1, 1], [9, 8, 6], [13, 11, 2], [4, 12, 4], [33, 17, 10]] as const) {
    it(`mlp d=${d} h=${h} C=${C}, N = 1 … 13 at run time`, async () => {
      for (const N of [1, 2, 3, 4, 5, 7, 8, 9, 13]) await agree(mlp(d, h, C), { N });
    });
  }
  it('the same mlp with N fixed when compiled', async () => {
    for (const N of [1, 5, 8, 17]) await agree(mlp(10, 7, 5), {}, { N });
  });
  for (const [n, D] of [[1, 1], [3, 5], [8, 250], [9, 17], [17, 3]] as const) {
    it(`window n=${n} D=${D}`, async () => {
      await agree(`dim n = ${n}, D = ${D}\ninput x : [D]\nparam W : [n, D]\nparam b : [n]\nparam u : [n]\nwrt x\ns = uᵀ relu(W x + b)\nloss s\n`);
    });
  }
  it('products of two params in every orientation, and reductions over all elements', async () => {
    for (const [p, q, r] of [[5, 7, 6], [4, 3, 8], [1, 9, 2], [13, 1, 5], [9, 12, 19]]) {
      await agree(`param A : [${p}, ${q}] ~ normal(0.5)\nparam B : [${q}, ${r}] ~ normal(0.5)\nloss L = sum(sigmoid(A B)) + max(A B) + sum(tanh(Aᵀ) ⊙ tanh(Aᵀ))\n`);
    }
  });
  it('rows times matrices, dot products, softmax and reductions along both axes', async () => {
    for (const [m, n] of [[1, 1], [3, 10], [9, 4], [20, 17]]) {
      await agree(`param v : [${m}]\nparam A : [${m}, ${n}] ~ normal(1)\nparam w : [${n}]\nloss L = ||vᵀ A||^2 + sigmoid(wᵀ w) + sum(logsumexp(A, axis = 0)) + sum(logsumexp(A, axis = 1)) + sum(max(A, axis = 0)) + sum(sum(A, axis = 1)^2)\n`);
    }
  });
});

describe('the WebAssembly text', () => {
  it('has the math comments and the .nn trace, f32x4 products and a fused epilogue', () => {
    const { wat } = emitWasm(compileOk(mlp(7, 5, 3)), { source: 'mlp.nn' });
    expect(wat).toMatch(/;; t\d+ = W1 X\n\s*;; H = relu\(t\d+ \+ b1\)/);
    expect(wat).toMatch(/← mlp\.nn:\d+, /);
    expect(wat).toMatch(/v128\.load32_splat/);
    // relu(acc + b1[i]) stored straight from the accumulator: the pre-activation gets no buffer.
    expect(wat).toMatch(/\(v128\.store[^\n]*\(f32x4\.max \(f32x4\.add \(local\.get \$acc00\) \(f32x4\.splat/);
  });
});
