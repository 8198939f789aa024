// The generated `step` against the update rules of spec §7, written out again
// here from the formulas: five steps of each optimizer on a small quadratic
// whose gradient the test computes itself, with weight decay and clipping.
import { describe, expect, it } from 'vitest';
import type { GeneratedModel } from '../../runtime/module-types.js';
import { live, maxDiff, quadratic, QUADRATIC_INPUTS } from './util.js';

const model = (optimizer: string) => quadratic(optimizer);
const inputs = QUADRATIC_INPUTS;
const NAMES = ['w', 'M', 's'] as const;

/** The flat gradient of J at θ = [w, M, s] (8 numbers). */
function gradient(θ: number[]): number[] {
  const { a, c, B } = inputs;
  return [
    ...[0, 1, 2].map((k) => a[k]! * θ[k]! + c[k]!),
    ...[0, 1, 2, 3].map((k) => B[k]! * θ[3 + k]!),
    3 * θ[7]!,
  ];
}

interface Args {
  lr: number;
  rho?: number;
  eps?: number;
  alpha?: number;
  beta1?: number;
  beta2?: number;
  weight_decay?: number;
  clip?: number;
}

/** The spec's table, one optimizer at a time, in float64: θ after each of `steps` steps. */
function reference(name: string, args: Args, steps: number): number[][] {
  const θ = [0.5, -1.0, 2.0, 0.3, -0.2, 1.5, 0.7, 0.8];
  const n = θ.length;
  const slot1 = new Array<number>(n).fill(0);
  const slot2 = new Array<number>(n).fill(0);
  const wd = args.weight_decay ?? 0;
  const clip = args.clip ?? 0;
  const out: number[][] = [];
  for (let t = 1; t <= steps; t++) {
    let g = gradient(θ);
    if (clip > 0) {
      const norm = Math.sqrt(g.reduce((s, x) => s + x * x, 0));
      if (norm > clip) g = g.map((x) => (x * clip) / norm);
    }
    g = g.map((x, k) => x + wd * θ[k]!);
    const lr = args.lr;
    for (let k = 0; k < n; k++) {
      const gk = g[k]!;
      switch (name) {
        case 'sgd':
          θ[k] = θ[k]! - lr * gk;
          break;
        case 'momentum': {
          const ρ = args.rho ?? 0.9;
          slot1[k] = ρ * slot1[k]! + gk;
          θ[k] = θ[k]! - lr * slot1[k]!;
          break;
        }
        case 'nesterov': {
          const ρ = args.rho ?? 0.9;
          slot1[k] = ρ * slot1[k]! + gk; // v'
          θ[k] = θ[k]! - lr * (gk + ρ * slot1[k]!);
          break;
        }
        case 'adagrad': {
          slot1[k] = slot1[k]! + gk * gk;
          θ[k] = θ[k]! - (lr * gk) / (Math.sqrt(slot1[k]!) + (args.eps ?? 1e-7));
          break;
        }
        case 'rmsprop': {
          const α = args.alpha ?? 0.9;
          slot1[k] = α * slot1[k]! + (1 - α) * gk * gk;
          θ[k] = θ[k]! - (lr * gk) / (Math.sqrt(slot1[k]!) + (args.eps ?? 1e-7));
          break;
        }
        case 'adam': {
          const β1 = args.beta1 ?? 0.9;
          const β2 = args.beta2 ?? 0.999;
          slot1[k] = β1 * slot1[k]! + (1 - β1) * gk;
          slot2[k] = β2 * slot2[k]! + (1 - β2) * gk * gk;
          const mhat = slot1[k]! / (1 - β1 ** t);
          const vhat = slot2[k]! / (1 - β2 ** t);
          θ[k] = θ[k]! - (lr * mhat) / (Math.sqrt(vhat) + (args.eps ?? 1e-8));
          break;
        }
        default:
          throw new Error(name);
      }
    }
    out.push([...θ]);
  }
  return out;
}

const flatParams = (m: GeneratedModel) => NAMES.flatMap((n) => Array.from(m.params[n]!));
const spell = (name: string, args: Args) => `${name}(${Object.entries(args).map(([k, v]) => `${k} = ${v}`).join(', ')})`;

