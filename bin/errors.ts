// How the command line reports what went wrong, with the contract's exit
// codes: 1 when the model, the values or the data are wrong, 2 when the
// command line is wrong. Never a stack trace (set GRADC_DEBUG=1 to see one).
import { CompileError, formatDiagnostic, type Diagnostic, type Loc } from '../grammar/diagnostics.js';
import { GpuUnavailableError } from '../runtime/gpu/device.js';
import { ValuesError } from '../runtime/values.js';

/** A mistake in the command line (exit 2). */
export class UsageError extends Error {}

/** A mistake in the user's model, values or data, already worded (exit 1). */
export class UserError extends Error {}

/** The file and text each model was read from, so an error found later can point into it. */
export const SOURCES = new WeakMap<object, { file: string; source: string }>();

/** A mistake at a place in a model found after it compiled (a param whose size nothing gives): exit 1. */
export class ModelError extends Error {
  constructor(readonly model: object, readonly loc: Loc, message: string) {
    super(message);
  }
}

/** Whether stderr is a terminal (also in bin/launch.ts's child, whose stderr is the filter's pipe). */
export function stderrIsTTY(): boolean {
  return !!process.stderr.isTTY || process.env.GRADC_STDERR_TTY === '1';
}

export function useColor(stream: NodeJS.WriteStream = process.stderr): boolean {
  const tty = stream === process.stderr ? stderrIsTTY() : !!stream.isTTY;
  return tty && !process.env.NO_COLOR && process.env.TERM !== 'dumb';
}

export function printDiagnostics(file: string, source: string, list: readonly Diagnostic[]): void {
  const color = useColor();
  for (const d of list) process.stderr.write(formatDiagnostic(file, source, d, color) + '\n');
}

/** Reports an error thrown by a command (`command`: the one that ran, for its --help); returns the exit code. */
export function report(e: unknown, command?: string): number {
  if (e instanceof CompileError) return 1; // already printed with its source
  if (e instanceof ModelError) {
    const src = SOURCES.get(e.model);
    if (src) printDiagnostics(src.file, src.source, [{ severity: 'error', loc: e.loc, message: e.message }]);
    else process.stderr.write(`error: ${e.message}\n`);
    return 1;
  }
  if (e instanceof ValuesError || e instanceof UserError) {
    process.stderr.write(`${e.message}\n`);
    return 1;
  }
  if (e instanceof GpuUnavailableError) {
    process.stderr.write(`gradc: error: ${e.reason}\n`);
    return 1;
  }
  if (e instanceof UsageError) {
    process.stderr.write(`gradc: error: ${e.message}\nTry 'gradc ${command && command !== 'compile' ? `${command} ` : ''}--help'.\n`);
    return 2;
  }
  const err = e as Error;
  if (err instanceof RangeError && /call stack/u.test(err.message)) {
    // compiler/analyze/depth.ts refuses models deeper than the passes handle; this is the last guard.
    process.stderr.write('gradc: error: the model nests too deep for gradc (the stack ran out): split long expressions into equations\n');
    return 1;
  }
  if (process.env.GRADC_DEBUG) process.stderr.write(`${err?.stack ?? err}\n`);
  process.stderr.write(`gradc: internal error: ${err?.message ?? err}\nThis is a bug in gradc; please report it with the model that caused it.\n`);
  return 70;
}
