// The WGSL port of the counter-based random numbers draws bit for bit what
// compiler/random.ts draws, so dropout masks on the GPU equal those on the CPU.
import { beforeAll, describe, expect, it } from 'vitest';
import { dropoutMask, maskStreamBase } from '../../compiler/random.js';
import { hash3 } from '../../compiler/random.js';
import { WGSL_HELPERS } from '../../targets/wgsl/spelling.js';
import { gpuOrReason } from './util.js';

let device: GPUDevice | undefined;
beforeAll(async () => {
  device = (await gpuOrReason('wgsl/random')).device;
});

const COUNT = 4096;

/** Runs `body` (which writes out[k]) for k < COUNT with the helpers and a uniform holding seed and t. */
async function run(dev: GPUDevice, body: string, seed: number, t: number): Promise<Uint32Array> {
  const code = `
struct Run { seed: u32, t: u32 }
@group(0) @binding(0) var<uniform> run: Run;
@group(0) @binding(1) var<storage, read_write> out: array<u32>;
${WGSL_HELPERS}
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let k = gid.x;
  ${body}
}`;
  const module = dev.createShaderModule({ code });
  expect((await module.getCompilationInfo()).messages.map((m) => m.message)).toEqual([]);
  const pipeline = await dev.createComputePipelineAsync({ layout: 'auto', compute: { module, entryPoint: 'main' } });
  const uniform = dev.createBuffer({ size: 16, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
  dev.queue.writeBuffer(uniform, 0, Uint32Array.of(seed, t, 0, 0));
  const out = dev.createBuffer({ size: COUNT * 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
  const read = dev.createBuffer({ size: COUNT * 4, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const encoder = dev.createCommandEncoder();
  const pass = encoder.beginComputePass();
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, dev.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries: [{ binding: 0, resource: { buffer: uniform } }, { binding: 1, resource: { buffer: out } }] }));
  pass.dispatchWorkgroups(COUNT / 64);
  pass.end();
  encoder.copyBufferToBuffer(out, 0, read, 0, COUNT * 4);
  dev.queue.submit([encoder.finish()]);
  await read.mapAsync(GPUMapMode.READ);
  const bits = new Uint32Array(read.getMappedRange().slice(0));
  read.unmap();
  return bits;
}

describe('random numbers on the GPU', () => {
  it.for([0, 1, 42, -7, 2 ** 31 + 5])('hash3 equals the CPU for seed %d', async (seed, ctx) => {
    if (!device) return ctx.skip();
    const bits = await run(device, 'out[k] = hash3(run.seed, run.t * 7919u + 3u, k);', seed, 11);
    const want = Uint32Array.from({ length: COUNT }, (_, k) => hash3(seed, 11 * 7919 + 3, k));
    expect(Array.from(bits)).toEqual(Array.from(want));
  });

  it.for([0.1, 0.5, 0.75, 1 / 3])('dropout masks equal the CPU mask for p = %d', async (p, ctx) => {
    if (!device) return ctx.skip();
    const [seed, id, t] = [5, 2, 9];
    // The kernels' call: the mask's stream at step t, and the threshold ceil(p·2²⁴).
    const body = `out[k] = bitcast<u32>(dropout(${maskStreamBase(id)}u + run.t, k, ${Math.ceil(p * 16777216)}u, ${1 / (1 - p)}));`;
    const bits = await run(device, body, seed, t);
    const want = new Uint32Array(Float32Array.from(dropoutMask(seed, id, t, p, COUNT)).buffer);
    expect(Array.from(bits)).toEqual(Array.from(want));
  });
});
