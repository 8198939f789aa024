// The public conformance cases (../shared/conformance), run through the real
// command line with the shared runner, as CI and outside scripts run them.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');
const runner = resolve(root, '../shared/tools/conformance');
const cases = resolve(root, '../shared/conformance/public');
const have = existsSync(runner) && existsSync(cases) && existsSync(resolve(root, 'dist/bin/cli.js'));

describe.skipIf(!have)('public conformance cases', () => {
  it('all pass with the JS target', () => {
    let out = '';
    try {
      out = execFileSync(process.execPath, [runner, cases, '--jobs', '2'], { cwd: root, encoding: 'utf8' });
    } catch (e) {
      out = (e as { stdout?: string }).stdout ?? String(e);
    }
    expect(out.trim().split('\n').pop()).toMatch(/^\d+ passed, 0 failed$/);
  }, 120_000);
});

if (!have) console.log('conformance: ../shared/conformance or dist/ not found; skipped (run `npm test`, which builds first)');
