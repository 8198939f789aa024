// gradc MODEL.nn: writes the modules of the chosen targets and prints a summary;
// with --emit KIND, prints one representation instead.
import { Option, type Command } from 'commander';
import { basename, dirname, extname, join } from 'node:path';
import { graphCost } from '../../compiler/cost.js';
import type { Model } from '../../compiler/model.js';
import { derivativeLines, formatLines, forwardLines } from '../../compiler/print.js';
import { printIr } from '../../compiler/print-ir.js';
import { dotGraph } from '../../compiler/teach/dot.js';
import { emitHvpModule } from '../../compiler/teach/hvp.js';
import { latexDocument } from '../../compiler/teach/latex.js';
import { renderSvg } from '../../compiler/teach/svg.js';
import { writeFileAtomic } from '../../runtime/files.js';
import { TARGETS, type TargetName } from '../../targets/index.js';
import { emitWasm } from '../../targets/wasm/index.js';
import { plan } from '../../targets/plan.js';
import { UsageError } from '../errors.js';
import { parseDims, readModel } from '../load.js';
import { VERSION } from '../version.js';
import { collect } from './options.js';

export interface CompileOptions {
  output?: string;
  target?: string;
  emit?: string;
  dim?: string[];
  precision?: 'f32' | 'f64';
  eval?: boolean;
}

/** Printers for --emit, by kind. */
export const EMITTERS: Record<string, (model: Model, file: string, opts: CompileOptions) => string | Promise<string>> = {
  grad: (model, _, opts) => {
    const mode = opts.eval ? 'eval' : 'train';
    return `# forward\n${formatLines(forwardLines(model, mode))}\n\n# derivative\n${formatLines(derivativeLines(model, mode))}\n`;
  },
  ir: (model, _, opts) => printIr(model, opts.eval ? 'eval' : 'train'),
  js: (model, file, opts) => TARGETS.js!.files(model, base(file), { precision: opts.precision, source: basename(file), version: VERSION })[0]!.text,
  wgsl: (model, file) => TARGETS.wgsl!.files(model, base(file), { source: basename(file), version: VERSION })[1]!.text,
  wat: (model, file) => emitWasm(model, { source: basename(file), version: VERSION }).wat,
  latex: (model, file, opts) => latexDocument(model, basename(file), opts.eval ? 'eval' : 'train'),
  dot: (model, file, opts) => dotGraph(model, basename(file), opts.eval ? 'eval' : 'train'),
  svg: (model, file, opts) => renderSvg(dotGraph(model, basename(file), opts.eval ? 'eval' : 'train')),
  hvp: (model, file, opts) => emitHvpModule(model, { precision: opts.precision, source: basename(file), version: VERSION }),
};

const base = (file: string) => basename(file, extname(file));

export async function compileCommand(file: string, opts: CompileOptions): Promise<number> {
  if (opts.emit !== undefined && !Object.hasOwn(EMITTERS, opts.emit)) {
    throw new UsageError(`--emit wants one of ${Object.keys(EMITTERS).join(', ')}; not '${opts.emit}'`);
  }
  const targets = targetList(opts.target);
  const { model } = readModel(file, parseDims(opts.dim));
  if (opts.emit) {
    process.stdout.write(await EMITTERS[opts.emit]!(model, file, opts));
    return 0;
  }
  const dir = opts.output ?? dirname(file);
  const written: string[] = [];
  // Everything is generated before anything is written.
  const files = targets.flatMap((t) => TARGETS[t]!.files(model, base(file), { precision: opts.precision, source: basename(file), version: VERSION }));
  for (const f of files) {
    writeFileAtomic(join(dir, f.name), f.text);
    written.push(join(dir, f.name));
  }
  process.stdout.write(summary(model, file, written));
  return 0;
}

function targetList(t: string | undefined): TargetName[] {
  const list: TargetName[] = t === undefined || t === 'all' ? ['js', 'wgsl'] : t === 'js' || t === 'wgsl' || t === 'wasm' ? [t] : [];
  if (!list.length) throw new UsageError(`--target wants js, wgsl, wasm or all; not '${t}'`);
  const missing = list.filter((x) => !TARGETS[x]);
  if (t !== undefined && t !== 'all' && missing.length) throw new UsageError(`the ${missing.join(', ')} target is not available in this version of gradc`);
  return list.filter((x) => TARGETS[x]);
}

/** One screen: params and shapes, forward/backward cost, kernels, files. */
export function summary(model: Model, file: string, written: string[]): string {
  const lines: string[] = [];
  const shape = (dims: { key: string }[]) => (dims.length ? `[${dims.map((d) => d.key).join(', ')}]` : 'scalar');
  lines.push(`${basename(file)}: loss ${model.loss.name}${model.outputs.length ? `, outputs ${model.outputs.map((o) => o.name).join(', ')}` : ''}`);
  const count = model.params.reduce((n, p) => n + (p.shape[0].mul(p.shape[1]).constant ?? NaN), 0);
  lines.push(`params (${Number.isNaN(count) ? 'sized at create()' : `${count} numbers`}):`);
  for (const p of model.params) lines.push(`  ${p.name.padEnd(10)} ${shape(p.type.dims).padEnd(14)} ~ ${p.init.name}`);
  if (model.inputs.length) {
    lines.push('inputs:');
    for (const i of model.inputs) lines.push(`  ${i.name.padEnd(10)} ${shape(i.type.dims).padEnd(14)}${i.int ? ' int' : ''}${model.wrt.includes(i.name) ? '  (wrt)' : ''}`);
  }
  const { forward, backward } = graphCost(model.train);
  lines.push(`forward:  ${forward.ops} ops, ${forward.flops.key} flops`);
  lines.push(`backward: ${backward.ops} ops, ${backward.flops.key} flops`);
  const g = plan([model.train.loss, ...model.train.grads.values()]);
  lines.push(`grad program: ${g.steps.length} loops, ${g.slotSizes.length} buffers`);
  lines.push(`optimizer: ${model.optimizer.name}, schedule: ${model.schedule.name}`);
  if (written.length) lines.push(`wrote ${written.join(', ')}`);
  return lines.join('\n') + '\n';
}

export function register(p: Command, setExit: (code: number) => void): void {
  p.command('compile', { isDefault: true })
    .description('compile MODEL.nn: write MODEL.js, MODEL.d.ts (and the WebGPU module), print a summary')
    .argument('<model>', 'the .nn file')
    .option('-o, --output <dir>', "folder for the generated files (default: the model's folder)")
    .option('--target <target>', 'js, wgsl, wasm or all (js and wgsl)', 'all')
    .option('--emit <kind>', `print instead of writing: ${Object.keys(EMITTERS).join(', ')}`)
    .option('--dim <name=value>', 'set a dim (repeatable)', collect, [])
    .addOption(new Option('--precision <p>', 'float precision of the generated module').choices(['f32', 'f64']).default('f32'))
    .option('--eval', 'with --emit: show eval mode')
    .action(async (model, opts) => setExit(await compileCommand(model, opts)));
}
