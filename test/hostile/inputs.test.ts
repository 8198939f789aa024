// Items 3 to 7 of issue 10, one test each: deep models, huge sizes, output
// paths and whole output sets, values of the wrong type, checkpoints checked
// before a resume, data beyond float32, NaN messages with their place, and the
// small ones (look-alike names, --seed, --dim twice).
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_DEPTH } from '../../compiler/analyze/depth.js';
import type { Checkpoint } from '../../runtime/train/checkpoint.js';
import { expectContract, gradc, tempDirs } from './cli.js';

const tmp = tempDirs('gradc-hostile-');
const write = (dir: string, f: string, text: string) => (writeFileSync(join(dir, f), text), join(dir, f));

const SMALL = 'param W : [2, 2] ~ normal(0.5)\nparam x : [2] = [1, 2]\nloss L = sum(tanh(W x))\n';

describe('deep models: a clear limit at the place, never a stack overflow', () => {
  it('a sum of 5,000 terms', async () => {
    const dir = tmp();
    const f = write(dir, 's.nn', `param x\nloss f = x${' + x'.repeat(4999)}\n`);
    const r = await gradc('grad', f);
    expectContract(r);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(new RegExp(`s\\.nn:2:6: error: this nests 5000 levels deep .* at most ${MAX_DEPTH}`, 'u'));
  });

  it('3,000 chained defs, and 3,000 chained equations', async () => {
    const dir = tmp();
    const defs = ['def f0(z) = 2 * z', ...Array.from({ length: 2999 }, (_, i) => `def f${i + 1}(z) = f${i}(z) + 1`)].join('\n');
    const d = await gradc('grad', write(dir, 'd.nn', `param x\n${defs}\nloss l = f2999(x)\n`));
    expectContract(d);
    expect(d.code).toBe(1);
    expect(d.err).toMatch(/d\.nn:\d+:5: error: this nests \d+ levels deep/u);
    const eqs = Array.from({ length: 3000 }, (_, i) => `a${i + 1} = sin(a${i})`).join('\n');
    const e = await gradc('check', write(dir, 'e.nn', `param a0\n${eqs}\nloss l = a3000\n`));
    expectContract(e);
    expect(e.code).toBe(1);
    expect(e.err).toMatch(/e\.nn:\d+:1: error: this nests \d+ levels deep/u);
  });

  it('a model at the limit compiles, and its gradient checks', async () => {
    const dir = tmp();
    const f = write(dir, 'ok.nn', `param x = 0.5\nloss f = x${' + 0.5 * x'.repeat((MAX_DEPTH - 2) / 2)}\n`);
    const r = await gradc('check', f);
    expect(r.code, r.err).toBe(0);
  });
});

describe('huge sizes: refused at the dim, before anything is allocated', () => {
  it('dim d = 1e20, a [100000, 100000] param, and the same with --dim at run time', async () => {
    const dir = tmp();
    const a = await gradc(write(dir, 'a.nn', 'dim d = 1e20\nparam W : [d]\nloss f = sum(W)\n'), '-o', dir);
    expect(a.code).toBe(1);
    expect(a.err).toMatch(/a\.nn:1:9: error: dim 'd' = 100000000000000000000 is too large/u);
    const b = await gradc(write(dir, 'b.nn', 'dim d = 100000\nparam W : [d, d]\nloss f = sum(W)\n'), '-o', dir);
    expect(b.code).toBe(1);
    expect(b.err).toMatch(/b\.nn:1:5: error: the model needs 112 GiB .* limit of 4\.00 GiB \(d = 100000\)/u);
    expect(readdirSync(dir).filter((f) => f.endsWith('.js'))).toEqual([]);
    const c = await gradc('grad', write(dir, 'c.nn', 'dim d\nparam W : [d, d]\nloss f = sum(W)\n'), '--dim', 'd=3000000000');
    expect(c.code).toBe(1);
    expect(c.err).toMatch(/too large/u);
    // --max-memory lowers (or raises) the limit; create() checks it too.
    const m = await gradc('grad', write(dir, 'm.nn', 'dim d = 100\nparam W : [d, d]\nloss f = sum(W)\n'), '--max-memory', '10K');
    expect(m.code).toBe(1);
    expect(m.err).toMatch(/limit of 10\.0 KiB/u);
    expect((await gradc('grad', join(dir, 'm.nn'), '--max-memory', '1M')).code).toBe(0);
    expect((await gradc('grad', join(dir, 'm.nn'), '--max-memory', 'lots')).code).toBe(2);
  });

  it("the module's create() refuses what its maxMemory does not hold", async () => {
    const { instantiate } = await import('../../runtime/instantiate.js');
    const { compileSource } = await import('../../compiler/compile.js');
    const model = compileSource('dim d\nparam W : [d, d]\nloss f = sum(W)').model!;
    await expect(instantiate(model, { dims: { d: 1000 }, maxMemory: 1e6 })).rejects.toThrow(/the params would take 8000000 bytes, more than maxMemory/u);
    expect((await instantiate(model, { dims: { d: 10 }, maxMemory: 1e6 })).params.W).toHaveLength(100);
  });
});

