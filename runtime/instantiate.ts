// Creates a live model from a compiled Model by generating its module and
// loading it: the command line runs exactly the code a user gets.
import type { Model } from '../compiler/model.js';
import { emitJsModule } from '../targets/js/module.js';
import { importModule } from './load-module.js';
import type { GeneratedModel, GeneratedModule } from './module-types.js';

export interface InstantiateOptions {
  target?: 'js' | 'wgsl';
  precision?: 'f32' | 'f64';
  seed?: number;
  dims?: Record<string, number>;
}

export async function instantiate(model: Model, opts: InstantiateOptions = {}): Promise<GeneratedModel> {
  if ((opts.target ?? 'js') !== 'js') throw new Error(`target ${opts.target} is not available`);
  const mod = await importModule<GeneratedModule>(emitJsModule(model, { precision: opts.precision }));
  return mod.create({ seed: opts.seed ?? 0, dims: opts.dims });
}

/** Typed arrays for bound values: Int32Array for int inputs, float arrays otherwise. */
export function toArrays(model: Model, inputs: Record<string, Float64Array>, precision: 'f32' | 'f64' = 'f32'): Record<string, Float32Array | Float64Array | Int32Array> {
  const out: Record<string, Float32Array | Float64Array | Int32Array> = {};
  for (const i of model.inputs) {
    const v = inputs[i.name];
    if (!v) continue;
    out[i.name] = i.int ? Int32Array.from(v) : precision === 'f64' ? Float64Array.from(v) : Float32Array.from(v);
  }
  return out;
}