const CASES: [string, Args][] = [
  ['sgd', { lr: 0.1 }],
  ['momentum', { lr: 0.05 }],
  ['momentum', { lr: 0.05, rho: 0.5 }],
  ['nesterov', { lr: 0.05 }],
  ['nesterov', { lr: 0.02, rho: 0.7 }],
  ['adagrad', { lr: 0.3 }],
  ['adagrad', { lr: 0.3, eps: 0.01 }],
  ['rmsprop', { lr: 0.01 }],
  ['rmsprop', { lr: 0.02, alpha: 0.5, eps: 1e-3 }],
  ['adam', { lr: 0.1 }],
  ['adam', { lr: 0.05, beta1: 0.5, beta2: 0.9, eps: 1e-3 }],
];
// Every optimizer again with weight decay, with clipping (active: |g| ≈ 6.5 at the start), and with both.
for (const name of ['sgd', 'momentum', 'nesterov', 'adagrad', 'rmsprop', 'adam']) {
  CASES.push([name, { lr: 0.05, weight_decay: 0.1 }]);
  CASES.push([name, { lr: 0.05, clip: 0.5 }]);
  CASES.push([name, { lr: 0.05, weight_decay: 0.3, clip: 1 }]);
}

describe('step: the first five updates of every optimizer equal the formulas of §7', () => {
  it.each(CASES)('%s %o (float64)', async (name, args) => {
    const m = await live(model(spell(name, args)), { precision: 'f64' });
    const want = reference(name, args, 5);
    for (let t = 0; t < 5; t++) {
      m.step(inputs);
      const got = flatParams(m);
      expect(maxDiff(got, want[t]!), `step ${t + 1}`).toBeLessThan(1e-12);
    }
    expect(Array.from(m.state()['@step']!)).toEqual([5]);
  });

  it.each(CASES.filter((_, k) => k % 3 === 0))('%s %o (float32, to float32 accuracy)', async (name, args) => {
    const m = await live(model(spell(name, args)));
    const want = reference(name, args, 5);
    for (let t = 0; t < 5; t++) m.step(inputs);
    expect(maxDiff(flatParams(m), want[4]!)).toBeLessThan(2e-5);
  });

  it('returns the loss before the update', async () => {
    const m = await live(model('sgd(lr = 0.1)'), { precision: 'f64' });
    const J = (θ: number[]) => {
      const { a, c, B } = inputs;
      let s = 0;
      for (let k = 0; k < 3; k++) s += 0.5 * a[k]! * θ[k]! ** 2 + c[k]! * θ[k]!;
      for (let k = 0; k < 4; k++) s += 0.5 * B[k]! * θ[3 + k]! ** 2;
      return s + 1.5 * θ[7]! ** 2;
    };
    const before = flatParams(m);
    expect(m.step(inputs)).toBeCloseTo(J(before), 12);
    const after = flatParams(m);
    expect(m.step(inputs)).toBeCloseTo(J(after), 12);
  });
});

describe('optimizer state in state() / load()', () => {
  it('holds each optimizer slot by the names W.m, W.v, … and the step count', async () => {
    const slots: Record<string, string[]> = { sgd: [], momentum: ['v'], nesterov: ['v'], adagrad: ['G'], rmsprop: ['s'], adam: ['m', 'v'] };
    for (const [name, want] of Object.entries(slots)) {
      const m = await live(model(`${name}(lr = 0.01)`), { precision: 'f64' });
      m.step(inputs);
      const keys = Object.keys(m.state()).sort();
      expect(keys).toEqual([...NAMES, ...NAMES.flatMap((p) => want.map((s) => `${p}.${s}`)), '@step'].sort());
    }
  });

  it('adam moments after one step are (1−β1)g and (1−β2)g²', async () => {
    const m = await live(model('adam(lr = 0.01)'), { precision: 'f64' });
    const g = gradient([0.5, -1.0, 2.0, 0.3, -0.2, 1.5, 0.7, 0.8]);
    m.step(inputs);
    const st = m.state();
    expect(maxDiff(st['w.m']!, g.slice(0, 3).map((x) => 0.1 * x))).toBeLessThan(1e-15);
    expect(maxDiff(st['M.v']!, g.slice(3, 7).map((x) => 0.001 * x * x))).toBeLessThan(1e-15);
  });

  it.each(['momentum', 'adagrad', 'adam'])('%s: 2 steps, save, load into a fresh module, 3 steps = 5 steps uninterrupted', async (name) => {
    const src = model(`${name}(lr = 0.05)`);
    const a = await live(src);
    for (let t = 0; t < 5; t++) a.step(inputs);
    const b = await live(src);
    b.step(inputs);
    b.step(inputs);
    const saved = JSON.parse(JSON.stringify(Object.fromEntries(Object.entries(b.state()).map(([k, v]) => [k, Array.from(v)]))));
    const c = await live(src, { seed: 99 });
    c.load(saved);
    for (let t = 0; t < 3; t++) c.step(inputs);
    expect(flatParams(c)).toEqual(flatParams(a));
    expect(Array.from(c.state()['@step']!)).toEqual([5]);
  });
});
