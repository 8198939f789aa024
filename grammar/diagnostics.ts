// User-facing errors and warnings, in the form the contract fixes:
//   FILE:LINE:COL: error: MESSAGE
//   <the source line>
//   <a caret under the place>
// Lines and columns are 1-based; columns count Unicode code points.

/** A place in the source: a UTF-16 offset plus its 1-based line and code-point column. */
export interface Loc {
  offset: number;
  line: number;
  col: number;
  /** Length of the marked span in UTF-16 units (at least 1 when shown). */
  length?: number;
}

export type Severity = 'error' | 'warning';

export interface Diagnostic {
  severity: Severity;
  loc: Loc;
  message: string;
  /** A mistake in the command line (a --dim the model lacks), not in the file: the CLI exits 2. */
  usage?: boolean;
}

/** Thrown (and caught at the command line) when compilation cannot go on. */
export class CompileError extends Error {
  constructor(readonly diagnostics: Diagnostic[]) {
    super(diagnostics.map((d) => d.message).join('\n'));
    this.name = 'CompileError';
  }
}

/** Collects diagnostics during one compilation; errors stop the pipeline at the next checkpoint. */
export class Diagnostics {
  readonly list: Diagnostic[] = [];

  error(loc: Loc, message: string): void {
    this.list.push({ severity: 'error', loc, message });
  }

  /** An error in the options the compiler was given rather than in the source. */
  usageError(message: string): void {
    this.list.push({ severity: 'error', loc: START, message, usage: true });
  }

  warning(loc: Loc, message: string): void {
    this.list.push({ severity: 'warning', loc, message });
  }

  get hasErrors(): boolean {
    return this.list.some((d) => d.severity === 'error');
  }

  /** Throws a CompileError holding every diagnostic so far when any is an error. */
  check(): void {
    if (this.hasErrors) throw new CompileError(this.sorted());
  }

  sorted(): Diagnostic[] {
    return [...this.list].sort((a, b) => a.loc.offset - b.loc.offset);
  }
}

/** The location of the first character of a file: for errors that belong to no token. */
export const START: Loc = { offset: 0, line: 1, col: 1 };

/** Line/column of a UTF-16 offset in `text`, columns counted in code points. */
export function locAt(text: string, offset: number, length = 1): Loc {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  const col = [...text.slice(lineStart, offset)].length + 1;
  return { offset, line, col, length };
}

/** Renders one diagnostic with its source line and caret. */
export function formatDiagnostic(file: string, source: string, d: Diagnostic, color = false): string {
  const lines = source.split('\n');
  const text = (lines[d.loc.line - 1] ?? '').replace(/\r$/, '');
  const chars = [...text];
  // Tabs stay tabs under the caret so that it lines up in a terminal.
  const pad = chars.slice(0, d.loc.col - 1).map((c) => (c === '\t' ? '\t' : ' ')).join('');
  const span = Math.max(1, Math.min(d.loc.length ?? 1, chars.length - (d.loc.col - 1)));
  const caret = '^' + (span > 1 ? '~'.repeat(span - 1) : '');
  const paint = (code: string, s: string) => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const label = d.severity === 'error' ? paint('1;31', 'error') : paint('1;35', 'warning');
  const head = `${paint('1', `${file}:${d.loc.line}:${d.loc.col}:`)} ${label}: ${d.message}`;
  return `${head}\n${text}\n${pad}${paint('1;32', caret)}`;
}
