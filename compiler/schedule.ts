// The learning-rate schedules of spec §7 as numbers: rate(spec, t, lr0) is the
// reference meaning of each schedule, as ops/scalar.ts is for the ops. The
// targets spell the same formulas in their own language (targets/optimizer.ts);
// `gradc train` reports the rate from here, and tests compare the two.
import type { Spec } from './model.js';

type Rate = (a: Spec['args'], t: number, lr0: number) => number;

/** A number argument (the spec tables give every schedule's defaults, so it is there). */
const num = (v: Spec['args'][string] | undefined) => v as number;

/** Each schedule's rate at step t = 1, 2, … from the optimizer's lr0. */
const RATES: Record<string, Rate> = {
  constant: (_, __, lr0) => lr0,
  step: (a, t, lr0) => lr0 * Math.pow(num(a.factor), Math.floor((t - 1) / num(a.every))),
  exp: (a, t, lr0) => lr0 * Math.exp(-num(a.k) * t),
  inv_t: (a, t, lr0) => lr0 / (1 + num(a.k) * t),
  // The `then` schedule is read at the same step count t (not t − steps).
  warmup: (a, t, lr0) => (t <= num(a.steps) ? (lr0 * t) / num(a.steps) : rate(a.then as Spec, t, lr0)),
  transformer: (a, t) => Math.pow(num(a.d_model), -0.5) * Math.min(Math.pow(t, -0.5), t * Math.pow(num(a.warmup), -1.5)),
  cosine: (a, t, lr0) => {
    const tt = a.restart ? (t - 1) % num(a.period) : Math.min(t, num(a.period)) - 1;
    return num(a.min) + 0.5 * (lr0 - num(a.min)) * (1 + Math.cos((Math.PI * tt) / num(a.period)));
  },
};

/** The learning rate at step t under schedule `s`, starting from lr0. */
export function rate(s: Spec, t: number, lr0: number): number {
  const r = RATES[s.name];
  if (!r) throw new Error(`internal: schedule ${s.name}`);
  return r(s.args, t, lr0);
}
