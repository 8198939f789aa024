// examples/mlp.nn trained on real handwritten digits with the generated
// module's own `step` (Adam, from the model): the loss must fall.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { instantiate } from '../../runtime/instantiate.js';
import { compileOk } from '../helpers/run.js';

const root = resolve(import.meta.dirname, '../..');

function digits(limit: number): { X: Float32Array[]; y: number[] } {
  const text = gunzipSync(readFileSync(resolve(root, 'examples/data/digits.csv.gz'))).toString('utf8');
  const rows = text.trim().split('\n').slice(0, limit).map((l) => l.split(',').map(Number));
  return { X: rows.map((r) => Float32Array.from(r.slice(0, 64), (p) => p / 16)), y: rows.map((r) => r[64]!) };
}

/** A batch as the model wants it: one example per column of X [64, N]. */
function batch(data: ReturnType<typeof digits>, start: number, n: number) {
  const X = new Float32Array(64 * n);
  const y = new Int32Array(n);
  for (let j = 0; j < n; j++) {
    const k = (start + j) % data.y.length;
    for (let i = 0; i < 64; i++) X[i * n + j] = data.X[k]![i]!;
    y[j] = data.y[k]!;
  }
  return { X, y };
}

describe('training mlp.nn on digits', () => {
  it('step makes the loss fall and the accuracy rise', async () => {
    const model = compileOk(readFileSync(resolve(root, 'examples/mlp.nn'), 'utf8'));
    const m = await instantiate(model, { seed: 0 });
    const data = digits(640);
    const held = batch(data, 0, 128); // the first 128 are held out
    const accuracy = () => {
      const p = m.forward(held).outputs.p as Float32Array; // softmax [10, 128]
      let right = 0;
      for (let j = 0; j < 128; j++) {
        let best = 0;
        for (let c = 1; c < 10; c++) if (p[c * 128 + j]! > p[best * 128 + j]!) best = c;
        if (best === held.y[j]) right++;
      }
      return right / 128;
    };
    const before = { loss: m.forward(held).loss, accuracy: accuracy() };
    const losses: number[] = [];
    for (let epoch = 0; epoch < 4; epoch++) {
      for (let s = 128; s < 640; s += 32) losses.push(m.step(batch(data, s, 32)));
    }
    const after = { loss: m.forward(held).loss, accuracy: accuracy() };
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(losses.slice(-16))).toBeLessThan(0.5 * mean(losses.slice(0, 16)));
    expect(after.loss).toBeLessThan(0.5 * before.loss);
    expect(after.accuracy).toBeGreaterThan(Math.max(0.8, before.accuracy + 0.5));
  });
});
