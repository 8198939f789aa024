// What a run shows: epoch lines, the progress bar on a terminal, sparklines, the curves SVG.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { EpochRecord } from '../../runtime/train/checkpoint.js';
import { curvesSvg, sparkline, ticks } from '../../runtime/train/curves.js';
import { BarReporter, epochLine, LineReporter, ratioLine } from '../../runtime/train/progress.js';

const rec = (epoch: number, train: number, val: number | null, acc: number | null, lr = 0.01): EpochRecord => ({ epoch, step: epoch * 45, train_loss: train, val_loss: val, val_accuracy: acc, lr });

function sink(tty = false): Writable & { text: string } {
  const s = new Writable({
    write(chunk, _enc, done) {
      s.text += String(chunk);
      done();
    },
  }) as Writable & { text: string; isTTY?: boolean; columns?: number };
  s.text = '';
  if (tty) Object.assign(s, { isTTY: true, columns: 120, cursorTo: () => true, clearLine: () => true, moveCursor: () => true });
  return s;
}

describe('lines', () => {
  it('an epoch line has the epoch, the step, the losses, the accuracies, the rate, the speed, the time per epoch and the time left', () => {
    expect(epochLine({ ...rec(3, 0.12345, 0.2, 0.9666), train_accuracy: 0.99 }, { epochs: 60, examplesPerSecond: 12345.6, seconds: 0.025, eta: 83 })).toBe(
      'epoch  3/60  step 135  train_loss 0.1235  val_loss 0.2000  train_accuracy 0.9900  val_accuracy 0.9666  lr 0.01  12,346 ex/s  0.03 s/epoch  eta 1 min 23 s',
    );
    expect(epochLine(rec(3, 0.00012, null, null, 3e-4), { epochs: 9, examplesPerSecond: 10, seconds: 12.4, eta: 4000 })).toBe('epoch 3/9  step 135  train_loss 1.20e-4  lr 3.00e-4  10 ex/s  12 s/epoch  eta 1 h 7 min');
    // The last epoch has no time left to show.
    expect(epochLine(rec(9, 0.1, null, null), { epochs: 9, examplesPerSecond: 10, seconds: 1, eta: 0 })).not.toContain('eta');
  });

  it('a model without inputs (no data) shows no examples/s', () => {
    expect(epochLine(rec(1, 0.5, null, null), { epochs: 80, examplesPerSecond: null, seconds: 0.001, eta: 0.1 })).toBe('epoch  1/80  step 45  train_loss 0.5000  lr 0.01  0.00 s/epoch  eta 0.10 s');
  });

  it('flags update/param ratios far from 1e-3', () => {
    expect(ratioLine(new Map([['W', 1.2e-3], ['b', 5e-2], ['c', 2e-5]]))).toBe('  update/param (rule of thumb ~1e-3): W 1.2e-3  b 5.0e-2 (high)  c 2.0e-5 (low)');
  });

  it('LineReporter writes one line per epoch and nothing per step', () => {
    const out = sink();
    const r = new LineReporter(out);
    r.epochStart(0, 2, 10, 0);
    r.step({ epoch: 0, epochs: 2, position: 1, steps: 10, step: 1, loss: 1, lr: 0.1, examplesPerSecond: 5, eta: 2 });
    r.epochEnd(rec(1, 0.5, null, null), { epochs: 2, examplesPerSecond: 100, seconds: 1.5, eta: 1.5 });
    r.close();
    expect(out.text).toBe('epoch 1/2  step 45  train_loss 0.5000  lr 0.01  100 ex/s  1.5 s/epoch  eta 1.5 s\n');
  });

  it('BarReporter draws a bar on the terminal while the epoch runs, then the line', () => {
    const out = sink();
    const tty = sink(true);
    const r = new BarReporter(out, tty as unknown as NodeJS.WriteStream);
    r.epochStart(0, 3, 10, 0);
    r.step({ epoch: 0, epochs: 3, position: 4, steps: 10, step: 4, loss: 0.75, lr: 0.01, examplesPerSecond: 2000, eta: 65 });
    r.epochEnd(rec(1, 0.5, 0.6, 0.9), { epochs: 3, examplesPerSecond: 100, seconds: 3, eta: 6 });
    r.close();
    expect(tty.text).toMatch(/epoch 1\/3 .* \d+\/10 \| loss/u);
    expect(tty.text).toContain('eta 1 min 5 s');
    expect(out.text).toBe('epoch 1/3  step 45  train_loss 0.5000  val_loss 0.6000  val_accuracy 0.9000  lr 0.01  100 ex/s  3.0 s/epoch  eta 6.0 s\n');
  });
});

describe('sparklines', () => {
  it('map the smallest value to ▁ and the largest to █', () => {
    expect(sparkline([1, 2, 3, 4, 5, 6, 7, 8])).toBe('▁▂▃▄▅▆▇█');
    expect(sparkline([3, 3, 3])).toBe('▁▁▁');
    expect(sparkline([])).toBe('');
  });

  it('average long series into at most `width` characters, and use a log scale over a wide range', () => {
    expect(sparkline(Array.from({ length: 1000 }, (_, k) => k), 40)).toHaveLength(40);
    // 1, 10, 100, 1000 are evenly spaced on a log scale.
    expect(sparkline([1000, 100, 10, 1])).toBe('█▆▃▁');
  });
});

describe('curves SVG', () => {
  it('draws loss (log scale over a wide range), accuracy and lr panels', () => {
    const h = [rec(1, 2, 1.5, 0.5), rec(2, 0.1, 0.3, 0.9), rec(3, 0.01, 0.2, 0.95)];
    const svg = curvesSvg(h, 'm.nn: 3 epochs');
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/u);
    expect(svg).toContain('loss (log scale)');
    expect(svg).toContain('validation accuracy');
    expect(svg).toContain('learning rate');
    expect(svg.match(/<polyline /gu)).toHaveLength(4);
    expect(svg).not.toMatch(/NaN|Infinity/u);
  });

  it('leaves out the accuracy panel without accuracy, and survives a single epoch', () => {
    const svg = curvesSvg([rec(1, 0.5, null, null)], 'x & y');
    expect(svg).not.toContain('validation accuracy');
    expect(svg).toContain('x &amp; y');
    expect(svg).not.toMatch(/NaN|Infinity/u);
  });

  it('ticks are round numbers covering the range', () => {
    expect(ticks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(ticks(1, 60, 6)).toEqual([10, 20, 30, 40, 50, 60]);
  });
});
