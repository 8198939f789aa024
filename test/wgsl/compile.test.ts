// Every shader gradc emits, for the examples, the public conformance models and
// a few models that reach the remaining ops, compiles in Dawn with no error and
// no warning, and every entry point makes a pipeline with exactly the bindings
// the host module declares for it. Skipped, in one line, without an adapter.
import { beforeAll, describe, expect, it } from 'vitest';
import { importModule } from '../../runtime/load-module.js';
import { emitWgsl } from '../../targets/wgsl/index.js';
import { compile, corpus, FEATURES, gpuOrReason } from './util.js';

type Table = Record<string, [string, [number, string, GPUBufferBindingType][], () => number[]][]>;

let device: GPUDevice | undefined;
beforeAll(async () => {
  device = (await gpuOrReason('wgsl/compile')).device;
});

const models = [...corpus(), ...FEATURES];

describe('Dawn compiles every emitted shader cleanly', () => {
  it.for(models)('%s', async ([, source], ctx) => {
    if (!device) return ctx.skip();
    const { wgsl, host } = emitWgsl(compile(source));
    const module = device.createShaderModule({ code: wgsl });
    const messages = (await module.getCompilationInfo()).messages.map((m) => `${m.type} ${m.lineNum}:${m.linePos} ${m.message}`);
    expect(messages).toEqual([]);

    // The host's own table: each kernel's bindings become its pipeline layout, so a binding
    // the shader uses but the host leaves out (or the other way round) fails right here.
    const { kernels } = await importModule<{ kernels(d: Record<string, number>): Table }>(host);
    const all = Object.values(kernels({})).flat();
    expect(all.length).toBeGreaterThan(0);
    device.pushErrorScope('validation');
    await Promise.all(all.map(([entry, bindings]) => {
      const layout = device!.createBindGroupLayout({ entries: bindings.map(([binding, , type]) => ({ binding, visibility: GPUShaderStage.COMPUTE, buffer: { type } })) });
      return device!.createComputePipelineAsync({ layout: device!.createPipelineLayout({ bindGroupLayouts: [layout] }), compute: { module, entryPoint: entry } });
    }));
    expect(await device.popErrorScope()).toBeNull();
  });
});
