// For every example, every public conformance model and the feature models: the
// wasm module computes what the JS module computes, within float32 tolerance:
// gradients, outputs, three optimizer steps (dropout masks change with the step
// count), the state, load(), and eval mode afterwards. Dropout masks are
// bit-identical, and every optimizer runs several steps.
import { describe, expect, it } from 'vitest';
import { randomInput } from '../../bin/commands/check.js';
import { OPTIMIZER_SLOTS } from '../../targets/optimizer.js';
import { toArrays } from '../../runtime/instantiate.js';
import { bindValues } from '../../runtime/values.js';
import { compile, corpus, FEATURES, worst } from '../wgsl/util.js';
import { wasmPair } from './util.js';

const models = [...corpus(), ...FEATURES];

const near = (a: unknown, b: unknown, what: string, rtol = 1e-4, atol = 1e-5) => {
  const w = worst(a, b, rtol, atol);
  expect(w.ratio, `${what}: worst at ${w.at}`).toBeLessThanOrEqual(1);
};
const grads = (r: { loss: number; grad: object }) => ({ loss: r.loss, grad: r.grad });

describe('wasm results equal JS results', () => {
  it('runs a corpus', () => expect(models.length).toBeGreaterThan(10));
  it.for(models)('%s', async ([, source]) => {
    const model = compile(source);
    const dims: Record<string, number> = model.dims.some((d) => d.name === 'N' && d.value === undefined) ? { N: 5 } : {};
    const values = bindValues(model, 'values', {}, dims, randomInput(1));
    const inputs = toArrays(model, values.inputs);
    const { js, wasm } = await wasmPair(model, 3, values.dims);
    near(js.params, wasm.params, 'initial params', 0, 1e-30);
    near(grads(wasm.grad(inputs)), grads(js.grad(inputs)), 'grad');
    if (model.outputs.length) near(wasm.forward(inputs), js.forward(inputs), 'forward');
    for (let t = 1; t <= 3; t++) near(wasm.step(inputs), js.step(inputs), `loss of step ${t}`);
    near(wasm.state(), js.state(), 'state after three steps', 1e-3, 1e-5);
    near(wasm.params, js.params, 'params', 1e-3, 1e-5);
    wasm.eval();
    js.eval();
    near(grads(wasm.grad(inputs)), grads(js.grad(inputs)), 'grad in eval mode', 1e-3, 1e-5);
    // load() puts the JS module's state into the wasm module: the same gradient follows.
    wasm.load(js.state());
    near(wasm.state(), js.state(), 'state after load', 0, 1e-30);
    near(grads(wasm.grad(inputs)), grads(js.grad(inputs)), 'grad after load');
  });
});

describe('dropout masks', () => {
  it('are bit-identical to the JS module at every step', async () => {
    const model = compile('dim N\ninput x : [7, N]\nparam w : [7]\noutput h = dropout(x + 0 * w, 0.4)\nloss L = sum(h) + sum(w^2)\n');
    const { js, wasm } = await wasmPair(model, 5, { N: 9 });
    const x = new Float32Array(63).fill(1);
    let zeros = 0;
    for (let t = 0; t < 4; t++) {
      const a = Array.from(wasm.forward({ x }).outputs.h as Float32Array);
      const b = Array.from(js.forward({ x }).outputs.h as Float32Array);
      expect(a).toEqual(b);
      zeros += a.filter((v) => v === 0).length;
      wasm.step({ x });
      js.step({ x });
    }
    expect(zeros).toBeGreaterThan(40);
    expect(zeros).toBeLessThan(4 * 63 - 40);
  });
});

describe('every optimizer', () => {
  for (const opt of Object.keys(OPTIMIZER_SLOTS)) {
    it(`${opt}: five steps (with clipping and weight decay) as the JS module`, async () => {
      const model = compile(`dim N\ninput X : [6, N]\ninput y : [N] int\nparam W : [3, 6] ~ xavier\nparam b : [3]\noptimizer ${opt}(lr = 0.05, weight_decay = 0.01, clip = 1)\nschedule step(every = 2, factor = 0.5)\nloss L = mean(softmax_cross_entropy(W X + b, y))\n`);
      const values = bindValues(model, 'values', {}, { N: 7 }, randomInput(2));
      const inputs = toArrays(model, values.inputs);
      const { js, wasm } = await wasmPair(model, 1, values.dims);
      for (let t = 1; t <= 5; t++) near(wasm.step(inputs), js.step(inputs), `loss of step ${t}`);
      near(wasm.state(), js.state(), 'state after five steps', 1e-4, 1e-6);
      expect(Object.keys(wasm.state()).length).toBe(1 + 2 * (1 + OPTIMIZER_SLOTS[opt]!.length));
    });
  }
});
