// gradc train, run in-process through the real command line: exact --resume,
// NaN stops that keep the last good checkpoint, data errors that write
// nothing, early stopping, the --json object, and the digits example.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { gradc } from '../helpers/cli.js';
import type { Checkpoint } from '../../runtime/train/checkpoint.js';
import { split } from '../../runtime/train/shuffle.js';
import { live } from './util.js';

const root = resolve(import.meta.dirname, '../..');
const IRIS = join(root, 'examples/data/iris.csv');
const DIGITS = join(root, 'examples/data/digits.csv.gz');

const dirs: string[] = [];
const tmp = () => {
  dirs.push(mkdtempSync(join(tmpdir(), 'gradc-train-')));
  return dirs[dirs.length - 1]!;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const readCk = (p: string) => JSON.parse(readFileSync(p, 'utf8')) as Checkpoint;

/** Iris with the training-time layers, so that dropout masks and running statistics must resume too. */
const IRIS_MODEL = `
dim N
input X : [4, N]
input y : [N] int
param W1 : [8, 4] ~ he
param γ : [8] ~ ones
param β : [8]
param W2 : [3, 8] ~ xavier
param b2 : [3]
optimizer adam(lr = 0.02, weight_decay = 1e-3, clip = 5)
schedule warmup(steps = 10, then = cosine(period = 60))
H = dropout(relu(batchnorm(W1 X, γ, β)), 0.2)
F = W2 H + b2
loss J = mean(softmax_cross_entropy(F, y))
output p = softmax(F)
`;

function setup(model = IRIS_MODEL): { dir: string; model: string } {
  const dir = tmp();
  writeFileSync(join(dir, 'iris.nn'), model);
  return { dir, model: join(dir, 'iris.nn') };
}

const json = (out: string) => JSON.parse(out.trim().split('\n').pop()!) as Record<string, unknown>;

describe('gradc train --resume', () => {
  const common = ['--data', IRIS, '--val', '0.2', '--batch', '16', '--seed', '3', '--json'];

  it('stopped mid-epoch (--steps) and resumed equals an uninterrupted run: state, history and results', async () => {
    const { dir, model } = setup();
    const full = await gradc('train', model, ...common, '--epochs', '5', '--checkpoint', join(dir, 'full.ckpt.json'));
    expect(full.code, full.err).toBe(0);
    const part = await gradc('train', model, ...common, '--epochs', '5', '--steps', '13', '--checkpoint', join(dir, 'part.ckpt.json'));
    expect(part.code, part.err).toBe(0);
    const mid = readCk(join(dir, 'part.ckpt.json'));
    expect([mid.step, mid.epoch, mid.position]).toEqual([13, 1, 5]); // 120 training examples: 8 steps an epoch
    const again = await gradc('train', model, '--data', IRIS, '--resume', '--json', '--checkpoint', join(dir, 'part.ckpt.json'));
    expect(again.code, again.err).toBe(0);
    const [a, b] = [readCk(join(dir, 'full.ckpt.json')), readCk(join(dir, 'part.ckpt.json'))];
    expect(b.step).toBe(40);
    expect(b.state).toEqual(a.state);
    expect(b.history).toEqual(a.history);
    const { seconds: _s1, checkpoint: _c1, curves: ca, ...ra } = json(full.out) as Record<string, unknown> & { curves: Record<string, unknown>[] };
    const { seconds: _s2, checkpoint: _c2, curves: cb, ...rb } = json(again.out) as Record<string, unknown> & { curves: Record<string, unknown>[] };
    expect(rb).toEqual(ra);
    // The resumed run's curves are its own epochs (2 to 5), measured at the same params; only the
    // update/param ratio of epoch 2, resumed mid-way, counts fewer steps (its sums are not checkpointed).
    expect(cb.map((c) => c.epoch)).toEqual([2, 3, 4, 5]);
    expect(cb.slice(1)).toEqual(ca.slice(2));
    const { update_ratios: _u1, ...ea } = ca[1]!;
    const { update_ratios: _u2, ...eb } = cb[0]!;
    expect(eb).toEqual(ea);
    // Running statistics and Adam's moments are in the checkpoint.
    expect(Object.keys(b.state)).toEqual(expect.arrayContaining(['W1.m', 'W1.v', '@bn0_mean', '@bn0_var', '@step']));
  });

  it('resumed at an epoch boundary, with more epochs asked for, equals the longer run', async () => {
    const { dir, model } = setup();
    await gradc('train', model, ...common, '--epochs', '4', '--checkpoint', join(dir, 'full.ckpt.json'));
    await gradc('train', model, ...common, '--epochs', '2', '--checkpoint', join(dir, 'part.ckpt.json'));
    const r = await gradc('train', model, '--data', IRIS, '--resume', '--epochs', '4', '--checkpoint', join(dir, 'part.ckpt.json'));
    expect(r.code, r.err).toBe(0);
    expect(readCk(join(dir, 'part.ckpt.json')).state).toEqual(readCk(join(dir, 'full.ckpt.json')).state);
    expect(r.out).toMatch(/^epoch 3\/4 /mu);
    expect(r.out).not.toMatch(/^epoch 1\/4 /mu);
  });

  it('refuses to resume with other batches or other data', async () => {
    const { dir, model } = setup();
    const ck = join(dir, 'm.ckpt.json');
    await gradc('train', model, ...common, '--epochs', '1', '--checkpoint', ck);
    const batch = await gradc('train', model, '--data', IRIS, '--resume', '--batch', '8', '--checkpoint', ck);
    expect(batch.code).toBe(2);
    expect(batch.err).toMatch(/--batch 8 differs from the checkpoint's 16/u);
    const other = join(dir, 'other.csv');
    writeFileSync(other, readFileSync(IRIS, 'utf8').split('\n').slice(0, 100).join('\n'));
    const data = await gradc('train', model, '--data', other, '--resume', '--checkpoint', ck);
    expect(data.code).toBe(1);
    expect(data.err).toMatch(/not the data the checkpoint was trained on/u);
    const none = await gradc('train', model, '--data', IRIS, '--resume', '--checkpoint', join(dir, 'missing.json'));
    expect(none.code).toBe(1);
    expect(none.err).toMatch(/no checkpoint to resume from/u);
  });
});

describe('gradc train stops at the first NaN', () => {
  it('names the tensor and the step, and keeps the last good checkpoint', async () => {
    // sgd on √w: w = 1, 0.75, 0.46, 0.09, −0.73; the forward pass at step 5 takes √ of a negative number.
    const { dir, model } = setup('param w = 1\noptimizer sgd(lr = 0.5)\ns = sqrt(w)\nloss J = s\n');
    const ck = join(dir, 'w.ckpt.json');
    const r = await gradc('train', model, '--epochs', '10', '--checkpoint', ck);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/iris\.nn:3:1: error: at step 5 \(epoch 5\), NaN first appears in the forward pass at sqrt\(w\) \(in the equation for 's'\)/u);
    expect(r.err).toMatch(/last good checkpoint \(step 4\) is kept in .*w\.ckpt\.json/u);
    const kept = readCk(ck);
    expect(kept.step).toBe(4);
    expect(kept.state['@step']).toEqual([4]);
    expect(Number.isFinite(kept.state.w![0])).toBe(true);
    expect(kept.history.map((h) => h.train_loss).every(Number.isFinite)).toBe(true);
  });

  it('names a param that an update overflows', async () => {
    const { dir, model } = setup('param w = 1\noptimizer sgd(lr = 1e30)\nloss J = w * w\n');
    const ck = join(dir, 'w.ckpt.json');
    const r = await gradc('train', model, '--epochs', '10', '--checkpoint', ck);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/iris\.nn:1:7: error: at step 2 \(epoch 2\), param 'w' became Infinity/u);
    expect(readCk(ck).step).toBe(1);
  });

  it('on real data: a square root of a param that training drives negative', async () => {
    // c falls by about lr = 0.2 a step: 0.8, 0.6, 0.4, 0.2, then just below 0 at step 5.
    const { dir, model } = setup(`dim N\ninput X : [4, N]\ninput y : [N] int\nparam W : [3, 4] ~ zeros\nparam c = 1\noptimizer sgd(lr = 0.2)
F = W X\nloss J = mean(softmax_cross_entropy(F, y)) + c + 0.001 * sqrt(c)\n`);
    const ck = join(dir, 'm.ckpt.json');
    const r = await gradc('train', model, '--data', IRIS, '--epochs', '5', '--batch', '50', '--checkpoint', ck);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/iris\.nn:8:6: error: at step 6 \(epoch 2\), NaN first appears in the forward pass at sqrt\(c\) \(in the equation for 'J'\)/u);
    expect(r.err).toMatch(/last good checkpoint \(step 3\)/u);
    const kept = readCk(ck);
    expect([kept.step, kept.epoch]).toEqual([3, 1]);
    expect(kept.state.c![0]).toBeGreaterThan(0);
    expect(r.out).toMatch(/^epoch 1\/5 /mu);
  });
});