describe('output paths: an error naming the path, and never a mixed set', () => {
  it('-o an existing file, -o below a file, an output that is a folder, a checkpoint that is a folder', async () => {
    const dir = tmp();
    const model = write(dir, 'm.nn', SMALL);
    const file = write(dir, 'afile', 'x');
    for (const [o, want] of [[file, /afile: error: cannot create the folder for m\.js: '.*afile' is a file/u], [join(file, 'sub'), /afile\/sub: error: cannot create the folder .* '.*afile' is a file/u]] as const) {
      const r = await gradc(model, '-o', o);
      expectContract(r);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(want);
    }
    // m.wgsl is a folder: nothing is written, and old files stay as they were.
    const out = join(dir, 'out');
    mkdirSync(join(out, 'm.wgsl'), { recursive: true });
    writeFileSync(join(out, 'm.js'), 'old');
    const r = await gradc(model, '-o', out);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/out\/m\.wgsl: error: is a folder/u);
    expect(readFileSync(join(out, 'm.js'), 'utf8')).toBe('old');
    expect(readdirSync(out).sort()).toEqual(['m.js', 'm.wgsl']);
    // A checkpoint that is a folder.
    const data = write(dir, 'd.csv', '1,2\n3,4\n');
    const train = write(dir, 't.nn', 'dim N\nparam w : [1]\ninput X : [1, N]\ninput y : [N]\nloss L = sum((wᵀ X - yᵀ) * (wᵀ X - yᵀ))\n');
    mkdirSync(join(dir, 'ck'));
    const t = await gradc('train', train, '--data', data, '--epochs', '1', '--checkpoint', join(dir, 'ck'));
    expectContract(t);
    expect(t.code).toBe(1);
    expect(t.err).toMatch(/ck: error: is a folder/u);
    const resumed = await gradc('train', train, '--data', data, '--resume', '--checkpoint', join(dir, 'ck'));
    expect(resumed.code).toBe(1);
    expect(resumed.err).toMatch(/ck: error: is a folder, not a checkpoint/u);
  });
});

describe('values of the wrong type: one line naming the file and the entry', () => {
  const MODEL = 'dim N\nparam W : [2, 2]\ninput X : [2, N]\ninput y : [N] int\nloss L = sum(pick(W X, y))\n';
  const cases: [string, unknown, RegExp][] = [
    ['a string', { W: 'abc' }, /'W' is "abc" \(a string\), not a number/u],
    ['a boolean in a nested array', { W: [[1, 2], [true, 4]] }, /'W'\[1\]\[0\] is true \(a boolean\), not a number/u],
    ['null', { W: null }, /'W' is null, not a number/u],
    ['an object', { W: [[1, 2], [{ a: 1 }, 4]] }, /'W'\[1\]\[0\] is an object, not a number/u],
    ['a string label for an int input', { X: [[1], [2]], y: ['0'] }, /'y'\[0\] is "0" \(a string\), not a number/u],
    ['arrays nested three deep', { W: [[[1]]] }, /'W'\[0\]\[0\] nests arrays 3 deep/u],
  ];
  for (const [what, v, want] of cases) {
    it(what, async () => {
      const dir = tmp();
      const r = await gradc('grad', write(dir, 'm.nn', MODEL), '--at', write(dir, 'v.json', JSON.stringify(v)));
      expectContract(r);
      expect(r.code).toBe(1);
      expect(r.err.trim().split('\n')).toHaveLength(1);
      expect(r.err).toMatch(/v\.json: error: /u);
      expect(r.err).toMatch(want);
    });
  }
  it('1e999 in a values file, at its line and column', async () => {
    const dir = tmp();
    const r = await gradc('grad', write(dir, 'm.nn', MODEL), '--at', write(dir, 'v.json', '{"X": [[1],\n  [1e999]], "y": [0]}'));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/v\.json:2:4: error: 1e999 is beyond float64's range/u);
  });
});

