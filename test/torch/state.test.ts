// State round trips, gradc → torch → gradc, bit for bit: for every optimizer
// (its slots under torch's names) and batchnorm's running statistics, through
// the generated module's load_gradc_state / torch.save / torch.load /
// gradc_state; and once through the command line (export-state, import-state),
// where the imported checkpoint loads into the JS module and computes the same.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OPTIMIZERS } from '../../compiler/analyze/specs.js';
import { instantiate } from '../../runtime/instantiate.js';
import { normal, uniform } from '../../compiler/random.js';
import type { Checkpoint } from '../../runtime/train/checkpoint.js';
import { readCheckpoint } from '../../runtime/train/checkpoint-file.js';
import { gradc } from '../helpers/cli.js';
import { compileOk } from '../helpers/run.js';
import { flat, PY, runJobs, tempDir, writeModule } from './util.js';

const source = (optimizer: string) => `dim N
input X : [4, N]
input y : [N] int
param W : [3, 4] ~ xavier
param γ : [3] ~ ones
param β : [3]
optimizer ${optimizer}
schedule warmup(steps = 2, then = exp(k = 0.05))
loss J = mean(softmax_cross_entropy(batchnorm(W X, γ, β), y))
output p = softmax(W X)
`;

const X = Float32Array.from({ length: 24 }, (_, k) => normal(5, 1, k));
const y = Int32Array.from({ length: 6 }, (_, k) => Math.floor(uniform(5, 2, k) * 3));

/** The JS module's state after 3 steps, as plain arrays. */
async function trained(src: string): Promise<Record<string, number[]>> {
  const m = await instantiate(compileOk(src), { seed: 4 });
  for (let s = 0; s < 3; s++) m.step({ X, y });
  return Object.fromEntries(Object.entries(m.state()).map(([k, v]) => [k, flat(v)]));
}

/** A checkpoint as `gradc train` writes one, holding `state` after `step` steps. */
const checkpoint = (state: Record<string, number[]>, step: number): Checkpoint => ({
  format: 'gradc-checkpoint', version: 1, model: { file: 'm.nn', sha256: '' }, data: null,
  settings: { seed: 4, batch: 6, val: 0, epochs: step, patience: null, columns: null },
  epoch: step, position: 0, step, partial: { loss_sum: 0, examples: 0 }, best: { val_loss: null, epoch: 0, waited: 0 },
  history: Array.from({ length: step }, (_, k) => ({ epoch: k + 1, step: k + 1, train_loss: 1, val_loss: null, val_accuracy: null, lr: 0.1 })),
  seconds: 0, state,
});

describe.skipIf(!PY)('state round trips gradc → torch → gradc', () => {
  it('every optimizer, bit for bit (params, slots, running statistics, step count)', async () => {
    const dir = tempDir();
    const names = Object.keys(OPTIMIZERS);
    const states = await Promise.all(names.map((o) => trained(source(`${o}(lr = 0.1)`))));
    const jobs = names.map((o, i) => ({ kind: 'roundtrip', module: writeModule(compileOk(source(`${o}(lr = 0.1)`)), dir, `r${i}`), state: states[i] }));
    const results = runJobs<{ error?: string; state: Record<string, number[]> }>(jobs, dir);
    results.forEach((r, i) => {
      expect(r.error, names[i]).toBeUndefined();
      expect(Object.keys(states[i]!).length).toBeGreaterThan(5);
      expect(r.state, names[i]).toEqual(states[i]);
    });
  }, 60_000);

  it('through export-state and import-state; the imported checkpoint gives the JS module the same outputs', async () => {
    const dir = tempDir();
    const modelFile = join(dir, 'm.nn');
    writeFileSync(modelFile, source('adam(lr = 0.05)'));
    const state = await trained(source('adam(lr = 0.05)'));
    const ck = join(dir, 'm.ckpt.json');
    writeFileSync(ck, JSON.stringify(checkpoint(state, 3)));
    const out = await gradc('export-state', ck, '--torch', join(dir, 'm.pt'));
    expect(out.code, out.err).toBe(0);
    const back = await gradc('import-state', join(dir, 'm.pt'), '--model', modelFile, '-o', join(dir, 'back.json'));
    expect(back.code, back.err).toBe(0);
    const imported = readCheckpoint(join(dir, 'back.json')); // a checkpoint gradc reads
    expect(imported.state).toEqual(state);
    expect(imported.step).toBe(3);
    const m = await instantiate(compileOk(source('adam(lr = 0.05)')));
    m.load(Object.fromEntries(Object.entries(imported.state).map(([k, v]) => [k, Float32Array.from(v)])));
    m.eval();
    const ref = await instantiate(compileOk(source('adam(lr = 0.05)')));
    ref.load(Object.fromEntries(Object.entries(state).map(([k, v]) => [k, Float32Array.from(v)])));
    ref.eval();
    expect(flat(m.forward({ X, y }).outputs.p!)).toEqual(flat(ref.forward({ X, y }).outputs.p!));
  }, 60_000);

  it('a bad file, or a checkpoint of another model, is one line and exit 1', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'bad.pt'), 'not a pickle');
    writeFileSync(join(dir, 'm.nn'), source('sgd'));
    const r = await gradc('import-state', join(dir, 'bad.pt'), '--model', join(dir, 'm.nn'), '-o', join(dir, 'x.json'));
    expect(r.code).toBe(1);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(/bad\.pt: error: not a torch \.pt file/);
    // A checkpoint of another optimizer's model is refused, not half-loaded.
    const ck = join(dir, 'm.ckpt.json');
    const state = await trained(source('adam(lr = 0.1)'));
    writeFileSync(ck, JSON.stringify(checkpoint(state, 3)));
    const e = await gradc('export-state', ck, '--torch', join(dir, 'm.pt'));
    expect(e.code).toBe(1);
    expect(e.err).toMatch(/entry state\.W\.m: m\.nn has no such param, optimizer slot or statistic/);
    // And the way back: Adam's state into a model whose optimizer is SGD.
    writeFileSync(join(dir, 'adam.nn'), source('adam(lr = 0.1)'));
    expect((await gradc('export-state', ck, '--model', join(dir, 'adam.nn'), '--torch', join(dir, 'adam.pt'))).code).toBe(0);
    const i = await gradc('import-state', join(dir, 'adam.pt'), '--model', join(dir, 'm.nn'), '-o', join(dir, 'x.json'));
    expect(i.code).toBe(1);
    expect(i.err).toMatch(/adam\.pt: error: its optimizer state \(exp_avg, exp_avg_sq, step\) is not the model's SGD's/);
  }, 60_000);
});
