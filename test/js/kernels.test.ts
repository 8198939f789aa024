// The JS target's fast kernels against the reference interpreter: register-
// blocked matrix products in every orientation (W x, Wᵀ δ, δ xᵀ, rows, dot
// products), with their fused epilogues (bias, ReLU, ReLU's mask, weight
// decay), at sizes that are not multiples of the blocking, N = 1, and batch
// sizes known only at run time. The module runs in float64, so the two must
// agree to rounding.
import { describe, expect, it } from 'vitest';
import { interpret } from '../../compiler/interpret.js';
import { tensor, type Tensor } from '../../compiler/ir/tensor.js';
import type { Model } from '../../compiler/model.js';
import { uniform } from '../../compiler/random.js';
import { instantiate } from '../../runtime/instantiate.js';
import { emitJsModule } from '../../targets/js/module.js';
import { compileOk } from '../helpers/run.js';

/** Gradients (and loss) of the f64 module and of the interpreter, at seeded random values. */
async function compare(model: Model, dims: Record<string, number>, seed = 1) {
  const m = await instantiate(model, { precision: 'f64', seed });
  const leaves: Record<string, Tensor> = {};
  const inputs: Record<string, Float64Array | Int32Array> = {};
  let stream = 100;
  for (const p of model.params) {
    const v = m.params[p.name]!;
    for (let k = 0; k < v.length; k++) v[k] = 2 * uniform(seed, stream, k) - 1;
    stream++;
    leaves[p.name] = tensor(p.shape[0].eval(dims), p.shape[1].eval(dims), Float64Array.from(v));
  }
  for (const i of model.inputs) {
    const [r, c] = [i.shape[0].eval(dims), i.shape[1].eval(dims)];
    const bound = i.bound?.eval(dims) ?? 2;
    const v = i.int
      ? Int32Array.from({ length: r * c }, (_, k) => Math.floor(bound * uniform(seed, stream, k)))
      : Float64Array.from({ length: r * c }, (_, k) => 2 * uniform(seed, stream, k) - 1);
    stream++;
    inputs[i.name] = v;
    leaves[i.name] = tensor(r, c, Float64Array.from(v));
  }
  const r = m.grad(inputs);
  const g = model.train;
  const ref = interpret([g.loss, ...g.grads.values()], { values: leaves, dims });
  return { r, ref: { loss: ref.get(g.loss.id)!.data[0]!, grad: new Map([...g.grads].map(([k, n]) => [k, Array.from(ref.get(n.id)!.data)])) } };
}

function expectClose(got: number | ArrayLike<number>, want: number[], what: string) {
  const a = typeof got === 'number' ? [got] : Array.from(got);
  expect(a.length, what).toBe(want.length);
  const scale = Math.max(1, ...want.map(Math.abs));
  const worst = Math.max(0, ...a.map((x, i) => Math.abs(x - want[i]!)));
  expect(worst / scale, what).toBeLessThan(1e-10);
}

async function agree(source: string, dims: Record<string, number>, fixed: Record<string, number> = {}) {
  const model = compileOk(source, fixed);
  const { r, ref } = await compare(model, { ...fixed, ...dims });
  expectClose(r.loss, [ref.loss], 'loss');
  for (const [name, want] of ref.grad) expectClose(r.grad[name]!, want, `∂/∂${name}`);
}

const mlp = (d: number, h: number, C: number) => `
dim d = ${d}, h = ${h}, C = ${C}
dim N
input X : [d, N]
input y : [N] int
param W1 : [h, d]
param b1 : [h]
param W2 : [C, h]
param b2 : [C]
wrt X
H = relu(W1 X + b1)
F = W2 H + b2
loss J = mean(softmax_cross_entropy(F, y)) + 0.001 * (sum(W1^2) + sum(W2^2))
`;

describe('register-blocked products agree with the interpreter', () => {
  // W X (+ b, relu), W2ᵀ δ (⊙ mask), δ Xᵀ (+ decay): every edge of a 4 × 3 blocking, N read at run time.
  for (const [d, h, C] of [[7, 5, 3], [1, 1, 1], [9, 8, 6], [13, 11, 2], [4, 12, 4]] as const) {
    it(`mlp d=${d} h=${h} C=${C}, N = 1, 2, 3, 4, 5, 7, 13 at run time`, async () => {
      for (const N of [1, 2, 3, 4, 5, 7, 13]) await agree(mlp(d, h, C), { N });
    });
  }

  it('the same mlp with N fixed when compiled (blocks and remainders unrolled)', async () => {
    for (const N of [1, 5, 6, 7]) await agree(mlp(10, 7, 5), {}, { N });
  });

  // Matrix–vector (8 rows at a time), the outer product δ xᵀ (k = 1), Wᵀ δ into a vector, a dot product.
  for (const [n, D] of [[1, 1], [3, 5], [8, 250], [9, 17], [17, 3]] as const) {
    it(`window n=${n} D=${D}`, async () => {
      await agree(`
dim n = ${n}, D = ${D}
input x : [D]
param W : [n, D]
param b : [n]
param u : [n]
wrt x
s = uᵀ relu(W x + b)
loss s
`, {});
    });
  }

  it('products of two params in every orientation: A B, δ Bᵀ, Aᵀ δ (and reductions over all elements in four partial results)', async () => {
    for (const [p, q, r] of [[5, 7, 6], [4, 3, 8], [1, 9, 2], [13, 1, 5]]) {
      await agree(`
param A : [${p}, ${q}]
param B : [${q}, ${r}]
loss L = sum(sigmoid(A B)) + max(A B)
`, {});
    }
  });

  it('a row times a matrix, and dot products shorter and longer than the unrolling', async () => {
    for (const [m, n] of [[1, 1], [3, 10], [9, 4], [20, 17]]) {
      await agree(`
param v : [${m}]
param A : [${m}, ${n}]
param w : [${n}]
loss L = ||vᵀ A||^2 + sigmoid(wᵀ w)
`, {});
    }
  });
});

describe('fusion', () => {
  it('ReLU(W X + b) is one loop: the product and the pre-activation are never stored', () => {
    const js = emitJsModule(compileOk(mlp(7, 5, 3)));
    const grad = js.slice(js.indexOf('function grad_train_run'));
    // Every matrix product is either the only writer of a gradient or fused: no `t<id>` buffer holds W1 X.
    expect(grad).toMatch(/H\[po0\] = Math\.max\(\(acc00 \+ b1\[i\]\), 0\);/);
    expect(grad).not.toMatch(/\/\/ t\d+ = W1 X\n(\s*\/\/.*\n)*\s*for/);
  });
});
