// The gradc command line (cli-and-modules.md). Each command lives in
// commands/ and registers itself; this file wires them to commander and turns
// every failure into a message and an exit code.
import { Command, CommanderError } from 'commander';
import { COMMANDS } from './commands/index.js';
import { report } from './errors.js';
import { VERSION } from './version.js';

export function program(setExit: (code: number) => void): Command {
  const p = new Command('gradc')
    .description('A symbolic gradient compiler: .nn models to readable JS and WGSL modules')
    .version(VERSION, '-v, --version')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s), writeOut: (s) => process.stdout.write(s) });
  for (const register of COMMANDS) register(p, setExit);
  return p;
}

export async function main(argv: string[]): Promise<number> {
  let exit = 0;
  try {
    await program((code) => (exit = code)).parseAsync(argv, { from: 'user' });
    return exit;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
      return 2;
    }
    return report(e);
  }
}
