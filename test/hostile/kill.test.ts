// The kill test of issue 10: `gradc train` killed with SIGKILL at seeded
// random moments (half inside a checkpoint write, while its temporary file
// exists; half after a random number of further steps) always leaves a
// checkpoint that validates against the model, and resuming from it, killed
// again and again, ends at exactly the params of a run never interrupted.
// Each run is a node process (a kill must be real): ~25 of them, start-up bound.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileSource } from '../../compiler/compile.js';
import { instantiate } from '../../runtime/instantiate.js';
import { readCheckpoint, type Checkpoint } from '../../runtime/train/checkpoint.js';
import { validateState } from '../../runtime/train/validate-checkpoint.js';
import { tempDirs } from './cli.js';

const root = resolve(import.meta.dirname, '../..');
const GRADC = join(root, 'bin/gradc');
const SEED = process.env.GRADC_FUZZ_SEED !== undefined ? Number(process.env.GRADC_FUZZ_SEED) : Date.now() % 2 ** 32;
const tmp = tempDirs('gradc-kill-');

// A [48, 48] param with Adam: each checkpoint holds ~7,000 numbers, so its write is much of an epoch.
const MODEL = `dim N
dim d = 48
input X : [d, N]
input y : [N] int
param W : [d, d] ~ normal(0.1)
param V : [3, d] ~ normal(0.1)
optimizer adam(lr = 0.01)
loss J = mean(softmax_cross_entropy(V tanh(W X), y))
`;
const EPOCHS = 150;
const ARGS = ['--epochs', String(EPOCHS), '--batch', '64', '--seed', '7', '--json'];

function data(): string {
  const rows: string[] = [];
  for (let i = 0; i < 40; i++) rows.push([...Array.from({ length: 48 }, (_, j) => (((i * 31 + j * 17) % 23) / 23 - 0.5).toFixed(3)), String(i % 3)].join(','));
  return rows.join('\n') + '\n';
}

/**
 * Starts `gradc train` and kills it with SIGKILL at a moment chosen by `when`,
 * polled every few milliseconds while it runs (inside a checkpoint write, or
 * after the checkpoint has advanced some steps); resolves when it is gone.
 */
function runAndKill(args: string[], when: () => boolean): Promise<{ killed: boolean; code: number | null }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [GRADC, ...args], { stdio: 'ignore' });
    const poll = setInterval(() => {
      if (when()) child.kill('SIGKILL');
    }, 2);
    child.on('exit', (code, signal) => {
      clearInterval(poll);
      done({ killed: signal === 'SIGKILL', code });
    });
  });
}

/** The step of the checkpoint on disk, or -1 (reads race with renames harmlessly: a rename is atomic). */
function stepOf(ck: string): number {
  try {
    return (JSON.parse(readFileSync(ck, 'utf8')) as Checkpoint).step;
  } catch {
    return -1;
  }
}

describe(`SIGKILL during training (seed ${SEED})`, () => {
  it('always leaves a checkpoint that validates and resumes to the uninterrupted result', async () => {
    const dir = tmp();
    const model = join(dir, 'm.nn');
    writeFileSync(model, MODEL);
    const dataFile = join(dir, 'd.csv');
    writeFileSync(dataFile, data());
    const train = (ck: string, resume: boolean) => ['train', model, '--data', dataFile, '--checkpoint', ck, ...ARGS, ...(resume ? ['--resume'] : [])];

    const ref = join(dir, 'ref.ckpt.json');
    const whole = spawnSync(process.execPath, [GRADC, ...train(ref, false)], { encoding: 'utf8' });
    expect(whole.status, whole.stderr).toBe(0);
    const want = readCheckpoint(ref);
    expect(want.epoch).toBe(EPOCHS);

    const expected = await (await instantiate(compileSource(MODEL).model!, { seed: 7 })).state();
    const ck = join(dir, 'm.ckpt.json');
    let a = SEED >>> 0;
    const random = () => ((a = (Math.imul(a ^ (a >>> 15), 0x2c1b3c6d) + 0x9e3779b9) >>> 0) / 2 ** 32);
    let kills = 0;
    let midway = 0; // kills after which the run had advanced, but not finished
    let inWrite = 0; // kills while a checkpoint's temporary file was being written
    let chains = 0;
    // Chains of runs on one checkpoint: each run killed at a random moment and resumed, until one finishes.
    while (kills < 20 && chains < 12) {
      chains++;
      rmSync(ck, { force: true });
      let last = -1;
      for (let k = 0; k < 40; k++) {
        // Fresh while no checkpoint exists yet (a kill before the first one was written), then resumes.
        // Half the kills inside a checkpoint write (its temporary file exists), half after 1 to 8 more steps.
        const from = stepOf(ck);
        const duringWrite = random() < 0.5;
        const after = 1 + Math.floor(random() * 8);
        const r = await runAndKill(train(ck, existsSync(ck)), () =>
          duringWrite ? readdirSync(dir).some((f) => f.startsWith('.m.ckpt.json.') && f.endsWith('.tmp')) && stepOf(ck) > from : stepOf(ck) >= from + after);
        if (r.killed && duringWrite) inWrite++;
        if (r.killed) kills++;
        else expect(r.code).toBe(0);
        if (!existsSync(ck)) continue;
        // Whole, and valid against the model: never a torn or half-written file.
        const got = readCheckpoint(ck);
        validateState(ck, got, expected, model);
        expect(got.step).toBeGreaterThanOrEqual(last);
        if (r.killed && got.step > last && got.epoch < EPOCHS) midway++;
        last = got.step;
        if (!r.killed) break;
      }
      if (!existsSync(ck) || readCheckpoint(ck).epoch < EPOCHS) {
        const rest = spawnSync(process.execPath, [GRADC, ...train(ck, existsSync(ck))], { encoding: 'utf8' });
        expect(rest.status, rest.stderr).toBe(0);
      }
      const got: Checkpoint = readCheckpoint(ck);
      expect(got.step).toBe(want.step);
      expect(got.history.map((h) => h.train_loss)).toEqual(want.history.map((h) => h.train_loss));
      expect(got.state).toEqual(want.state);
    }
    expect(kills).toBeGreaterThanOrEqual(20);
    expect(midway, 'kills that landed while training').toBeGreaterThanOrEqual(10);
    expect(inWrite, 'kills inside a checkpoint write').toBeGreaterThanOrEqual(5);
  }, 300_000);
});
