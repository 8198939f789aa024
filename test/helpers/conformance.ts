// The shared conformance runner (../shared/tools/conformance) over the public
// cases, through the built command line. A missing runner, missing cases or an
// unbuilt dist/ fail the calling test (`npm test` builds first); so does a run
// that passes no case.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const runner = resolve(root, '../shared/tools/conformance');
const cases = resolve(root, '../shared/conformance/public');

/** Runs the shared runner with `args`; its last line, which must say that some cases passed and none failed. */
export function conformance(args: string[], timeout: number): string {
  for (const [what, path] of [['the runner', runner], ['the cases', cases], ['the built command line (run `npm test`, which builds first)', resolve(root, 'dist/bin/cli.js')]] as const) {
    expect(existsSync(path), `${what}: ${path} is missing`).toBe(true);
  }
  let out = '';
  try {
    out = execFileSync(process.execPath, [runner, cases, ...args, '--jobs', '2'], { cwd: root, encoding: 'utf8', timeout });
  } catch (e) {
    out = (e as { stdout?: string }).stdout ?? String(e);
  }
  return out.trim().split('\n').pop() ?? '';
}

/** "N passed, 0 failed" with N at least 1. */
export const ALL_PASSED = /^[1-9]\d* passed, 0 failed$/;
