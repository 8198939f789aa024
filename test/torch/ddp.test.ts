// Data-parallel training for real: examples/torch/train_ddp.py under
// `torchrun --nproc_per_node=2` (gloo) on digits reaches the accuracy `gradc
// train` reaches with the same settings (within the spread of seeds, README:
// 0.972–0.983), and its weights, imported back (gradc import-state), give the
// generated JS module the validation accuracy torch measured.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodeDevice } from '../../runtime/gpu/device.js';
import { instantiate } from '../../runtime/instantiate.js';
import { readCheckpoint } from '../../runtime/train/checkpoint-file.js';
import { layoutOf, loadDataset } from '../../runtime/train/data.js';
import { split } from '../../runtime/train/shuffle.js';
import { readDataFile } from '../../runtime/train/read-file.js';
import { gradc } from '../helpers/cli.js';
import { compileOk } from '../helpers/run.js';
import { PY, ROOT, tempDir } from './util.js';

const MODEL = join(ROOT, 'examples/digits.nn');
const DATA = join(ROOT, 'examples/data/digits.csv.gz');
const SETTINGS = ['--columns', 'X=0:64,y=64', '--val', '0.2', '--epochs', '15', '--batch', '32', '--seed', '0'];
// torchrun's own launcher: Debian's torch 1.13 on Python 3.11 reads its default
// --redirects/--tee "0" as None (an IntFlag change); a mapping for an absent rank means "none".
const TORCHRUN = ['-m', 'torch.distributed.run', '--redirects', '9:0', '--tee', '9:0', '--nproc_per_node=2'];

/** The fraction of validation examples (gradc's holdout) whose largest p is the label, in the JS or WebGPU module. */
async function accuracy(state: Record<string, number[]>, target: 'js' | 'wgsl' = 'js'): Promise<number> {
  const model = compileOk(readFileSync(MODEL, 'utf8'));
  const m = (await instantiate(model, { target })) as unknown as {
    load(s: Record<string, Float32Array>): void | Promise<void>;
    eval(): void;
    forward(i: Record<string, ArrayLike<number>>): { outputs: Record<string, unknown> } | Promise<{ outputs: Record<string, unknown> }>;
  };
  await m.load(Object.fromEntries(Object.entries(state).map(([k, v]) => [k, Float32Array.from(v)])));
  m.eval();
  const data = loadDataset(readDataFile(DATA, readFileSync(DATA)), layoutOf(model), 'X=0:64,y=64');
  const { val } = split(data.n, 0.2, 0);
  const n = val.length;
  const X = new Float32Array(64 * n);
  const y = new Int32Array(n);
  val.forEach((e, j) => {
    for (let i = 0; i < 64; i++) X[i * n + j] = data.values.get('X')![e * 64 + i]!;
    y[j] = data.values.get('y')![e]!;
  });
  const p = (await m.forward({ X, y })).outputs.p as Float32Array; // [10, n]
  let right = 0;
  for (let j = 0; j < n; j++) {
    let best = 0;
    for (let c = 1; c < 10; c++) if (p[c * n + j]! > p[best * n + j]!) best = c;
    if (best === y[j]) right++;
  }
  return right / n;
}

