// The WGSL target: MODEL.wgsl (compute shaders, one entry point per fused
// kernel) and MODEL.gpu.js (the host module that dispatches them), from the
// same IR and plan as the CPU module.
import type { Size } from '../../compiler/ir/size.js';
import type { Model } from '../../compiler/model.js';
import { modulePrograms } from '../../compiler/program.js';
import { emitHost } from './host.js';
import { leafLayout } from './layout.js';
import { TILE_DECLARATIONS } from './matmul.js';
import { WgslNames } from './names.js';
import { optimizerKernels } from './optimizer.js';
import { lowerProgram, type Program } from './program.js';
import { assembleShader, bindingsOf, RESOURCES, type Resource } from './shader.js';
import { headerLines } from '../describe.js';
import { definedFunctions } from '../names.js';
import { WGSL_HELPERS, wgslSpelling } from './spelling.js';
import { WG } from './kernel.js';

export interface WgslOptions {
  /** The model's file name, for headers and comments. */
  source?: string;
  version?: string;
}

export interface WgslOutput {
  wgsl: string;
  host: string;
  /** Every kernel's entry point and the buffers it binds, for tests and tools. */
  kernels: { entry: string; bindings: Resource[] }[];
}

/** Names the shader module declares itself, besides its helper functions. */
const MODULE_OWN = [
  'Run', 'run', 'params', 'inputs', 'ints', 'work', 'grads', 'optim', 'partial', 'tileA', 'tileB', 'update', 'clip_norm',
  ...definedFunctions(WGSL_HELPERS, 'fn'),
];

export function emitWgsl(model: Model, opts: WgslOptions = {}): WgslOutput {
  const names = new WgslNames();
  names.claim(...MODULE_OWN);
  const runtimeDims = model.dims.filter((d) => d.value === undefined).map((d) => d.name);
  const fieldNames = new WgslNames();
  fieldNames.claim('seed', 't', 'lr', 'c1', 'c2');
  const field = new Map(runtimeDims.map((d) => [d, fieldNames.fresh(d)]));
  // Sizes as u32 expressions; run-time dims are fields of the uniform.
  const size = (s: Size) => (s.constant !== undefined ? `${s.constant}u` : s.toCode((d) => `run.${field.get(d)}`).replace(/\+ -/g, '- '));
  const spell = wgslSpelling(size);
  const leaves = leafLayout(model);
  const env = { model, leaves, names, spell, size, source: opts.source ?? 'the model' };

  const programs: Program[] = modulePrograms(model).map((prog) => lowerProgram(env, prog));
  const opt = optimizerKernels(model, leaves, size);

  const header = headerLines(model, opts, []);
  const all = [...programs.flatMap((p) => [...p.kernels, ...p.commit]), ...opt.kernels];
  const used = new Set(all.flatMap((k) => bindingsOf(k.text)));
  const wgsl = assembleShader({
    header: [...header, '', 'WebGPU compute shaders: one entry point per fused kernel; the .gpu.js module beside this file dispatches them.'],
    uniform: [
      ...runtimeDims.map((d) => ({ field: field.get(d)!, type: 'u32' as const, about: `dim ${d}` })),
      { field: 'seed', type: 'u32', about: 'the random seed (dropout masks)' },
      { field: 't', type: 'u32', about: 'steps taken so far (dropout masks change with it)' },
      { field: 'lr', type: 'f32', about: 'learning rate of this step' },
      { field: 'c1', type: 'f32', about: "Adam's bias correction 1 − β1ᵗ" },
      { field: 'c2', type: 'f32', about: "Adam's bias correction 1 − β2ᵗ" },
    ],
    buffers: RESOURCES.filter((r) => r === 'run' || used.has(r)), // the dropout helper reads run
    workgroupVars: [`var<workgroup> partial: array<f32, ${WG}>; // partial results of tree reductions`, ...TILE_DECLARATIONS],
    helpers: WGSL_HELPERS,
    sections: [
      ...programs.map((p) => ({ title: `${p.fn}: ${describeProgram(p)}`, kernels: [...p.kernels, ...p.commit] })),
      ...(opt.kernels.length ? [{ title: 'step: the optimizer', kernels: opt.kernels }] : []),
    ],
  });
  const host = emitHost({
    model,
    wgsl,
    leaves,
    programs,
    optimizer: opt.kernels,
    optimSize: opt.optimSize,
    dims: runtimeDims,
    header: [
      ...header,
      '',
      'The WebGPU module: the CPU module\'s Model API, asynchronous where it reads back',
      '(`await model.grad(inputs)`). It imports nothing: `await create(device, opts)` takes any',
      "GPUDevice (a browser's navigator.gpu, or Node's `webgpu` package); opts: { seed, dims, wgsl, pipelines }",
      "(every pipeline is created in create(), concurrently, unless pipelines: 'lazy'). dispose() frees the",
      'GPU buffers. predict(inputs) returns the outputs alone (eval mode; labels not needed).',
      '`params` are CPU copies: edits made before the first call go to the GPU with it, later ones',
      'need load(); after step(), `await state()` brings them up to date. grad() reads back the loss',
      'and the gradients, forward() the loss and the outputs, step() only the loss.',
    ],
  });
  return { wgsl, host, kernels: all.map((k) => ({ entry: k.entry, bindings: bindingsOf(k.text) })) };
}

function describeProgram(p: Program): string {
  const what = p.kind === 'forward' ? 'the loss and the outputs' : p.kind === 'predict' ? 'the outputs alone (predict)' : 'the loss and every gradient';
  return `${what}${p.mode === 'eval' ? ' (eval mode)' : ''}`;
}
