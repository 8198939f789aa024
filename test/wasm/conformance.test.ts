// The public conformance cases through the real command line with the wasm
// target (`gradc grad … --target wasm`), with the shared runner.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const runner = resolve(root, '../shared/tools/conformance');
const cases = resolve(root, '../shared/conformance/public');
const have = existsSync(runner) && existsSync(cases) && existsSync(resolve(root, 'dist/bin/cli.js'));

describe.skipIf(!have)('public conformance cases', () => {
  it('all pass with the wasm target', () => {
    let out = '';
    try {
      out = execFileSync(process.execPath, [runner, cases, '--args', '--target wasm', '--jobs', '2'], { cwd: root, encoding: 'utf8' });
    } catch (e) {
      out = (e as { stdout?: string }).stdout ?? String(e);
    }
    expect(out.trim().split('\n').pop()).toMatch(/^[1-9]\d* passed, 0 failed$/);
  }, 120_000);
});

if (!have) console.log('wasm conformance: ../shared/conformance or dist/ not found; skipped (run `npm test`, which builds first)');
