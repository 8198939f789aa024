// grad, explain and hessian without --at do not dead-end: inputs without a
// value get check's seeded random values, and stderr says so; a values file
// that misses an input is still the contract's error naming it.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gradc } from './helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'gradc-fill-'));
const model = join(dir, 'm.nn');
writeFileSync(model, 'dim N\nparam W : [3, 2]\ninput X : [2, N]\ninput y : [N] int\nloss J = mean(softmax_cross_entropy(W X, y))\n');

describe('commands without --at fill inputs with seeded random values', () => {
  for (const cmd of ['grad', 'explain', 'hessian', 'check']) {
    it(`gradc ${cmd} MODEL.nn`, async () => {
      const r = await gradc(cmd, model);
      expect(r.code, r.err).toBe(0);
      expect(r.err).toContain("no value for input 'X': using seeded random values (N = 3), seed 0");
      expect(r.err).toContain("no value for input 'y'");
      expect(r.out.length).toBeGreaterThan(10);
    });
  }

  it('the same seed gives the same numbers, another seed others', async () => {
    const a = JSON.parse((await gradc('grad', model)).out).loss;
    expect(JSON.parse((await gradc('grad', model)).out).loss).toBe(a);
    expect(JSON.parse((await gradc('grad', model, '--seed', '5')).out).loss).not.toBe(a);
  });

  it('a values file that misses an input is still an error naming it', async () => {
    const v = join(dir, 'v.json');
    writeFileSync(v, JSON.stringify({ X: [[1, 2], [3, 4]] }));
    const r = await gradc('grad', model, '--at', v);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${v}: error: no value for input 'y'`);
  });
});
