// `step` on the WebGPU module against `step` on the CPU module, for every
// optimizer (with weight decay, clipping and a schedule), and the initial
// params of the same seed. Skipped, with one line, where the WGSL target or a
// GPU adapter is not available.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Model } from '../../compiler/model.js';
import { instantiate } from '../../runtime/instantiate.js';
import { compile, quadratic, QUADRATIC_INPUTS } from './util.js';

type Arrays = Record<string, ArrayLike<number>>;
interface AnyModule {
  step(inputs: Record<string, ArrayLike<number>>): number | Promise<number>;
  state(): Arrays | Promise<Arrays>;
}

async function make(model: Model, target: 'js' | 'wgsl', seed = 0): Promise<AnyModule> {
  return (await instantiate(model, { target, seed })) as unknown as AnyModule;
}

/** Why the WGSL target cannot run here (undefined when it can): asked once, before the tests. */
let unavailable: string | undefined;
beforeAll(async () => {
  try {
    await make(compile('param w = 1\nloss J = w * w\n'), 'wgsl');
  } catch (e) {
    unavailable = (e as Error).message.split('\n')[0];
  }
  if (unavailable) console.log(`train/wgsl: WGSL step vs JS step skipped: ${unavailable}`);
});

/**
 * A GPU answer within `ms`, else a failure; after one such hang the remaining
 * cases fail at once instead of each waiting for the test timeout.
 */
let hung: string | undefined;
async function within<T>(what: string, p: T | Promise<T>, ms = 20_000): Promise<T> {
  if (hung) throw new Error(hung);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error((hung = `the WGSL module did not answer ${what} within ${ms / 1000} s`))), ms);
  });
  try {
    return await Promise.race([Promise.resolve(p), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const QUADRATIC = quadratic;
const inputs = Object.fromEntries(Object.entries(QUADRATIC_INPUTS).map(([k, v]) => [k, Float32Array.from(v)]));

const CLASSIFIER = (optimizer: string) => `
dim N
input X : [4, N]
input y : [N] int
param W1 : [6, 4] ~ he
param b1 : [6]
param W2 : [3, 6] ~ xavier
param b2 : [3] ~ normal(0.1)
optimizer ${optimizer}
schedule warmup(steps = 3, then = exp(k = 0.05))
H = relu(W1 X + b1)
loss J = mean(softmax_cross_entropy(W2 H + b2, y))
`;
const X = Float32Array.from({ length: 4 * 8 }, (_, k) => Math.sin(k * 1.3) * 2);
const y = Int32Array.from({ length: 8 }, (_, k) => k % 3);

const OPTIMIZERS = ['sgd(lr = 0.1)', 'momentum(lr = 0.05)', 'nesterov(lr = 0.05, rho = 0.8)', 'adagrad(lr = 0.3)', 'rmsprop(lr = 0.01)', 'adam(lr = 0.1)'];
const VARIANTS = OPTIMIZERS.flatMap((o) => [o, o.replace(')', ', weight_decay = 0.1, clip = 1)')]);

/** Max |a − b| / (1 + |b|) over every entry of two states. */
function worst(a: Arrays, b: Arrays): number {
  expect(Object.keys(a).sort()).toEqual(Object.keys(b).sort());
  let m = 0;
  for (const k of Object.keys(b)) {
    for (let i = 0; i < b[k]!.length; i++) m = Math.max(m, Math.abs(a[k]![i]! - b[k]![i]!) / (1 + Math.abs(b[k]![i]!)));
  }
  return m;
}

describe('step on WGSL matches step on JS', () => {
  it.for(VARIANTS)('%s, five steps of a quadratic', async (opt, ctx) => {
    if (unavailable) return ctx.skip();
    const model = compile(QUADRATIC(opt, 'step(every = 2)'));
    const [gpu, cpu] = [await within('create', make(model, 'wgsl')), await make(model, 'js')];
    for (let t = 0; t < 5; t++) {
      const [lg, lc] = [await within(`step ${t + 1}`, gpu.step(inputs)), await cpu.step(inputs)];
      expect(Math.abs(lg - lc) / (1 + Math.abs(lc)), `loss at step ${t + 1}`).toBeLessThan(1e-5);
    }
    expect(worst(await within('state()', gpu.state()), await cpu.state())).toBeLessThan(1e-5);
  });

  it.for(VARIANTS)('%s, five steps of a classifier on a batch', async (opt, ctx) => {
    if (unavailable) return ctx.skip();
    const model = compile(CLASSIFIER(opt));
    const [gpu, cpu] = [await within('create', make(model, 'wgsl', 7)), await make(model, 'js', 7)];
    expect(worst(await within('state()', gpu.state()), await cpu.state()), 'initial params of seed 7').toBeLessThan(1e-6);
    for (let t = 0; t < 5; t++) {
      const [lg, lc] = [await within(`step ${t + 1}`, gpu.step({ X, y })), await cpu.step({ X, y })];
      expect(Math.abs(lg - lc) / (1 + Math.abs(lc)), `loss at step ${t + 1}`).toBeLessThan(1e-5);
    }
    expect(worst(await within('state()', gpu.state()), await cpu.state())).toBeLessThan(1e-4);
  });
});
