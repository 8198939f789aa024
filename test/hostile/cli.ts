// Runs the command line in-process with stdout and stderr captured, and the
// contract's checks every hostile-input test makes of a run: an exit code of
// 0, 1 or 2, never "internal error", never a stack trace.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect } from 'vitest';
import { gradc } from '../helpers/cli.js';

/** One run of the command line (test/helpers/cli.ts runs it). */
export type Run = Awaited<ReturnType<typeof gradc>>;
export { gradc };

/** A stack trace line as V8 prints it. */
const STACK = /^\s+at .+(:\d+:\d+\)?|\(native\))$/mu;

/** What the contract allows of any run, however bad its input. */
export function expectContract(r: Run, what = ''): void {
  expect([0, 1, 2], `${what}: exit ${r.code}\n${r.err.slice(0, 2000)}`).toContain(r.code);
  expect(r.err, what).not.toMatch(/internal error/u);
  expect(r.err, what).not.toMatch(STACK);
}

/** A fresh temporary folder, removed after the file's tests. */
export function tempDirs(prefix: string): () => string {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  return () => {
    dirs.push(mkdtempSync(join(tmpdir(), prefix)));
    return dirs[dirs.length - 1]!;
  };
}
