// Creates a live model from a compiled Model by generating its module and
// loading it: the command line runs exactly the code a user gets.
import type { Model } from '../compiler/model.js';
import { emitJsModule } from '../targets/js/module.js';
import { emitWasm } from '../targets/wasm/index.js';
import { emitWgsl } from '../targets/wgsl/index.js';
import { GpuUnavailableError, nodeDevice } from './gpu/device.js';
import { importModule } from './load-module.js';
import type { GeneratedGpuModel, GeneratedModel, GeneratedModule } from './module-types.js';

export interface InstantiateOptions {
  target?: 'js' | 'wgsl' | 'wasm';
  precision?: 'f32' | 'f64';
  seed?: number;
  dims?: Record<string, number>;
  /** The most bytes the module may plan (create({ maxMemory })). */
  maxMemory?: number;
}

/**
 * The live model of the chosen target. The WebGPU module (`target: 'wgsl'`)
 * answers grad/forward/step/state with promises: a caller that may get either
 * target awaits every result (bin/commands/grad.ts does).
 */
export async function instantiate(model: Model, opts: InstantiateOptions & { target: 'wgsl' }): Promise<GeneratedGpuModel>;
export async function instantiate(model: Model, opts?: InstantiateOptions): Promise<GeneratedModel>;
export async function instantiate(model: Model, opts: InstantiateOptions = {}): Promise<GeneratedModel | GeneratedGpuModel> {
  if (opts.target === 'wgsl') {
    if (opts.precision === 'f64') throw new GpuUnavailableError('the WGSL target computes in float32: --precision f64 needs --target js');
    // The generated .gpu.js imports nothing: the shaders travel inside it.
    const probe = await nodeDevice();
    if (!probe.device) throw new GpuUnavailableError(probe.reason);
    const gpu = await importModule<{ create: (device: GPUDevice, o: object) => Promise<GeneratedGpuModel> }>(emitWgsl(model).host);
    return gpu.create(probe.device, { seed: opts.seed ?? 0, dims: opts.dims });
  }
  if (opts.target === 'wasm') {
    if (opts.precision === 'f64') throw new GpuUnavailableError('the wasm target computes in float32: --precision f64 needs --target js');
    const mod = await importModule<GeneratedModule>(emitWasm(model).host);
    return mod.create({ seed: opts.seed ?? 0, dims: opts.dims });
  }
  const mod = await importModule<GeneratedModule>(emitJsModule(model, { precision: opts.precision }));
  return mod.create({ seed: opts.seed ?? 0, dims: opts.dims, maxMemory: opts.maxMemory });
}

/** Typed arrays for bound values: Int32Array for int inputs, float arrays otherwise. */
export function toArrays(model: Model, inputs: Record<string, Float64Array>, precision: 'f32' | 'f64' = 'f32'): Record<string, Float32Array | Float64Array | Int32Array> {
  const out: Record<string, Float32Array | Float64Array | Int32Array> = {};
  for (const i of model.inputs) {
    if (!Object.hasOwn(inputs, i.name)) continue;
    const v = inputs[i.name]!;
    out[i.name] = i.int ? Int32Array.from(v) : precision === 'f64' ? Float64Array.from(v) : Float32Array.from(v);
  }
  return out;
}