describe('gradc train: data errors load nothing and write nothing', () => {
  it.each([
    ['bad.csv', '5.1,3.5,1.4,0.2,0\n4.9,3.0,abc,0.2,0\n', /bad\.csv:2:9: error: column 2 \(X\[2\]\): 'abc' is not a number/u],
    ['bad.csv', '5.1,3.5,1.4,0.2,0\n4.9,3.0,1.4,0\n', /bad\.csv:2: error: 4 columns, but the first row has 5/u],
    ['bad.csv', '5.1,3.5,1.4,0.2,0\n4.9,3.0,1.4,0.2,0\n4.9,3.0,1.4,0.2,3\n', /bad\.csv:3:17: error: column 4 \(y\): label 3 is out of range/u],
  ])('%s: %j', async (name, text, message) => {
    const { dir, model } = setup();
    const data = join(dir, name);
    writeFileSync(data, text);
    const r = await gradc('train', model, '--data', data, '--checkpoint', join(dir, 'm.ckpt.json'));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(message);
    expect(r.out).toBe('');
    expect(existsSync(join(dir, 'm.ckpt.json'))).toBe(false);
  });

  it('usage mistakes exit 2', async () => {
    const { model } = setup();
    expect((await gradc('train', model)).code).toBe(2); // no --data for a model with inputs
    expect((await gradc('train', model, '--data', IRIS, '--val', '1.5')).code).toBe(2);
    expect((await gradc('train', model, '--data', IRIS, '--epochs', '0')).code).toBe(2);
    expect((await gradc('train', model, '--data', join(root, 'nope.csv'))).code).toBe(2);
    expect((await gradc('train', model, '--data', DIGITS)).err).toMatch(/--columns X=0:4,y=4/u);
  });
});

