// gradc check never passes vacuously: on an embedding, whose gradient is
// nonzero in one column of E only, the sample holds every nonzero entry and
// the tensor's largest ones, and the report says how many were checked.
import { describe, expect, it } from 'vitest';
import { samplePicks } from '../bin/commands/sample.js';
import { fdCheck, compileOk } from './helpers/run.js';
import { gradc } from './helpers/cli.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const EMBED = 'dim d = 10, V = 997\ninput i : int\nparam E : [d, V] ~ normal(1)\nparam u : [d] ~ normal(1)\nloss s = uᵀ tanh(E[:, i])';

describe('check samples the entries that matter', () => {
  it('every nonzero entry of an embedding gradient is checked', async () => {
    const model = compileOk(EMBED);
    for (const seed of [0, 1, 2, 3]) {
      const e = (await fdCheck(model, {}, seed)).find((t) => t.name === 'E')!;
      expect(e.size).toBe(9970);
      expect(e.nonzero).toBe(10);
      expect(e.nonzeroChecked).toBe(10);
      expect(e.checked).toBeLessThanOrEqual(60);
    }
  });

  it('half the budget goes to the largest entries, the rest is spread evenly', () => {
    const g = Array.from({ length: 1000 }, (_, k) => (k % 97 === 5 ? k : 0));
    const picks = samplePicks(g, 20);
    expect(picks.length).toBe(20);
    expect(new Set(picks).size).toBe(20);
    const largest = [...g.keys()].filter((k) => g[k] !== 0).sort((a, b) => g[b]! - g[a]!).slice(0, 10);
    for (const k of largest) expect(picks).toContain(k);
    const rest = picks.filter((k) => !largest.includes(k));
    expect(Math.max(...rest) - Math.min(...rest)).toBeGreaterThan(800);
    expect(samplePicks([1, 0, 2], 5)).toEqual([0, 1, 2]);
  });

  it('the report says how many were checked', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gradc-check-'));
    writeFileSync(join(dir, 'e.nn'), EMBED);
    const r = await gradc('check', join(dir, 'e.nn'), '--max', '50');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/E\s+50\/9970\s+10\/10/u);
    expect(r.out).toContain('checked 60 of 9980 elements');
  });
});
