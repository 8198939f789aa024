// The deployment API of the generated modules: predict(inputs) returns the
// outputs alone, in eval mode, from only the inputs they read (no labels);
// returned arrays are reused by the next call unless create({ copy: true });
// the WebGPU module predicts the same, creates its pipelines in create(), and
// dispose() frees it.
import { beforeAll, describe, expect, it } from 'vitest';
import { randomInput } from '../bin/commands/check.js';
import { topoSort } from '../compiler/ir/node.js';
import type { Model } from '../compiler/model.js';
import { toArrays } from '../runtime/instantiate.js';
import { importModule } from '../runtime/load-module.js';
import type { GeneratedGpuModel, GeneratedModule } from '../runtime/module-types.js';
import { bindValues } from '../runtime/values.js';
import { emitJsModule } from '../targets/js/module.js';
import { emitWgsl } from '../targets/wgsl/index.js';
import { compile, corpus, FEATURES, gpuOrReason, worst } from './wgsl/util.js';

const withOutputs = [...corpus(), ...FEATURES].filter(([, s]) => compile(s).outputs.length > 0);

/** The inputs the outputs read (in eval mode), and all the inputs. */
function inputsOf(model: Model) {
  const dims: Record<string, number> = model.dims.some((d) => d.name === 'N' && d.value === undefined) ? { N: 5 } : {};
  const values = bindValues(model, 'values', {}, dims, randomInput(2));
  const all = toArrays(model, values.inputs);
  const g = model.hasModes ? model.eval : model.train;
  const read = new Set(topoSort([...g.outputs.values()]).filter((n) => n.op === 'input').map((n) => (n.attrs as { name: string }).name));
  const needed = Object.fromEntries(Object.entries(all).filter(([k]) => read.has(k)));
  return { all, needed, dims: values.dims };
}

describe('predict in the CPU module', () => {
  it('finds models with outputs', () => expect(withOutputs.length).toBeGreaterThan(3));

  it.for(withOutputs)('%s: predict = eval-mode forward, without the inputs only the loss reads', async ([, source]) => {
    const model = compile(source);
    const { all, needed, dims } = inputsOf(model);
    const m = (await importModule<GeneratedModule>(emitJsModule(model))).create({ seed: 4, dims });
    const p = m.predict(needed);
    m.eval();
    const f = m.forward(all).outputs;
    expect(Object.keys(p).sort()).toEqual(model.outputs.map((o) => o.name).sort());
    const w = worst(p, f, 1e-5, 1e-6);
    expect(w.ratio, w.at).toBeLessThanOrEqual(1);
  });

  it('returns arrays the next call reuses, or fresh ones with create({ copy: true })', async () => {
    const model = compile('dim N\ninput X : [3, N]\ninput y : [N] int\nparam W : [2, 3] ~ normal(1)\nF = W X\noutput p = softmax(F)\nloss J = mean(softmax_cross_entropy(F, y))');
    const mod = await importModule<GeneratedModule>(emitJsModule(model));
    const X1 = Float32Array.from([1, 2, 3, 4, 5, 6]);
    const X2 = Float32Array.from([-1, 0, 2, 1, 0, -3]);
    const shared = mod.create();
    const a = shared.predict({ X: X1 }).p as Float32Array;
    const kept = a.slice();
    const b = shared.predict({ X: X2 }).p as Float32Array;
    expect(b).toBe(a); // the same buffer, overwritten
    expect([...a]).not.toEqual([...kept]);
    const own = mod.create({ copy: true });
    const c = own.predict({ X: X1 }).p as Float32Array;
    own.predict({ X: X2 });
    expect([...c]).toEqual([...kept]);
    const g1 = own.grad({ X: X1, y: Int32Array.from([0, 1]) });
    const g2 = own.grad({ X: X2, y: Int32Array.from([1, 1]) });
    expect(g1.grad.W).not.toBe(g2.grad.W);
    expect(Object.keys(g1)).toEqual(['loss', 'grad']);
  });

  it("params named like the module's own functions do not clash with them", async () => {
    const model = compile('param forward_train, grad_eval, predict_eval, fresh, copy : [2]\ninput x : [2]\noutput p = softmax(forward_train * x + grad_eval + predict_eval + fresh + copy)\nloss f = sum(p * x)');
    const m = (await importModule<GeneratedModule>(emitJsModule(model))).create();
    expect([...(m.predict({ x: Float32Array.of(1, 2) }).p as Float32Array)]).toEqual([0.5, 0.5]);
    expect(Object.keys(m.grad({ x: Float32Array.of(1, 2) }).grad).sort()).toEqual(['copy', 'forward_train', 'fresh', 'grad_eval', 'predict_eval']);
  });

  it('a model without outputs says what predict needs', async () => {
    const m = (await importModule<GeneratedModule>(emitJsModule(compile('param x\nloss f = x^2')))).create();
    expect(() => m.predict({})).toThrow(/declares no outputs/);
  });
});

describe('the WebGPU module', () => {
  let device: GPUDevice | undefined;
  beforeAll(async () => {
    device = (await gpuOrReason('deploy')).device;
  });

  it('creates every pipeline in create(), concurrently; predicts as the CPU module does; dispose() frees it', async (ctx) => {
    if (!device) return ctx.skip();
    const [, source] = withOutputs.find(([, s]) => /dropout|batchnorm/u.test(s)) ?? withOutputs[0]!;
    const model = compile(source);
    const { needed, dims } = inputsOf(model);
    // Counts pipelines as they are made, and how many are being made at once.
    let made = 0;
    let inFlight = 0;
    let most = 0;
    const counting = new Proxy(device, {
      get(target, key) {
        if (key === 'createComputePipelineAsync') {
          return async (d: GPUComputePipelineDescriptor) => {
            made++;
            most = Math.max(most, ++inFlight);
            try {
              return await target.createComputePipelineAsync(d);
            } finally {
              inFlight--;
            }
          };
        }
        const v = Reflect.get(target, key, target);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
    const host = await importModule<{ create(d: GPUDevice, o: object): Promise<GeneratedGpuModel> }>(emitWgsl(model).host);
    const gpu = await host.create(counting, { seed: 4, dims });
    const kernels = new Set(emitWgsl(model).kernels.map((k) => k.entry)).size;
    expect(made).toBe(kernels);
    expect(most).toBeGreaterThan(1);
    const p = await gpu.predict(needed);
    expect(made).toBe(kernels); // the first call made none
    const js = (await importModule<GeneratedModule>(emitJsModule(model))).create({ seed: 4, dims });
    const w = worst(p, js.predict(needed), 1e-4, 1e-5);
    expect(w.ratio, w.at).toBeLessThanOrEqual(1);
    await gpu.dispose();
    await gpu.dispose(); // twice is fine
    await expect(gpu.predict(needed)).rejects.toThrow(/disposed/);
    const lazy = await host.create(counting, { seed: 4, dims, pipelines: 'lazy' });
    expect(made).toBe(kernels);
    await lazy.predict(needed);
    expect(made).toBeGreaterThan(kernels);
    await lazy.dispose();
  });
});
