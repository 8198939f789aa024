// For every example, every public conformance model and the feature models:
// the WebGPU module computes what the CPU module computes, within float32
// tolerance: the gradients, the outputs, three optimizer steps (dropout masks
// change with the step count), the state, and eval mode afterwards.
import { beforeAll, describe, expect, it } from 'vitest';
import { randomInput } from '../../bin/commands/check.js';
import { toArrays } from '../../runtime/instantiate.js';
import { bindValues } from '../../runtime/values.js';
import { compile, corpus, FEATURES, gpuOrReason, pair, worst } from './util.js';

let device: GPUDevice | undefined;
beforeAll(async () => {
  device = (await gpuOrReason('wgsl/equal')).device;
});

const models = [...corpus(), ...FEATURES];

describe('WGSL results equal JS results', () => {
  it.for(models)('%s', async ([, source], ctx) => {
    if (!device) return ctx.skip();
    const model = compile(source);
    // Five examples, so that labels are unbalanced: a gradient that is zero in exact arithmetic
    // is rounding noise in both modules, and Adam's first steps would amplify the noise to ±lr.
    const dims: Record<string, number> = model.dims.some((d) => d.name === 'N' && d.value === undefined) ? { N: 5 } : {};
    const values = bindValues(model, 'values', {}, dims, randomInput(1));
    const inputs = toArrays(model, values.inputs);
    const { js, gpu } = await pair(device, model, 3, values.dims);
    const near = (a: unknown, b: unknown, what: string, rtol = 1e-4, atol = 1e-5) => {
      const w = worst(a, b, rtol, atol);
      expect(w.ratio, `${what}: worst at ${w.at}`).toBeLessThanOrEqual(1);
    };
    const grads = (r: { loss: number; grad: object }) => ({ loss: r.loss, grad: r.grad }); // the CPU module also returns `updates`
    near(grads(await gpu.grad(inputs)), grads(js.grad(inputs)), 'grad');
    if (model.outputs.length) near(await gpu.forward(inputs), js.forward(inputs), 'forward');
    for (let t = 1; t <= 3; t++) near(await gpu.step(inputs), js.step(inputs), `loss of step ${t}`);
    near(await gpu.state(), js.state(), 'state after three steps', 1e-3, 1e-5);
    near(gpu.params, js.params, 'params (refreshed by state())', 1e-3, 1e-5);
    gpu.eval();
    js.eval();
    near(grads(await gpu.grad(inputs)), grads(js.grad(inputs)), 'grad in eval mode', 1e-3, 1e-5);
  });
});