describe('data beyond float32: refused before training, at file:line:col', () => {
  const MODEL = 'dim N\nparam w : [2]\ninput X : [2, N]\ninput y : [N]\nloss L = sum((wᵀ X - yᵀ) * (wᵀ X - yᵀ))\n';
  for (const [file, text, want] of [
    ['d.csv', '1,2,3\n4,1e39,5\n', /d\.csv:2:3: error: column 1 \(X\[1\]\): 1e39 is beyond float32's range/u],
    ['d.csv', '1,2,3\n4,5,-1e999\n', /d\.csv:2:5: error: column 2 \(y\): -1e999 is beyond float32's range/u],
    ['d.json', '[[1, 2, 3],\n [4, 1e999, 5]]', /d\.json:2:6: error: 1e999 is beyond float32's range/u],
    ['d.json', '{"X": [[1, 2]], "y": [3.5e38]}', /d\.json:1:23: error: 3\.5e38 is beyond float32's range/u],
  ] as const) {
    it(`${file}: ${JSON.stringify(text)}`, async () => {
      const dir = tmp();
      const r = await gradc('train', write(dir, 'm.nn', MODEL), '--data', write(dir, file, text), '--epochs', '1');
      expectContract(r);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(want);
      expect(existsSync(join(dir, 'm.ckpt.json'))).toBe(false);
    });
  }
});

describe('checkpoints: validated against the model before a resume', () => {
  const MODEL = 'dim N\nparam w : [2]\nparam b\ninput X : [2, N]\ninput y : [N]\noptimizer adam(lr = 0.01)\nloss L = sum((wᵀ X + b - yᵀ) * (wᵀ X + b - yᵀ))\n';
  const DATA = '1,2,3\n4,5,6\n7,8,9\n0,1,2\n';
  const mutations: [string, (ck: Record<string, any>) => void, RegExp][] = [
    ['a param removed', (ck) => delete ck.state.w, /entry state\.w: missing/u],
    ['a null entry', (ck) => (ck.state.b = [null]), /entry state\.b\[0\]: should be a finite number, not null/u],
    ["Adam's slots missing", (ck) => delete ck.state['w.v'], /entry state\.w\.v: missing/u],
    ['a string epoch', (ck) => (ck.epoch = '1'), /entry epoch: should be an integer ≥ 0, not the string "1"/u],
    ['no settings', (ck) => delete ck.settings, /entry settings: missing/u],
    ['a wrong length', (ck) => ck.state.w.push(1), /entry state\.w: 3 values; .* needs 2/u],
    ['an unknown entry', (ck) => (ck.state.hasOwnProperty = [1]), /entry state\.hasOwnProperty: .* has no such param/u],
    ['a setting of the wrong type', (ck) => (ck.settings.batch = 2.5), /entry settings\.batch: should be an integer ≥ 1/u],
    ['a step that disagrees with the state', (ck) => (ck.state['@step'] = [99]), /entry state\.@step: 99, but entry step is/u],
    ['a history of the wrong length', (ck) => ck.history.pop(), /entry history: 1 records for 2 epochs/u],
  ];
  for (const [what, mutate, want] of mutations) {
    it(`refuses ${what}, naming the file and the entry`, async () => {
      const dir = tmp();
      const model = write(dir, 'm.nn', MODEL);
      const data = write(dir, 'd.csv', DATA);
      expect((await gradc('train', model, '--data', data, '--epochs', '2', '--batch', '2')).code).toBe(0);
      const ckFile = join(dir, 'm.ckpt.json');
      const ck = JSON.parse(readFileSync(ckFile, 'utf8'));
      mutate(ck);
      writeFileSync(ckFile, JSON.stringify(ck));
      const r = await gradc('train', model, '--data', data, '--epochs', '3', '--resume');
      expectContract(r, what);
      expect(r.code, r.err).toBe(1);
      expect(r.err).toMatch(/m\.ckpt\.json: error: entry /u);
      expect(r.err).toMatch(want);
    });
  }

  it('--resume --steps N at step ≥ N takes no step and says so', async () => {
    const dir = tmp();
    const model = write(dir, 'm.nn', MODEL);
    const data = write(dir, 'd.csv', DATA);
    expect((await gradc('train', model, '--data', data, '--steps', '3', '--batch', '2')).code).toBe(0);
    const ckFile = join(dir, 'm.ckpt.json');
    const before = readFileSync(ckFile, 'utf8');
    for (const n of ['3', '2']) {
      const r = await gradc('train', model, '--data', data, '--steps', n, '--resume');
      expect(r.code, r.err).toBe(0);
      expect(r.err).toMatch(/already at step 3 \(--steps \d\): no step taken/u);
      expect(readFileSync(ckFile, 'utf8')).toBe(before);
    }
    expect((JSON.parse(before) as Checkpoint).step).toBe(3);
  });
});

describe('NaN and infinity messages: line:col and a caret', () => {
  it('in the forward pass and in the backward pass', async () => {
    const dir = tmp();
    const f = await gradc('grad', write(dir, 'f.nn', 'param x = -1\nh = log(x)\nloss L = h * 2\n'));
    expect(f.code).toBe(1);
    expect(f.err).toMatch(/^.*f\.nn:2:1: error: NaN first appears in the forward pass at log\(x\).*\nh = log\(x\)\n\^/u);
    const b = await gradc('grad', write(dir, 'b.nn', 'param x = 0\nloss L = sqrt(x) + x\n'));
    expect(b.code).toBe(1);
    expect(b.err).toMatch(/b\.nn:2:\d+: error: Infinity first appears in the backward pass at .*\nloss L = sqrt\(x\) \+ x\n\s*\^/u);
  });
});

describe('small ones', () => {
  it('a look-alike name gets a hint naming the code points', async () => {
    const dir = tmp();
    const r = await gradc('grad', write(dir, 'c.nn', 'param \u0430 = 1\nloss f = a * 2\n'));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/'a' is not defined: it is never bound; 'а' looks like it but is spelled with U\+0430 where this has U\+0061/u);
  });

  it('--seed beyond 2^32 (or negative) is an error, not wrapped', async () => {
    const dir = tmp();
    const f = write(dir, 'm.nn', SMALL);
    for (const s of ['4294967296', '-1', '1e10', '2.5']) {
      const r = await gradc('grad', f, '--seed', s);
      expectContract(r);
      expect(r.code, s).toBe(2);
      expect(r.err).toMatch(/--seed/u);
    }
    expect((await gradc('grad', f, '--seed', '4294967295')).code).toBe(0);
  });

  it('check passes an exactly right gradient near a domain edge: the step scales with the value', async () => {
    const dir = tmp();
    for (const [f, text] of [['log.nn', 'param x = 0.000001\nloss f = log(x)\n'], ['sqrt.nn', 'param x = 0.000002\nparam y = 3\nloss f = sqrt(x) * y\n'], ['big.nn', 'param x = 100000\nloss f = x * x\n'], ['relu.nn', 'param x = 0.000001\nloss f = relu(x) * 3\n']]) {
      const r = await gradc('check', write(dir, f!, text!));
      expect(r.code, `${f}: ${r.out}`).toBe(0);
    }
  });

  it('the same --dim twice is an error', async () => {
    const dir = tmp();
    const r = await gradc('grad', write(dir, 'd.nn', 'dim n\nparam x : [n]\nloss f = sum(x)\n'), '--dim', 'n=2', '--dim', 'n=3');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--dim n is given twice \(n=2 and n=3\)/u);
  });
});
