// Options shared by the commands that run a model.
import { Option, type Command } from 'commander';

export const collect = (v: string, prev: string[]) => [...prev, v];

export function runOptions(cmd: Command, target = true): Command {
  cmd
    .option('--at <values.json>', 'values of inputs and params, by name (JSON)')
    .option('--dim <name=value>', 'set a dim (repeatable), e.g. --dim N=4', collect, [])
    .option('--seed <n>', 'seed for initializers and dropout masks', '0')
    .option('--max-memory <bytes>', 'refuse a model that plans more memory than this (default 4G)')
    .option('--eval', 'eval mode: dropout off, batchnorm on running statistics');
  if (target) cmd.addOption(new Option('--target <target>', 'which generated module to run').choices(['js', 'wgsl', 'wasm']).default('js'));
  return cmd;
}
