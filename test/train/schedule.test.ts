// The learning rate `step` uses at t = 1…N against each schedule's formula of
// spec §7, written out here, and the reference rate() (compiler/schedule.ts)
// against the same formulas. With J = w and sgd, w falls by exactly lr_t at step t.
import { describe, expect, it } from 'vitest';
import { rate } from '../../compiler/schedule.js';
import { instantiate } from '../../runtime/instantiate.js';
import { compile, live } from './util.js';

const lr0 = 0.1;
const N = 40;
type Formula = (t: number) => number;

const constant: Formula = () => lr0;
const step = (every: number, factor = 0.5): Formula => (t) => lr0 * factor ** Math.floor((t - 1) / every);
const exp = (k: number): Formula => (t) => lr0 * Math.exp(-k * t);
const invT = (k: number): Formula => (t) => lr0 / (1 + k * t);
const warmup = (steps: number, then: Formula = constant): Formula => (t) => (t <= steps ? (lr0 * t) / steps : then(t));
const transformer = (d: number, warm = 4000): Formula => (t) => d ** -0.5 * Math.min(t ** -0.5, t * warm ** -1.5);
const cosine = (period: number, min = 0, restart = false): Formula => (t) => {
  const tt = restart ? t : Math.min(t, period);
  return min + 0.5 * (lr0 - min) * (1 + Math.cos((Math.PI * ((tt - 1) % period)) / period));
};

const CASES: [string, Formula][] = [
  ['constant', constant],
  ['step(every = 3, factor = 0.5)', step(3, 0.5)],
  ['step(4)', step(4)],
  ['step(every = 5, factor = 0.1)', step(5, 0.1)],
  ['exp(k = 0.1)', exp(0.1)],
  ['exp(0.01)', exp(0.01)],
  ['inv_t(k = 0.5)', invT(0.5)],
  ['warmup(steps = 5)', warmup(5)],
  ['warmup(steps = 4, then = cosine(period = 10))', warmup(4, cosine(10))],
  ['warmup(3, then = step(every = 2))', warmup(3, step(2))],
  ['warmup(steps = 6, then = inv_t(k = 0.2))', warmup(6, invT(0.2))],
  ['transformer(d_model = 16, warmup = 4)', transformer(16, 4)],
  ['transformer(d_model = 512)', transformer(512)],
  ['cosine(period = 7)', cosine(7)],
  ['cosine(period = 7, min = 0.01, restart = true)', cosine(7, 0.01, true)],
  ['cosine(period = 5, min = 0.02)', cosine(5, 0.02)],
  ['cosine(12, 0, true)', cosine(12, 0, true)],
];

describe('schedules: the rate at t = 1…N equals the formula', () => {
  it.each(CASES)('%s', async (spec, formula) => {
    const model = compile(`param w = 0\noptimizer sgd(lr = ${lr0})\nschedule ${spec}\nloss J = w\n`);
    const m = await instantiate(model, { precision: 'f64' });
    let prev = 0;
    for (let t = 1; t <= N; t++) {
      m.step({});
      const now = m.params.w![0]!;
      const lr = prev - now;
      prev = now;
      expect(Math.abs(lr - formula(t)), `t = ${t}: lr ${lr}, formula ${formula(t)}`).toBeLessThan(1e-13);
      expect(Math.abs(rate(model.schedule, t, lr0) - formula(t)), `t = ${t}: rate()`).toBeLessThan(1e-15);
    }
  });

  it('feeds the scheduled rate to every optimizer (momentum with a step schedule)', async () => {
    const m = await live(`param w = 0\noptimizer momentum(lr = ${lr0}, rho = 0.5)\nschedule step(every = 2)\nloss J = w\n`, { precision: 'f64' });
    let v = 0;
    let w = 0;
    for (let t = 1; t <= 8; t++) {
      m.step({});
      v = 0.5 * v + 1;
      w -= step(2)(t) * v;
      expect(m.params.w![0]).toBeCloseTo(w, 12);
    }
  });

  it('continues the schedule after load(): the step count is part of the state', async () => {
    const src = `param w = 0\noptimizer sgd(lr = ${lr0})\nschedule exp(k = 0.1)\nloss J = w\n`;
    const a = await live(src, { precision: 'f64' });
    for (let t = 0; t < 6; t++) a.step({});
    const b = await live(src, { precision: 'f64' });
    b.load({ w: [a.params.w![0]!], '@step': [6] });
    b.step({});
    a.step({});
    expect(b.params.w![0]).toBe(a.params.w![0]);
  });
});
