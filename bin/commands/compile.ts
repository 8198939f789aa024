// gradc MODEL.nn: writes the modules of the chosen targets and prints a summary;
// with --emit KIND, prints one representation instead.
import { Option, type Command } from 'commander';
import { basename, dirname, extname, join } from 'node:path';
import { graphCost } from '../../compiler/cost.js';
import type { Model } from '../../compiler/model.js';
import { printIr } from '../../compiler/print-ir.js';
import { dotGraph } from '../../compiler/teach/dot.js';
import { emitHvpModule } from '../../targets/js/hvp.js';
import { renderSvg } from '../../compiler/teach/svg.js';
import { writeFilesAtomic } from '../../runtime/files.js';
import { TARGETS, type TargetName } from '../../targets/index.js';
import { gradProgramSize } from '../../targets/js/schedule.js';
import { gradText } from '../../targets/library.js';
import { emitTorchModule } from '../../targets/torch/module.js';
import { emitWasm } from '../../targets/wasm/index.js';
import { UsageError } from '../errors.js';
import { parseBytes, parseDims, readModel } from '../load.js';
import { VERSION } from '../version.js';
import { collect } from './options.js';

export interface CompileOptions {
  output?: string;
  target?: string;
  emit?: string;
  dim?: string[];
  precision?: 'f32' | 'f64';
  eval?: boolean;
  maxMemory?: string;
  json?: boolean;
  /** The model's text (the torch module shows each .nn line above its code). */
  modelText?: string;
}

/** Printers for --emit, by kind. */
export const EMITTERS: Record<string, (model: Model, file: string, opts: CompileOptions) => string | Promise<string>> = {
  grad: (model, _, opts) => gradText(model, opts.eval ? 'eval' : 'train'),
  ir: (model, _, opts) => printIr(model, opts.eval ? 'eval' : 'train'),
  js: (model, file, opts) => TARGETS.js!.files(model, base(file), { precision: opts.precision, source: basename(file), version: VERSION })[0]!.text,
  wgsl: (model, file) => TARGETS.wgsl!.files(model, base(file), { source: basename(file), version: VERSION })[1]!.text,
  wat: (model, file) => emitWasm(model, { source: basename(file), version: VERSION }).wat,
  // mathjs (behind the LaTeX printer) takes a second to load: only --emit latex loads it.
  latex: async (model, file, opts) => (await import('../../compiler/teach/latex.js')).latexDocument(model, basename(file), opts.eval ? 'eval' : 'train'),
  dot: (model, file, opts) => dotGraph(model, basename(file), opts.eval ? 'eval' : 'train'),
  svg: (model, file, opts) => renderSvg(dotGraph(model, basename(file), opts.eval ? 'eval' : 'train')),
  torch: (model, file, opts) => emitTorchModule(model, { source: basename(file), version: VERSION, modelText: opts.modelText }),
  hvp: (model, file, opts) => emitHvpModule(model, { precision: opts.precision, source: basename(file), version: VERSION }),
};

const base = (file: string) => basename(file, extname(file));

export async function compileCommand(file: string, opts: CompileOptions): Promise<number> {
  if (opts.emit !== undefined && !Object.hasOwn(EMITTERS, opts.emit)) {
    throw new UsageError(`--emit wants one of ${Object.keys(EMITTERS).join(', ')}; not '${opts.emit}'`);
  }
  const targets = targetList(opts.target);
  const { model, source } = readModel(file, parseDims(opts.dim), false, parseBytes(opts.maxMemory));
  if (opts.emit) {
    process.stdout.write(await EMITTERS[opts.emit]!(model, file, { ...opts, modelText: source }));
    return 0;
  }
  const dir = opts.output ?? dirname(file);
  // Everything is generated before anything is written, and written as one set.
  const files = targets.flatMap((t) => TARGETS[t]!.files(model, base(file), { precision: opts.precision, source: basename(file), version: VERSION, modelText: source }));
  writeFilesAtomic(files.map((f) => ({ path: join(dir, f.name), data: f.text })));
  const written = files.map((f) => join(dir, f.name));
  process.stdout.write(opts.json ? JSON.stringify(summaryData(model, file, written)) + '\n' : summary(model, file, written));
  return 0;
}

function targetList(t: string | undefined): TargetName[] {
  const list: TargetName[] = t === undefined || t === 'all' ? ['js', 'wgsl'] : t === 'js' || t === 'wgsl' || t === 'wasm' || t === 'torch' ? [t] : [];
  if (!list.length) throw new UsageError(`--target wants js, wgsl, wasm, torch or all; not '${t}'`);
  const missing = list.filter((x) => !TARGETS[x]);
  if (t !== undefined && t !== 'all' && missing.length) throw new UsageError(`the ${missing.join(', ')} target is not available in this version of gradc`);
  return list.filter((x) => TARGETS[x]);
}

