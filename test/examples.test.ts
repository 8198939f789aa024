// Every example: its gradients pass `gradc check`, its backward pass costs at
// most 3× the forward pass in flops, and the window model prints as §8 of the
// language shows.
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { graphCost } from '../compiler/cost.js';
import { derivativeLines, formatLines } from '../compiler/print.js';
import { compileOk, fdCheck } from './helpers/run.js';

const dir = resolve(import.meta.dirname, '../examples');
const examples = readdirSync(dir).filter((f) => f.endsWith('.nn')).sort();
const load = (f: string) => compileOk(readFileSync(resolve(dir, f), 'utf8'));

describe('every example', () => {
  for (const f of examples) {
    it(`${f}: gradients agree with finite differences`, async () => {
      for (const t of await fdCheck(load(f))) expect(t.maxRelError, `∂/∂${t.name}`).toBeLessThan(1e-5);
    });

    it(`${f}: the backward pass costs at most 3× the forward pass`, () => {
      const model = load(f);
      const { forward, backward } = graphCost(model.train);
      // Flops are polynomials in the run-time sizes: compare them at a few.
      for (const N of [1, 32, 1000]) {
        const dims = Object.fromEntries(model.dims.filter((d) => d.value === undefined).map((d) => [d.name, N]));
        expect(backward.flops.eval(dims), `N = ${N}`).toBeLessThanOrEqual(3 * forward.flops.eval(dims));
      }
    });
  }
});

describe('the derivative in math notation', () => {
  it('prints the window model as the language reference (§8), with δ computed once', () => {
    const text = formatLines(derivativeLines(load('window.nn')));
    expect(text).toBe([
      'δ = u ⊙ 1[z > 0]   # ∂s/∂z, shape [8]',
      '∂s/∂W = δ xᵀ       # shape [8, 250]',
      '∂s/∂b = δ          # shape [8]',
      '∂s/∂u = h          # shape [8]',
      '∂s/∂x = Wᵀ δ       # shape [250]',
    ].join('\n'));
  });

  it('prints ‖W x‖² with the shared 2 W x named once', () => {
    expect(formatLines(derivativeLines(load('norm_wx.nn')))).toBe([
      'δ = 2 * W x    # ∂f/∂(W x), shape [2]',
      '∂f/∂W = δ xᵀ   # shape [2, 2]',
      '∂f/∂x = Wᵀ δ   # shape [2]',
    ].join('\n'));
  });
});

describe('tracing generated code to the model', () => {
  it('every block names the .nn line and the rule it came from, and the source map agrees', async () => {
    const { TARGETS } = await import('../targets/index.js');
    const files = TARGETS.js!.files(load('window.nn'), 'window', { source: 'window.nn' });
    const js = files.find((f) => f.name === 'window.js')!.text;
    expect(js).toMatch(/← window\.nn:10, the equation for h/);
    expect(js).toMatch(/← window\.nn:10, the backward rule of relu/);
    expect(js).toMatch(/← window\.nn:11, the backward rule of matmul/);
    const map = JSON.parse(files.find((f) => f.name === 'window.js.map')!.text);
    expect(map.sources).toEqual(['window.nn']);
    // The code under each `← window.nn:L` comment maps to line L in the source map.
    const lines = js.split('\n');
    const decoded = decodeLines(map.mappings);
    let checked = 0;
    lines.forEach((l, g) => {
      const m = /← window\.nn:(\d+)/.exec(l);
      if (!m) return;
      const code = lines.findIndex((x, k) => k > g && !x.trim().startsWith('//'));
      expect(decoded[code], lines[code]).toBe(Number(m[1]));
      checked++;
    });
    expect(checked).toBeGreaterThan(4);
  });
});

/** Source line (1-based) of each generated line, from VLQ mappings with one segment a line. */
function decodeLines(mappings: string): (number | undefined)[] {
  const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  let line = 0;
  return mappings.split(';').map((seg) => {
    if (!seg) return undefined;
    const nums: number[] = [];
    let v = 0;
    let shift = 0;
    for (const ch of seg) {
      const d = B64.indexOf(ch);
      v += (d & 31) << shift;
      if (d & 32) shift += 5;
      else {
        nums.push(v & 1 ? -(v >> 1) : v >> 1);
        v = 0;
        shift = 0;
      }
    }
    line += nums[2]!;
    return line + 1;
  });
}
