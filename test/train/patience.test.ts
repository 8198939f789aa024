// --patience stops with the best epoch's params (in the module and in the
// checkpoint) and says which epoch that was; the epoch lines show train
// accuracy beside val's, seconds per epoch and the time left; a model without
// data shows no examples/s.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Checkpoint } from '../../runtime/train/checkpoint.js';
import { gradc } from '../helpers/cli.js';

const root = resolve(import.meta.dirname, '../..');
const IRIS = join(root, 'examples/data/iris.csv');
const dir = mkdtempSync(join(tmpdir(), 'gradc-patience-'));
// A learning rate far too high: the validation loss wanders, so the best epoch is not the last.
const model = join(dir, 'm.nn');
writeFileSync(model, 'dim N\ninput X : [4, N]\ninput y : [N] int\nparam W : [3, 4]\nparam b : [3]\noptimizer sgd(lr = 2)\nF = W X + b\noutput p = softmax(F)\nloss J = mean(softmax_cross_entropy(F, y))\n');
const ckpt = (name: string) => JSON.parse(readFileSync(join(dir, name), 'utf8')) as Checkpoint;

describe('--patience restores the best epoch', () => {
  it("stops with the best epoch's params and names the epoch", async () => {
    const r = await gradc('train', model, '--data', IRIS, '--val', '0.3', '--epochs', '60', '--batch', '8', '--patience', '3', '--checkpoint', join(dir, 'a.json'));
    expect(r.code, r.err).toBe(0);
    const a = ckpt('a.json');
    const vals = a.history.map((h) => h.val_loss!);
    const best = vals.indexOf(Math.min(...vals)) + 1;
    expect(a.history.length).toBeGreaterThan(best); // it stopped later than the best epoch
    expect(r.out).toContain(`restored the params of epoch ${best}, the best validation loss`);

    // The same run stopped at the best epoch has exactly the restored params.
    const b = await gradc('train', model, '--data', IRIS, '--val', '0.3', '--epochs', String(best), '--batch', '8', '--checkpoint', join(dir, 'b.json'), '--json');
    expect(b.code, b.err).toBe(0);
    const s = ckpt('b.json').state;
    expect(a.state.W).toEqual(s.W);
    expect(a.state.b).toEqual(s.b);

    const j = await gradc('train', model, '--data', IRIS, '--val', '0.3', '--epochs', '60', '--batch', '8', '--patience', '3', '--checkpoint', join(dir, 'c.json'), '--json');
    const out = JSON.parse(j.out);
    expect(out.best_epoch).toBe(best);
    expect(out.val_loss).toBe(vals[best - 1]);
  });

  it('epoch lines show train accuracy next to val, seconds per epoch and the time left', async () => {
    const r = await gradc('train', model, '--data', IRIS, '--val', '0.2', '--epochs', '3', '--checkpoint', join(dir, 'd.json'));
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^epoch 1\/3 .* train_accuracy 0\.\d{4}  val_accuracy 0\.\d{4} .* ex\/s  [\d.]+ s\/epoch  eta [\d.]+ s$/mu);
    expect(r.out).toMatch(/^epoch 3\/3 .* s\/epoch$/mu);
    expect(ckpt('d.json').history[0]!.train_accuracy).toBeGreaterThan(0);
  });

  it('a model without data reports no examples/s', async () => {
    const r = await gradc('train', join(root, 'examples/ravine.nn'), '--epochs', '3', '--checkpoint', join(dir, 'r.json'));
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^epoch 1\/3 /mu);
    expect(r.out).not.toContain('ex/s');
  });
});
