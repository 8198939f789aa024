// The built-in functions of §6: values against formulas written here, gradients
// by finite differences, and the derivatives the spec fixes at kinks.
import { describe, expect, it } from 'vitest';
import { instantiate } from '../runtime/instantiate.js';
import { compileOk, fdCheck } from './helpers/run.js';

const sp = (x: number) => Math.log1p(Math.exp(x));
const sig = (x: number) => 1 / (1 + Math.exp(-x));
const X = [-1.3, -0.4, 0.2, 0.9, 2.1];
const sum = (f: (x: number) => number) => X.reduce((a, x) => a + f(x), 0);
const lse = (v: number[]) => Math.log(v.reduce((a, x) => a + Math.exp(x), 0));

/** [builtin, loss expression over x = X (a param [5]), the value by formula] */
const VALUES: [string, string, number][] = [
  ['softplus', 'sum(softplus(x))', sum(sp)],
  ['hardtanh', 'sum(hardtanh(2 * x))', sum((x) => Math.max(-1, Math.min(1, 2 * x)))],
  ['leaky_relu', 'sum(leaky_relu(x, a = 0.1))', sum((x) => (x > 0 ? x : 0.1 * x))],
  ['elu', 'sum(elu(x, a = 2))', sum((x) => (x > 0 ? x : 2 * (Math.exp(x) - 1)))],
  ['sigmoid_bce', 'sum(sigmoid_bce(x, 0.25))', sum((x) => -(0.25 * Math.log(sig(x)) + 0.75 * Math.log(1 - sig(x))))],
  ['squared_error', 'squared_error(x, 1)', sum((x) => 0.5 * (x - 1) ** 2)],
  ['logsumexp', 'logsumexp(x)', lse(X)],
  ['log_softmax', 'sum(log_softmax(x))', X.reduce((a, x) => a + x - lse(X), 0)],
  ['softmax', 'sum(softmax(x) * x)', X.reduce((a, x) => a + x * Math.exp(x - lse(X)), 0)],
  ['norm', '‖x‖', Math.hypot(...X)],
  ['norm squared', '||x||^2', sum((x) => x * x)],
  ['mean', 'mean(x)', sum((x) => x) / 5],
  ['max reduction', 'max(x)', 2.1],
  ['min reduction', 'min(x)', -1.3],
  ['where', 'sum(where(x > 0, x, -x))', sum(Math.abs)],
  ['comparison', 'sum(x >= 0.5)', 2],
  ['power', 'sum(2^-x)', sum((x) => 2 ** -x)],
];

async function run(body: string, values: Record<string, number[] | number> = { x: X }, decl = 'param x : [5]') {
  const model = compileOk(`${decl}\nloss f = ${body}`);
  const m = await instantiate(model, { precision: 'f64' });
  for (const [k, v] of Object.entries(values)) m.params[k]!.set(typeof v === 'number' ? [v] : v);
  return { model, r: m.grad({}) };
}

describe('built-in functions', () => {
  for (const [name, body, want] of VALUES) {
    it(`${name}: value by its formula, gradient by finite differences`, async () => {
      const { model, r } = await run(body);
      expect(r.loss).toBeCloseTo(want, 10);
      for (const t of await fdCheck(model, { x: X })) expect(t.maxRelError).toBeLessThan(1e-6);
    });
  }

  it('is stable where naive formulas overflow', async () => {
    const big = [1e4, -1e4, 800, -800, 0];
    const { r } = await run('sum(σ(x)) + sum(softplus(x)) + logsumexp(x) + sum(log_softmax(x))', { x: big });
    const want = (1 + 0 + 1 + 0 + 0.5) + (1e4 + 0 + 800 + 0 + Math.log(2)) + 1e4 + big.reduce((a, x) => a + x - 1e4, 0);
    expect(r.loss).toBeCloseTo(want, 6);
    for (const g of Object.values(r.grad)) for (const v of g as Float64Array) expect(Number.isFinite(v)).toBe(true);
  });

  it('softmax cross-entropy of huge logits is finite, and log(softmax) is rewritten to log_softmax', async () => {
    const model = compileOk('dim C = 3\nparam f : [C]\ninput y : int\nloss J = -log(pick(softmax(f), y)) + cross_entropy(softmax(f), y)');
    const m = await instantiate(model, { precision: 'f32' });
    m.params.f!.set([1000, -1000, 0]);
    const r = m.grad({ y: 1 });
    expect(r.loss).toBeCloseTo(4000, 1);
    expect(Array.from(r.grad.f as Float32Array)).toEqual([2, -2, 0]);
  });
});

describe('derivatives at kinks are the spec’s', () => {
  const at0 = async (body: string, x: number) => (await run(body, { x }, 'param x')).r.grad.x as number;
  it('relu′(0) = 0', async () => expect(await at0('relu(x)', 0)).toBe(0));
  it('leaky_relu′(0) = a', async () => expect(await at0('leaky_relu(x, a = 0.2)', 0)).toBeCloseTo(0.2, 12));
  it('abs′(0) = sign(0) = 0', async () => expect(await at0('abs(x)', 0)).toBe(0));
  it('hardtanh′(±1) = 0', async () => {
    expect(await at0('hardtanh(x)', 1)).toBe(0);
    expect(await at0('hardtanh(x)', -1)).toBe(0);
    expect(await at0('hardtanh(x)', 0.5)).toBe(1);
  });
  it('max(a, b) at a tie shares the gradient evenly; so do max reductions', async () => {
    const { r } = await run('max(x, y)', { x: 2, y: 2 }, 'param x, y');
    expect([r.grad.x, r.grad.y]).toEqual([0.5, 0.5]);
    const red = await run('max(v)', { v: [3, 1, 3, 3] }, 'param v : [4]');
    expect(Array.from(red.r.grad.v as Float64Array).map((g) => +g.toFixed(12))).toEqual([1 / 3, 0, 1 / 3, 1 / 3].map((g) => +g.toFixed(12)));
  });
  it('max(0, z) is ReLU with the tie shared', async () => expect(await at0('max(0, x)', 0)).toBe(0.5));
});

describe('generated modules', () => {
  it('accept tensor names that are JavaScript keywords or builtins', async () => {
    const model = compileOk('param constructor, eval, this, var, Math, Float\nloss f = constructor * eval + this * var + Math * Float');
    const m = await instantiate(model, { precision: 'f64' });
    for (const [k, v] of Object.entries({ constructor: 1, eval: 2, this: 3, var: 4, Math: 5, Float: 6 })) m.params[k]!.set([v]);
    const r = m.grad({});
    expect(r.loss).toBe(2 + 12 + 30);
    expect(r.grad).toEqual({ constructor: 2, eval: 1, this: 4, var: 3, Math: 6, Float: 5 });
  });

  it('allocate nothing per call after the first: the same buffers come back', async () => {
    const model = compileOk('dim N\nparam W : [3, 4] ~ xavier\ninput X : [4, N]\nloss f = sum(relu(W X)^2)');
    const m = await instantiate(model);
    const X = new Float32Array(4 * 5).map((_, k) => Math.sin(k));
    const a = m.grad({ X });
    const first = a.grad.W;
    const b = m.grad({ X });
    expect(b).toBe(a);
    expect(b.grad.W).toBe(first);
    // A new batch size plans new buffers, once.
    const c = m.grad({ X: new Float32Array(4 * 7).fill(0.5) });
    expect(c.grad.W).not.toBe(first);
    expect(m.grad({ X: new Float32Array(4 * 7).fill(0.5) }).grad.W).toBe(c.grad.W);
  });
});