/** The summary's facts: what `--json` prints and the text below is made of. */
export interface Summary {
  model: string;
  loss: string;
  outputs: string[];
  /** Numbers in all params, or null when a size is given only at create(). */
  param_count: number | null;
  params: { name: string; shape: string[]; init: string }[];
  inputs: { name: string; shape: string[]; int: boolean; wrt: boolean }[];
  forward: { ops: number; flops: string };
  backward: { ops: number; flops: string };
  grad_program: { loops: number; buffers: number };
  optimizer: string;
  schedule: string;
  wrote: string[];
}

export function summaryData(model: Model, file: string, written: string[]): Summary {
  const count = model.params.reduce((n, p) => n + (p.shape[0].mul(p.shape[1]).constant ?? NaN), 0);
  const { forward, backward } = graphCost(model.train);
  const g = gradProgramSize(model);
  return {
    model: basename(file),
    loss: model.loss.name,
    outputs: model.outputs.map((o) => o.name),
    param_count: Number.isNaN(count) ? null : count,
    params: model.params.map((p) => ({ name: p.name, shape: p.type.dims.map((d) => d.key), init: p.init.name })),
    inputs: model.inputs.map((i) => ({ name: i.name, shape: i.type.dims.map((d) => d.key), int: i.int, wrt: model.wrt.includes(i.name) })),
    forward: { ops: forward.ops, flops: forward.flops.key },
    backward: { ops: backward.ops, flops: backward.flops.key },
    grad_program: { loops: g.steps, buffers: g.buffers },
    optimizer: model.optimizer.name,
    schedule: model.schedule.name,
    wrote: written,
  };
}

/** One screen: params and shapes, forward/backward cost, kernels, files. */
export function summary(model: Model, file: string, written: string[]): string {
  const s = summaryData(model, file, written);
  const lines: string[] = [];
  const shape = (dims: string[]) => (dims.length ? `[${dims.join(', ')}]` : 'scalar');
  lines.push(`${s.model}: loss ${s.loss}${s.outputs.length ? `, outputs ${s.outputs.join(', ')}` : ''}`);
  lines.push(`params (${s.param_count === null ? 'sized at create()' : `${s.param_count} numbers`}):`);
  for (const p of s.params) lines.push(`  ${p.name.padEnd(10)} ${shape(p.shape).padEnd(14)} ~ ${p.init}`);
  if (s.inputs.length) {
    lines.push('inputs:');
    for (const i of s.inputs) lines.push(`  ${i.name.padEnd(10)} ${shape(i.shape).padEnd(14)}${i.int ? ' int' : ''}${i.wrt ? '  (wrt)' : ''}`);
  }
  lines.push(`forward:  ${s.forward.ops} ops, ${s.forward.flops} flops`);
  lines.push(`backward: ${s.backward.ops} ops, ${s.backward.flops} flops`);
  lines.push(`grad program: ${s.grad_program.loops} loops, ${s.grad_program.buffers} buffers`);
  lines.push(`optimizer: ${s.optimizer}, schedule: ${s.schedule}`);
  if (written.length) lines.push(`wrote ${written.join(', ')}`);
  return lines.join('\n') + '\n';
}

export function register(p: Command, setExit: (code: number) => void): void {
  p.command('compile', { isDefault: true })
    .description('compile MODEL.nn: write MODEL.js, MODEL.d.ts (and the WebGPU module), print a summary')
    .argument('<model>', 'the .nn file')
    .option('-o, --output <dir>', "folder for the generated files (default: the model's folder)")
    .option('--target <target>', 'js, wgsl, wasm, torch (MODEL.py, a PyTorch module) or all (js and wgsl)', 'all')
    .option('--emit <kind>', `print instead of writing: ${Object.keys(EMITTERS).join(', ')}`)
    .option('--dim <name=value>', 'set a dim (repeatable)', collect, [])
    .addOption(new Option('--precision <p>', 'float precision of the generated module').choices(['f32', 'f64']).default('f32'))
    .option('--eval', 'with --emit: show eval mode')
    .option('--max-memory <bytes>', 'refuse a model that plans more memory than this (default 4G)')
    .option('--json', 'print the summary as one JSON object')
    .action(async (model, opts) => setExit(await compileCommand(model, opts)));
}
