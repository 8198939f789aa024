// How the command line reports what went wrong, with the contract's exit
// codes: 1 when the model, the values or the data are wrong, 2 when the
// command line is wrong. Never a stack trace (set GRADC_DEBUG=1 to see one).
import { CompileError, formatDiagnostic, type Diagnostic } from '../compiler/diagnostics.js';
import { GpuUnavailableError } from '../runtime/gpu/device.js';
import { ValuesError } from '../runtime/values.js';

/** A mistake in the command line (exit 2). */
export class UsageError extends Error {}

/** A mistake in the user's model, values or data, already worded (exit 1). */
export class UserError extends Error {}

export function useColor(stream: NodeJS.WriteStream = process.stderr): boolean {
  return !!stream.isTTY && !process.env.NO_COLOR && process.env.TERM !== 'dumb';
}

export function printDiagnostics(file: string, source: string, list: readonly Diagnostic[]): void {
  const color = useColor();
  for (const d of list) process.stderr.write(formatDiagnostic(file, source, d, color) + '\n');
}

/** Reports an error thrown by a command; returns the exit code. */
export function report(e: unknown): number {
  if (e instanceof CompileError) return 1; // already printed with its source
  if (e instanceof ValuesError || e instanceof UserError) {
    process.stderr.write(`${e.message}\n`);
    return 1;
  }
  if (e instanceof GpuUnavailableError) {
    process.stderr.write(`gradc: error: ${e.reason}\n`);
    return 1;
  }
  if (e instanceof UsageError) {
    process.stderr.write(`gradc: error: ${e.message}\nTry 'gradc --help'.\n`);
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
