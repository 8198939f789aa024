// Timing: warm up, then samples of one or more calls each (enough calls that a
// sample lasts a few milliseconds, so that microsecond workloads are measured
// above the timer's resolution), reported per call.

export interface Stats {
  median_ms: number;
  min_ms: number;
  max_ms: number;
}

export interface Timed {
  /** One call of the workload; must finish its work before returning. */
  run(): unknown;
}

export interface TimingOptions {
  samples: number;
  /** Warm-up lasts at least this long, and at least 3 calls. */
  warmupMs: number;
  /** A sample repeats the call until it lasts about this long. */
  sampleMs: number;
}

/** Warms `t` up and returns how many calls make one sample. */
export function warmUp(t: Timed, o: TimingOptions): number {
  const start = performance.now();
  let calls = 0;
  while (calls < 3 || performance.now() - start < o.warmupMs) {
    t.run();
    calls++;
  }
  // Time a few calls on their own, now that the code is compiled.
  const t0 = performance.now();
  let n = 0;
  do {
    t.run();
    n++;
  } while (performance.now() - t0 < o.sampleMs / 4 && n < 1000);
  const perCall = (performance.now() - t0) / n;
  return Math.max(1, Math.round(o.sampleMs / perCall));
}

/** One sample: the mean time of `reps` calls, in ms. */
export function sample(t: Timed, reps: number): number {
  const t0 = performance.now();
  for (let r = 0; r < reps; r++) t.run();
  return (performance.now() - t0) / reps;
}

export function stats(samples: number[]): Stats {
  const s = [...samples].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  return { median_ms: median, min_ms: s[0]!, max_ms: s[s.length - 1]! };
}

/**
 * Times several systems together: after each has warmed up, their samples
 * alternate (one of each in turn), so that a slow moment of the machine
 * falls on all of them alike.
 */
export function timeTogether(systems: Timed[], o: TimingOptions): Stats[] {
  const reps = systems.map((t) => warmUp(t, o));
  const samples: number[][] = systems.map(() => []);
  for (let k = 0; k < o.samples; k++) systems.forEach((t, i) => samples[i]!.push(sample(t, reps[i]!)));
  return samples.map(stats);
}

/** A readable duration, three digits: µs below a millisecond, s from a second. */
export function formatMs(ms: number): string {
  if (ms < 1) return `${(ms * 1000).toPrecision(3)} µs`;
  if (ms < 999.5) return `${ms.toPrecision(3)} ms`;
  return `${(ms / 1000).toPrecision(3)} s`;
}
