// Helpers for the wasm tests: the JS module and the wasm module of one model
// side by side, created with the same seed and dims.
import type { Model } from '../../compiler/model.js';
import { importModule } from '../../runtime/load-module.js';
import type { GeneratedModel, GeneratedModule } from '../../runtime/module-types.js';
import { emitJsModule } from '../../targets/js/module.js';
import { emitWasm } from '../../targets/wasm/index.js';

export async function wasmPair(model: Model, seed = 0, dims: Record<string, number> = {}): Promise<{ js: GeneratedModel; wasm: GeneratedModel }> {
  const js = (await importModule<GeneratedModule>(emitJsModule(model))).create({ seed, dims });
  const wasm = (await importModule<GeneratedModule>(emitWasm(model).host)).create({ seed, dims });
  return { js, wasm };
}
