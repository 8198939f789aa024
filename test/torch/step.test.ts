// make_optimizer() against gradc's `step`: several steps of every optimizer
// (plain, and with weight decay and global-norm clipping) and of every
// schedule, driven by the language's tables, end at the same params, optimizer
// slots and step count as the JS module's step, to float32 tolerance.
import { describe, expect, it } from 'vitest';
import { OPTIMIZERS, SCHEDULES } from '../../compiler/analyze/specs.js';
import { normal, uniform } from '../../compiler/random.js';
import { compileOk } from '../helpers/run.js';
import { instantiate } from '../../runtime/instantiate.js';
import { flat, PY, runJobs, tempDir, worstError, writeModule } from './util.js';

/** Values for the arguments a schedule requires (the table gives no default). */
const REQUIRED: Record<string, number> = { every: 2, k: 0.1, steps: 3, d_model: 16, period: 4 };

function scheduleCall(name: string): string {
  const args = SCHEDULES[name]!.filter(([, , def]) => def === undefined).map(([a]) => `${a} = ${REQUIRED[a]}`);
  if (name === 'transformer') args.push('warmup = 3');
  if (name === 'cosine') args.push('min = 0.001', 'restart = true');
  if (name === 'warmup') args.push('then = cosine(period = 4)');
  return args.length ? `${name}(${args.join(', ')})` : name;
}

const model = (optimizer: string, schedule: string) => `dim N
input X : [4, N]
input y : [N] int
param W : [3, 4] ~ xavier
param b : [3] ~ normal(0.5)
optimizer ${optimizer}
schedule ${schedule}
loss J = mean(softmax_cross_entropy(W X + b, y)) + 0.1 * sum(b^2)
`;

const CASES: { name: string; source: string }[] = [
  ...Object.keys(OPTIMIZERS).flatMap((o) => [
    { name: o, source: model(`${o}(lr = 0.05)`, 'constant') },
    { name: `${o} with weight decay and clipping`, source: model(`${o}(lr = 0.05, weight_decay = 0.01, clip = 0.3)`, 'constant') },
  ]),
  ...Object.keys(SCHEDULES).map((s) => ({ name: `schedule ${scheduleCall(s)}`, source: model('momentum(lr = 0.1)', scheduleCall(s)) })),
  // lr₀ = 0: LambdaLR cannot scale a zero base rate, so the module's base is 1 and its factor the rate.
  { name: 'transformer with lr = 0', source: model('sgd(lr = 0)', scheduleCall('transformer')) },
];

/** Batches of 5 examples. */
const batches = Array.from({ length: 7 }, (_, s) => ({
  X: Array.from({ length: 20 }, (_, k) => normal(11, s, k)),
  y: Array.from({ length: 5 }, (_, k) => Math.floor(uniform(12, s, k) * 3)),
}));

interface StepResult {
  error?: string;
  losses: number[];
  state: Record<string, number[]>;
}

describe.skipIf(!PY)('make_optimizer equals gradc step', () => {
  it('every optimizer and every schedule, over 7 steps', async () => {
    expect(CASES.length).toBe(2 * Object.keys(OPTIMIZERS).length + Object.keys(SCHEDULES).length + 1);
    const dir = tempDir();
    const expected: { losses: number[]; state: Record<string, number[]> }[] = [];
    const jobs = [];
    for (const [i, c] of CASES.entries()) {
      const m = compileOk(c.source);
      const js = await instantiate(m, { seed: 2 });
      const losses = batches.map((b) => js.step({ X: Float32Array.from(b.X), y: Int32Array.from(b.y) }));
      expected.push({ losses, state: Object.fromEntries(Object.entries(js.state()).map(([k, v]) => [k, flat(v)])) });
      jobs.push({ kind: 'step', module: writeModule(m, dir, `s${i}`), seed: 2, batches });
    }
    const failures: string[] = [];
    runJobs<StepResult>(jobs, dir).forEach((r, i) => {
      const c = CASES[i]!.name;
      const e = expected[i]!;
      if (r.error) return failures.push(`${c}: ${r.error}`);
      if (worstError(r.losses, e.losses) > 1e-5) failures.push(`${c}: losses ${r.losses} vs ${e.losses}`);
      expect(Object.keys(r.state).sort(), c).toEqual(Object.keys(e.state).sort());
      for (const [k, v] of Object.entries(e.state)) {
        const err = worstError(r.state[k]!, v);
        if (!(err <= 1e-5)) failures.push(`${c}: ${k} off by ${err}`);
      }
    });
    expect(failures).toEqual([]);
  }, 120_000);
});
