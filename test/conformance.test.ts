// The public conformance cases (../shared/conformance), run through the real
// command line with the shared runner, as CI and outside scripts run them.
import { describe, expect, it } from 'vitest';
import { ALL_PASSED, conformance } from './helpers/conformance.js';

describe('public conformance cases', () => {
  it('all pass with the JS target', () => {
    expect(conformance([], 110_000)).toMatch(ALL_PASSED);
  }, 120_000);
});