describe.skipIf(!PY)("train_ddp.py's data", () => {
  it("holds out gradc train's --val examples, and reads CSV and every JSON form alike", async () => {
    const dir = tempDir();
    const iris = join(ROOT, 'examples/iris.nn');
    expect((await gradc(iris, '--target', 'torch', '-o', dir)).code).toBe(0);
    const script = `
import json, sys
sys.argv = ["train_ddp.py"]
sys.path.insert(0, ${JSON.stringify(join(ROOT, 'examples/torch'))})
import train_ddp as t
mod = t.load_module(${JSON.stringify(join(dir, 'iris.py'))})
csv = t.Examples(mod, ${JSON.stringify(join(ROOT, 'examples/data/iris.csv'))}, None)
X, y = csv.values["X"].tolist(), csv.values["y"].reshape(-1).tolist()
forms = {"rows": [a + [b] for a, b in zip(X, y)], "records": [{"X": a, "y": b} for a, b in zip(X, y)], "columns": {"X": X, "y": y}}
same = {}
for name, value in forms.items():
    path = ${JSON.stringify(dir)} + "/" + name + ".json"
    json.dump(value, open(path, "w"))
    other = t.Examples(mod, path, None)
    same[name] = all(bool((other.values[k] == csv.values[k]).all()) for k in csv.values)
splits = {str(seed): t.gradc_split(mod, 1797, 0.2, seed)[1] for seed in (0, 5)}
print(json.dumps({"n": csv.n, "same": same, "splits": splits}))
`;
    const r = spawnSync(PY!, ['-c', script], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { n: number; same: Record<string, boolean>; splits: Record<string, number[]> };
    expect(out.n).toBe(150);
    expect(out.same).toEqual({ rows: true, records: true, columns: true });
    for (const seed of [0, 5]) expect(out.splits[String(seed)]).toEqual(Array.from(split(1797, 0.2, seed).val));
  }, 60_000);
});

describe.skipIf(!PY)('torchrun --nproc_per_node=2 on digits', () => {
  let imported: { state: Record<string, number[]>; accuracy: number } | undefined;

  it('reaches gradc train\'s accuracy, and the weights brought back give the JS module the same', async () => {
    const dir = tempDir();
    const ours = await gradc('train', MODEL, '--data', DATA, ...SETTINGS, '--checkpoint', join(dir, 'gradc.ckpt.json'), '--json');
    expect(ours.code, ours.err).toBe(0);
    const gradcAcc = (JSON.parse(ours.out) as { val_accuracy: number }).val_accuracy;

    const built = await gradc(MODEL, '--target', 'torch', '-o', dir);
    expect(built.code, built.err).toBe(0);
    const pt = join(dir, 'digits.pt');
    const r = spawnSync(PY!, [...TORCHRUN, join(ROOT, 'examples/torch/train_ddp.py'), join(dir, 'digits.py'), '--data', DATA, ...SETTINGS, '--out', pt], { encoding: 'utf8', cwd: dir });
    expect(r.status, r.stderr).toBe(0);
    const torchRun = JSON.parse(r.stdout.trim().split('\n').pop()!) as { val_accuracy: number; processes: number; steps: number };
    expect(torchRun.processes).toBe(2);
    expect(torchRun.steps).toBe(15 * Math.ceil(1438 / 32)); // 1797 − 359 held out, in global batches of 32
    expect(torchRun.val_accuracy).toBeGreaterThan(0.95);
    expect(Math.abs(torchRun.val_accuracy - gradcAcc)).toBeLessThanOrEqual(0.03);

    const back = await gradc('import-state', pt, '--model', MODEL, '-o', join(dir, 'back.ckpt.json'));
    expect(back.code, back.err).toBe(0);
    const ck = readCheckpoint(join(dir, 'back.ckpt.json')); // a checkpoint gradc reads
    expect(ck.step).toBe(torchRun.steps);
    // The same weights: at most one example apart, where float32 ties the top two scores.
    const js = await accuracy(ck.state);
    expect(Math.abs(js - torchRun.val_accuracy)).toBeLessThanOrEqual(1 / 359 + 1e-12);
    imported = { state: ck.state, accuracy: js };
  }, 300_000);

  it('the weights brought back run in the WebGPU module too (skipped where it cannot run)', async (ctx) => {
    expect(imported, 'the torchrun test ran first').toBeDefined();
    const probe = await nodeDevice();
    if (!probe.device) {
      console.log(`test/torch: the WebGPU check skipped: ${probe.reason}`);
      return ctx.skip();
    }
    const gpu = await accuracy(imported!.state, 'wgsl');
    expect(Math.abs(gpu - imported!.accuracy)).toBeLessThanOrEqual(1 / 359 + 1e-12);
  }, 120_000);
});
