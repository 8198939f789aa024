// The public conformance cases through the real command line with the WGSL
// target (`gradc grad … --target wgsl`), as CI runs them on lavapipe. Without a
// WebGPU adapter the test says why it is skipped.
import { describe, expect, it } from 'vitest';
import { ALL_PASSED, conformance } from '../helpers/conformance.js';
import { gpuOrReason } from './util.js';

describe('public conformance cases', () => {
  it('all pass with the WGSL target', { timeout: 300_000 }, async (ctx) => {
    const { reason } = await gpuOrReason('wgsl/conformance');
    if (reason) return ctx.skip(reason);
    expect(conformance(['--args', '--target wgsl'], 290_000)).toMatch(ALL_PASSED);
  });
});
