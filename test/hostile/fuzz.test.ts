// The fuzz test of issue 10: seeded mutants of models, values files, data
// files and checkpoints, each run through the command line in-process. Every
// run must exit 0, 1 or 2, never say "internal error", never print a stack
// trace, and never leave a partial set of output files. The seed changes
// from run to run (GRADC_FUZZ_SEED=S repeats one) and is printed; a failure
// names the seed and the mutant.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectContract, gradc, type Run, tempDirs } from './cli.js';

const root = resolve(import.meta.dirname, '../..');
const SEED = process.env.GRADC_FUZZ_SEED !== undefined ? Number(process.env.GRADC_FUZZ_SEED) : Date.now() % 2 ** 32;
console.log(`fuzz seed ${SEED} (repeat with GRADC_FUZZ_SEED=${SEED})`);

/** mulberry32: a small seeded stream for choosing mutations. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TOKENS = [
  '\n', '\r', '\u2028', '\u2029', '*/', '/*', '//', '#', '"', "'", '`', '${', '\\', ',', ';', '(', ')', '[', ']', '{', '}', ':', '=',
  '~', 'ᵀ', '‖', '@', '+', '-', '*', '/', '^', '0', '-1', '1e999', '1e39', '1e20', '3000000000', '2.5', 'NaN', 'null', 'true',
  '"x"', 'constructor', 'hasOwnProperty', '__proto__', 'toString', '\u0430', 'dim', 'param', 'input', 'loss', 'def', 'wrt', 'int',
  'sum(', 'softmax(', 'log(', 'exp(', ' + x', 'N', 'W', '[[1, 2], [3]]', '{}', '[]',
];

/** One text mutation: delete, insert, replace a token, duplicate or swap lines. */
function mutateText(text: string, r: () => number): string {
  const pick = <T>(a: readonly T[]) => a[Math.floor(r() * a.length)]!;
  const at = Math.floor(r() * (text.length + 1));
  const lines = text.split('\n');
  switch (Math.floor(r() * 6)) {
    case 0: return text.slice(0, at) + text.slice(at + 1 + Math.floor(r() * 8));
    case 1: return text.slice(0, at) + pick(TOKENS) + text.slice(at);
    case 2: {
      const nums = [...text.matchAll(/\d+(\.\d+)?(e[+-]?\d+)?/gu)];
      if (!nums.length) return text + pick(TOKENS);
      const m = pick(nums);
      return text.slice(0, m.index) + pick(['0', '-0', '1e999', '1e39', '-1e39', '3000000000', '0.5', '100000', '1e-320', '"7"', 'null']) + text.slice(m.index! + m[0].length);
    }
    case 3: {
      const k = Math.floor(r() * lines.length);
      lines.splice(k, 0, lines[k]!);
      return lines.join('\n');
    }
    case 4: {
      const [i, j] = [Math.floor(r() * lines.length), Math.floor(r() * lines.length)];
      [lines[i], lines[j]] = [lines[j]!, lines[i]!];
      return lines.join('\n');
    }
    default: {
      const words = [...text.matchAll(/[\p{L}_][\p{L}\p{N}_]*/gu)];
      if (!words.length) return text;
      const m = pick(words);
      return text.slice(0, m.index) + pick(['constructor', 'toString', 'valueOf', 'x', 'N', 'exp', 'а', 'loss']) + text.slice(m.index! + m[0].length);
    }
  }
}

const ODD_VALUES: unknown[] = [null, true, false, 'abc', '1', {}, [], [[]], [1, [2]], 1e308, -1e308, 3.5e38, 0, -1, 2.5, 1e20, [null], { length: 2 }];

/** One structural mutation of a JSON value: replace, delete or add an entry somewhere inside. */
function mutateJson(v: unknown, r: () => number): unknown {
  const pick = <T>(a: readonly T[]) => a[Math.floor(r() * a.length)]!;
  const root = structuredClone(v) as Record<string, unknown>;
  let node: unknown = root;
  let parent: Record<string, unknown> | unknown[] | undefined;
  let key: string | number | undefined;
  for (let depth = 0; depth < 4 && node !== null && typeof node === 'object' && r() < 0.75; depth++) {
    const keys = Object.keys(node as object);
    if (!keys.length) break;
    parent = node as Record<string, unknown>;
    key = pick(keys);
    node = (parent as Record<string, unknown>)[key];
  }
  if (parent === undefined || key === undefined) return pick(ODD_VALUES);
  const p = parent as Record<string, unknown>;
  const op = r();
  if (op < 0.6) p[key] = pick(ODD_VALUES);
  else if (op < 0.8) {
    if (Array.isArray(parent)) parent.splice(Number(key), 1);
    else delete p[key];
  } else Object.defineProperty(p, pick(['constructor', '__proto__', 'toString', 'extra', 'W.x']), { value: pick(ODD_VALUES), enumerable: true, writable: true, configurable: true });
  return root;
}

const tmp = tempDirs('gradc-fuzz-');

/** The files `gradc MODEL.nn -o DIR` writes for a model named m.nn: all of them, or none. */
const OUTPUT_SET = ['m.d.ts', 'm.gpu.d.ts', 'm.gpu.js', 'm.js', 'm.js.map', 'm.wgsl'];

const CLASSIFIER = 'dim N\ndim d = 4, C = 3\ninput X : [d, N]\ninput y : [N] int\nparam W : [C, d] ~ normal(0.1)\nparam b : [C]\noptimizer adam(lr = 0.05)\nF = W X + b\nloss J = mean(softmax_cross_entropy(F, y))\noutput p = softmax(F)\n';

