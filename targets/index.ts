// The targets gradc compiles to, and the files each writes.
import type { Model } from '../compiler/model.js';
import { emitDts } from './js/dts.js';
import { emitJsModuleWithMap } from './js/module.js';
import { emitTorchModule } from './torch/module.js';
import { emitWasm } from './wasm/index.js';
import { emitWgsl } from './wgsl/index.js';

export type TargetName = 'js' | 'wgsl' | 'wasm' | 'torch';

export interface EmitOptions {
  precision?: 'f32' | 'f64';
  /** The model's file name, for headers and comments. */
  source?: string;
  version?: string;
  /** The model's text, embedded in source maps. */
  modelText?: string;
}

export interface OutputFile {
  /** File name relative to the output folder. */
  name: string;
  text: string;
}

export interface Target {
  /** The files for a model whose base name is `base` (window.nn → window). */
  files(model: Model, base: string, opts: EmitOptions): OutputFile[];
}

export const TARGETS: Record<TargetName, Target | undefined> = {
  js: {
    files: (model, base, opts) => {
      const { text, map } = emitJsModuleWithMap(model, `${base}.js`, opts);
      return [
        { name: `${base}.js`, text },
        { name: `${base}.js.map`, text: map },
        { name: `${base}.d.ts`, text: emitDts(model, opts.precision) },
      ];
    },
  },
  wgsl: {
    files: (model, base, opts) => {
      const { wgsl, host } = emitWgsl(model, { source: opts.source, version: opts.version });
      return [
        { name: `${base}.gpu.js`, text: host },
        { name: `${base}.wgsl`, text: wgsl },
        { name: `${base}.gpu.d.ts`, text: emitDts(model, 'f32', true) },
      ];
    },
  },
  wasm: {
    files: (model, base, opts) => {
      const { host } = emitWasm(model, { source: opts.source, version: opts.version });
      return [
        { name: `${base}.wasm.js`, text: host },
        { name: `${base}.wasm.d.ts`, text: `// Results are Float32Array views on the module's memory: valid until the next call.\n${emitDts(model, 'f32')}` },
      ];
    },
  },
  // A PyTorch module (docs/torch.md); not part of `all`, which is the JS and WebGPU modules.
  torch: {
    files: (model, base, opts) => [{ name: `${base}.py`, text: emitTorchModule(model, { source: opts.source, version: opts.version, modelText: opts.modelText }) }],
  },
};
