// The gradc command line (cli-and-modules.md). Commands live in commands/;
// this file wires them to commander and turns every failure into a message and
// an exit code.
import { Command, CommanderError, Option } from 'commander';
import { checkCommand } from './commands/check.js';
import { compileCommand, EMITTERS } from './commands/compile.js';
import { gradCommand } from './commands/grad.js';
import { report } from './errors.js';
import { VERSION } from './version.js';

const collect = (v: string, prev: string[]) => [...prev, v];

/** Options shared by the commands that run a model. */
function runOptions(cmd: Command, target = true): Command {
  cmd
    .option('--at <values.json>', 'values of inputs and params, by name (JSON)')
    .option('--dim <name=value>', 'set a dim (repeatable), e.g. --dim N=4', collect, [])
    .option('--seed <n>', 'seed for initializers and dropout masks', '0')
    .option('--eval', 'eval mode: dropout off, batchnorm on running statistics');
  if (target) cmd.addOption(new Option('--target <target>', 'which generated module to run').choices(['js', 'wgsl']).default('js'));
  return cmd;
}

export function program(): Command {
  const p = new Command('gradc')
    .description('A symbolic gradient compiler: .nn models to readable JS and WGSL modules')
    .version(VERSION, '-v, --version')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s), writeOut: (s) => process.stdout.write(s) });

  p.command('compile', { isDefault: true })
    .description('compile MODEL.nn: write MODEL.js, MODEL.d.ts (and the WebGPU module), print a summary')
    .argument('<model>', 'the .nn file')
    .option('-o, --output <dir>', 'folder for the generated files (default: the model\'s folder)')
    .option('--target <target>', 'js, wgsl or all', 'all')
    .option('--emit <kind>', `print instead of writing: ${Object.keys(EMITTERS).join(', ')}`)
    .option('--dim <name=value>', 'set a dim (repeatable)', collect, [])
    .addOption(new Option('--precision <p>', 'float precision of the generated module').choices(['f32', 'f64']).default('f32'))
    .option('--eval', 'with --emit: show eval mode')
    .action(async (model, opts) => {
      exit = compileCommand(model, opts);
    });

  runOptions(p.command('grad'))
    .description('run the generated module once: loss, outputs and every gradient as JSON')
    .argument('<model>', 'the .nn file')
    .addOption(new Option('--precision <p>', 'float precision').choices(['f32', 'f64']).default('f32'))
    .action(async (model, opts) => {
      exit = await gradCommand(model, opts);
    });

  runOptions(p.command('check'), false)
    .description('compare every gradient with central finite differences (float64)')
    .argument('<model>', 'the .nn file')
    .option('--tol <r>', 'largest relative error allowed', '1e-5')
    .option('--max <n>', 'elements checked per tensor at most (evenly sampled)', '400')
    .option('--json', 'machine-readable output')
    .action(async (model, opts) => {
      exit = await checkCommand(model, opts);
    });

  return p;
}

let exit = 0;

export async function main(argv: string[]): Promise<number> {
  exit = 0;
  try {
    await program().parseAsync(argv, { from: 'user' });
    return exit;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
      return 2;
    }
    return report(e);
  }
}