describe('gradc train: results', () => {
  it('--json prints one object with the fixed keys; the curves SVG lies next to the checkpoint', async () => {
    const { dir, model } = setup();
    const ck = join(dir, 'run.ckpt.json');
    const r = await gradc('train', model, '--data', IRIS, '--val', '0.2', '--epochs', '3', '--checkpoint', ck, '--json');
    expect(r.code, r.err).toBe(0);
    expect(r.out.trim().split('\n')).toHaveLength(1);
    const o = json(r.out);
    expect(Object.keys(o).sort()).toEqual(['checkpoint', 'curves', 'epochs', 'seconds', 'steps', 'train_loss', 'val_accuracy', 'val_loss'].sort());
    expect(o).toMatchObject({ epochs: 3, steps: 12, checkpoint: ck }); // 120 training examples, batches of 32
    const svg = readFileSync(join(dir, 'run.curves.svg'), 'utf8');
    expect(svg).toMatch(/^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/u);
    expect(svg).toContain('val loss');
    expect(svg).toContain('validation accuracy');
    expect(svg).toContain('learning rate');
    expect(svg.trim().endsWith('</svg>')).toBe(true);
  });

  it('val_accuracy is the argmax accuracy of the checkpoint on the held-out examples', async () => {
    const src = 'dim N\ninput X : [4, N]\ninput y : [N] int\nparam W : [3, 4] ~ zeros\nparam b : [3]\noptimizer adam(lr = 0.05)\nF = W X + b\nloss J = mean(softmax_cross_entropy(F, y))\noutput p = softmax(F)\n';
    const { dir, model } = setup(src);
    const ck = join(dir, 'm.ckpt.json');
    const r = await gradc('train', model, '--data', IRIS, '--val', '0.3', '--epochs', '4', '--seed', '5', '--checkpoint', ck, '--json');
    const o = json(r.out);
    const m = await live(src);
    m.load(readCk(ck).state);
    m.eval();
    const rows = readFileSync(IRIS, 'utf8').trim().split('\n').slice(1).map((l) => l.split(',').map(Number));
    const val = split(150, 0.3, 5).val;
    let right = 0;
    let loss = 0;
    for (const k of val) {
      const row = rows[k]!;
      const f = m.forward({ X: row.slice(0, 4), y: [row[4]!] });
      const p = Array.from(f.outputs.p as Float32Array);
      if (p.indexOf(Math.max(...p)) === row[4]) right++;
      loss += f.loss;
    }
    expect(o.val_accuracy).toBeCloseTo(right / val.length, 12);
    expect(o.val_loss as number).toBeCloseTo(loss / val.length, 5);
  });

  it('--patience stops when the validation loss has not improved for that many epochs', async () => {
    const { dir, model } = setup('dim N\ninput X : [4, N]\ninput y : [N] int\nparam W : [3, 4]\noptimizer sgd(lr = 0)\nloss J = mean(softmax_cross_entropy(W X, y))\n');
    const r = await gradc('train', model, '--data', IRIS, '--val', '0.2', '--epochs', '10', '--patience', '2', '--checkpoint', join(dir, 'm.ckpt.json'), '--json');
    expect(r.code, r.err).toBe(0);
    expect(json(r.out).epochs).toBe(3); // epoch 1 sets the best; 2 and 3 do not improve on it
  });

  it('--verbose prints the update/param ratio of every param', async () => {
    const { dir, model } = setup();
    const r = await gradc('train', model, '--data', IRIS, '--epochs', '1', '--verbose', '--checkpoint', join(dir, 'm.ckpt.json'));
    expect(r.out).toMatch(/update\/param \(rule of thumb ~1e-3\): W1 \d\.\de-\d+.* γ .* β .* W2 .* b2 /u);
  });

  it('trains a model without inputs (a loss surface), one step per epoch', async () => {
    const r = await gradc('train', join(root, 'examples/ravine.nn'), '--epochs', '80', '--checkpoint', join(tmp(), 'r.ckpt.json'), '--json');
    expect(r.code, r.err).toBe(0);
    expect(json(r.out)).toMatchObject({ epochs: 80, steps: 80, val_loss: null, val_accuracy: null });
    expect(json(r.out).train_loss as number).toBeLessThan(1e-2);
  });
});

describe('the digits example', () => {
  it('reaches val_accuracy ≥ 0.97 with the README command', async () => {
    const ck = join(tmp(), 'digits.ckpt.json');
    const r = await gradc('train', join(root, 'examples/digits.nn'), '--data', DIGITS, '--columns', 'X=0:64,y=64', '--val', '0.2', '--seed', '0', '--json', '--checkpoint', ck);
    expect(r.code, r.err).toBe(0);
    const o = json(r.out);
    expect(o.epochs).toBe(60);
    expect(o.val_accuracy as number).toBeGreaterThanOrEqual(0.97);
  }, 120_000);
});
