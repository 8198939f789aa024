// The gradc command line (cli-and-modules.md). Each command lives in
// commands/ and registers itself; this file wires them to commander and turns
// every failure into a message and an exit code.
import { Command, CommanderError } from 'commander';
import { COMMANDS } from './commands/index.js';
import { report, UsageError } from './errors.js';
import { unknownCommand } from './suggest.js';
import { VERSION } from './version.js';

export function program(setExit: (code: number) => void, ran: { command?: string } = {}): Command {
  const p = new Command('gradc')
    .description('A symbolic gradient compiler: .nn models to readable JS and WGSL modules')
    .version(VERSION, '-v, --version')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s), writeOut: (s) => process.stdout.write(s) });
  for (const register of COMMANDS) register(p, setExit);
  p.hook('preAction', (_, action) => {
    ran.command = action.name();
  });
  return p;
}

export async function main(argv: string[]): Promise<number> {
  let exit = 0;
  const ran: { command?: string } = {};
  try {
    const p = program((code) => (exit = code), ran);
    const typo = unknownCommand(argv, [...p.commands.map((c) => c.name()), 'help']);
    if (typo) throw new UsageError(typo);
    await p.parseAsync(argv, { from: 'user' });
    return exit;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
      return 2;
    }
    return report(e, ran.command);
  }
}
