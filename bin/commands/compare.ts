// gradc compare MODEL.nn: symbolic vs automatic differentiation, measured on
// the model (compiler/teach/compare.ts).
import type { Command } from 'commander';
import { basename } from 'node:path';
import { compare, formatComparison, type Cost } from '../../compiler/teach/compare.js';
import { parseDims, readModel } from '../load.js';
import { collect } from './options.js';

export interface CompareOptions {
  dim?: string[];
  json?: boolean;
}

export function compareCommand(file: string, opts: CompareOptions): number {
  const { model } = readModel(file, parseDims(opts.dim));
  const c = compare(model);
  if (opts.json) {
    const cost = (k: Cost) => ({ ops: Number.isNaN(k.ops) ? null : k.ops, flops: k.flops.constant ?? k.flops.key });
    process.stdout.write(JSON.stringify({
      loss: c.loss, inputs: c.inputs.constant ?? c.inputs.key,
      forward: cost(c.forward), naive: cost(c.naive), cse: cost(c.cse), reverse: cost(c.reverse),
      forwardMode: cost(c.forwardMode), forwardPass: cost(c.forwardPass), separately: cost(c.separately), allAtOnce: cost(c.allAtOnce),
      swell: c.swell.map((r) => ({ depth: r.depth, value: r.value, naive: cost(r.naive), cse: cost(r.cse) })),
    }) + '\n');
  } else process.stdout.write(formatComparison(c, basename(file)));
  return 0;
}

export function register(p: Command, setExit: (code: number) => void): void {
  p.command('compare')
    .description('symbolic vs automatic differentiation on the model: expression swell, CSE, reverse and forward mode, op and flop counts')
    .argument('<model>', 'the .nn file')
    .option('--dim <name=value>', 'set a dim (repeatable)', collect, [])
    .option('--json', 'machine-readable output')
    .action((model, opts) => setExit(compareCommand(model, opts)));
}
