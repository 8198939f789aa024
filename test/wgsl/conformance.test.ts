// The public conformance cases through the real command line with the WGSL
// target (`gradc grad … --target wgsl`), as CI runs them on lavapipe.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { gpuOrReason } from './util.js';

const root = resolve(import.meta.dirname, '../..');
const runner = resolve(root, '../shared/tools/conformance');
const cases = resolve(root, '../shared/conformance/public');
const have = existsSync(runner) && existsSync(cases) && existsSync(resolve(root, 'dist/bin/cli.js'));

let device: GPUDevice | undefined;
beforeAll(async () => {
  if (have) device = (await gpuOrReason('wgsl/conformance')).device;
});

describe.skipIf(!have)('public conformance cases', () => {
  it('all pass with the WGSL target', { timeout: 300_000 }, (ctx) => {
    if (!device) return ctx.skip();
    let out = '';
    try {
      out = execFileSync(process.execPath, [runner, cases, '--args', '--target wgsl', '--jobs', '2'], { cwd: root, encoding: 'utf8' });
    } catch (e) {
      out = (e as { stdout?: string }).stdout ?? String(e);
    }
    expect(out.trim().split('\n').pop()).toMatch(/^\d+ passed, 0 failed$/);
  });
});