describe(`fuzz (seed ${SEED})`, () => {
  const r = rng(SEED);
  const failures: string[] = [];
  let runs = 0;
  const codes = new Map<number, number>();
  const check = (res: Run, what: string, input: string) => {
    runs++;
    codes.set(res.code, (codes.get(res.code) ?? 0) + 1);
    try {
      expectContract(res, what);
    } catch {
      failures.push(`${what} (exit ${res.code}): ${res.err.slice(0, 300)}\n--- input ---\n${input.slice(0, 600)}`);
    }
  };
  const report = () => expect(failures.slice(0, 3).join('\n\n'), `seed ${SEED}: ${failures.length} of ${runs} mutants broke the contract`).toBe('');

  it('models: compile writes the whole output set or nothing; grad and check keep the contract', async () => {
    const dir = tmp();
    const bases = readdirSync(join(root, 'examples')).filter((f) => f.endsWith('.nn')).map((f) => readFileSync(join(root, 'examples', f), 'utf8'));
    bases.push(CLASSIFIER);
    const out = join(dir, 'out');
    for (let k = 0; k < 600; k++) {
      let text = bases[Math.floor(r() * bases.length)]!;
      for (let m = 1 + Math.floor(r() * 3); m > 0; m--) text = mutateText(text, r);
      const file = join(dir, 'm.nn');
      writeFileSync(file, text);
      rmSync(out, { recursive: true, force: true });
      const c = await gradc(file, '-o', out, '--max-memory', '64M');
      check(c, `compile mutant ${k}`, text);
      const written = existsSync(out) ? readdirSync(out).sort() : [];
      if (!(written.length === 0 || (c.code === 0 && written.join() === OUTPUT_SET.join()))) failures.push(`compile mutant ${k} left a partial set: ${written.join(', ')} (exit ${c.code})`);
      if (c.code === 0 && k % 4 === 0) check(await gradc(k % 8 ? 'grad' : 'check', file, '--max-memory', '64M', '--dim', 'N=2'), `run mutant ${k}`, text);
    }
    report();
  });

  it('values files', async () => {
    const dir = tmp();
    const model = join(dir, 'm.nn');
    writeFileSync(model, CLASSIFIER);
    const base = { W: [[1, 2, 3, 4], [0, 1, 0, 1], [2, 2, 2, 2]], b: [0.1, 0.2, 0.3], X: [[1, 2], [3, 4], [5, 6], [7, 8]], y: [0, 2] };
    for (let k = 0; k < 250; k++) {
      const text = r() < 0.5 ? JSON.stringify(mutateJson(base, r)) : mutateText(JSON.stringify(base, null, 1), r);
      const file = join(dir, 'v.json');
      writeFileSync(file, text);
      check(await gradc(k % 5 ? 'grad' : 'check', model, '--at', file, '--max-memory', '64M'), `values mutant ${k}`, text);
    }
    report();
  });

  it('data files (CSV and JSON)', async () => {
    const dir = tmp();
    const model = join(dir, 'm.nn');
    writeFileSync(model, CLASSIFIER);
    const iris = readFileSync(join(root, 'examples/data/iris.csv'), 'utf8').split('\n').slice(0, 21).join('\n');
    const json = JSON.stringify({ X: [[1, 2, 3, 4], [4, 3, 2, 1], [0, 1, 0, 1]], y: [0, 1, 2] });
    for (let k = 0; k < 150; k++) {
      const csv = k % 2 === 0;
      const text = csv ? mutateText(iris, r) : r() < 0.5 ? JSON.stringify(mutateJson(JSON.parse(json), r)) : mutateText(json, r);
      const file = join(dir, csv ? 'd.csv' : 'd.json');
      writeFileSync(file, text);
      rmSync(join(dir, 'm.ckpt.json'), { force: true });
      check(await gradc('train', model, '--data', file, '--epochs', '1', '--batch', '4', '--json'), `data mutant ${k}`, text);
    }
    report();
  });

  it('checkpoints', async () => {
    const dir = tmp();
    const model = join(dir, 'm.nn');
    writeFileSync(model, CLASSIFIER);
    const data = join(dir, 'd.csv');
    writeFileSync(data, readFileSync(join(root, 'examples/data/iris.csv'), 'utf8').split('\n').slice(0, 31).join('\n'));
    const ckFile = join(dir, 'base.ckpt.json');
    expect((await gradc('train', model, '--data', data, '--epochs', '2', '--batch', '8', '--checkpoint', ckFile, '--json')).code).toBe(0);
    const base = JSON.parse(readFileSync(ckFile, 'utf8'));
    const file = join(dir, 'm.ckpt.json');
    mkdirSync(dir, { recursive: true });
    for (let k = 0; k < 150; k++) {
      const text = r() < 0.7 ? JSON.stringify(mutateJson(base, r)) : mutateText(JSON.stringify(base), r);
      writeFileSync(file, text);
      check(await gradc('train', model, '--data', data, '--epochs', '3', '--resume', '--checkpoint', file, '--json'), `checkpoint mutant ${k}`, text);
    }
    report();
  });

  it('ran at least 1,000 mutants, some of which succeed', () => {
    console.log(`fuzz seed ${SEED}: ${runs} runs; exit codes ${[...codes].sort().map(([c, n]) => `${c}: ${n}`).join(', ')}`);
    expect(runs).toBeGreaterThanOrEqual(1000);
    expect(codes.get(0) ?? 0, 'mutants that still run (the fuzz reaches past the parser)').toBeGreaterThan(50);
  });
}, 600_000);
