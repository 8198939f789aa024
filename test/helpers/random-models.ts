// Random well-shaped models for the property tests, drawn by type so every one
// compiles. They reach what ordinary models reach and earlier tests did not:
// a fixed size n and a run-time size N in one value ([n, N]), bound to N = 1, 2
// or 5; scalars, columns and rows broadcast into matrices on either side of every
// binary operator; linear losses (constant cotangents, `sum(X + s)`); divisions
// by sizes (`/ N`, `/ (n * N)`, mean); rows next to columns (spec §4's row rule).
import fc from 'fast-check';

/**
 * The kinds of value: S scalar, C column [n], B column [N], R row [N]ᵀ,
 * M matrix [n, N], Q square [n, n].
 */
export type Kind = 'S' | 'C' | 'B' | 'R' | 'M' | 'Q';
const KINDS: Kind[] = ['S', 'C', 'B', 'R', 'M', 'Q'];

/** The leaves of each kind (params s, u, A; inputs X, b, differentiated too). */
const LEAVES: Record<Kind, string[]> = { S: ['s'], C: ['u'], B: ['b'], R: ['bᵀ'], M: ['X'], Q: ['A'] };

/** Kinds that broadcast together elementwise, and the kind of the result (§5). */
const BROADCAST: [Kind, Kind, Kind][] = [
  ...KINDS.map((k): [Kind, Kind, Kind] => [k, k, k]),
  ...KINDS.filter((k) => k !== 'S').flatMap((k): [Kind, Kind, Kind][] => [['S', k, k], [k, 'S', k]]),
  ['C', 'M', 'M'], ['M', 'C', 'M'], ['R', 'M', 'M'], ['M', 'R', 'M'], ['C', 'Q', 'Q'], ['Q', 'C', 'Q'],
];

const SMOOTH = ['tanh', 'sigmoid', 'softplus', 'sin', 'relu', 'log1p2'];
const apply = (f: string, x: string) => (f === 'log1p2' ? `log(1 + (${x})^2)` : `${f}(${x})`);
/** Divisors that are sizes: fixed, run-time, and both in one value. */
const SIZES = ['n', 'N', '(n * N)', '(N + 1)', '(2 * N)'];

type Names = Record<Kind, string[]>;

/**
 * An expression of `kind`. `linear` keeps it linear in each leaf or a product
 * of two (no nonlinear functions), so the loss's cotangents are constants.
 */
function expr(kind: Kind, depth: number, names: Names, linear: boolean, made = new Map<string, fc.Arbitrary<string>>()): fc.Arbitrary<string> {
  const key = `${kind}${depth}`;
  const known = made.get(key);
  if (known) return known;
  const leaf = fc.constantFrom(...names[kind]);
  if (depth <= 0) return leaf;
  // Built once per kind and depth: arbitraries are values, and sharing them keeps this linear in the depth.
  const sub = (k: Kind) => expr(k, depth - 1, names, linear, made);
  const options: fc.Arbitrary<string>[] = [];
  // Every binary operator with every broadcast, either side.
  for (const [a, b, r] of BROADCAST) {
    if (r !== kind) continue;
    options.push(fc.tuple(sub(a), fc.constantFrom('+', '-', '*'), sub(b)).map(([x, o, y]) => `(${x}) ${o} (${y})`));
    if (!linear) {
      options.push(
        fc.tuple(sub(a), sub(b)).map(([x, y]) => `(${x}) / (1 + (${y})^2)`),
        fc.tuple(fc.constantFrom('max', 'min'), sub(a), sub(b)).map(([f, x, y]) => `${f}(${x}, ${y})`),
        fc.tuple(sub(a), sub(b), sub(kind)).map(([x, y, z]) => `where((${x}) > (${y}), ${z}, ${y})`),
      );
    }
  }
  options.push(
    fc.tuple(sub(kind), fc.constantFrom(...SIZES)).map(([x, d]) => `(${x}) / ${d}`),
    fc.tuple(fc.constantFrom('2', '-0.5', '3'), sub(kind)).map(([c, x]) => `${c} * (${x})`),
  );
  if (!linear) {
    options.push(
      fc.tuple(fc.constantFrom(...SMOOTH), sub(kind)).map(([f, x]) => apply(f, x)),
      fc.tuple(sub(kind), fc.constantFrom('2', '3')).map(([x, p]) => `(${x})^${p}`),
    );
  }
  const by: Record<Kind, fc.Arbitrary<string>[]> = {
    S: [
      ...(['C', 'B', 'R', 'M', 'Q'] as Kind[]).flatMap((k) => [sub(k).map((x) => `sum(${x})`), sub(k).map((x) => `mean(${x})`)]),
      fc.tuple(sub('C'), sub('C')).map(([x, y]) => `(${x})ᵀ (${y})`),
      fc.tuple(sub('R'), sub('B')).map(([x, y]) => `(${x}) (${y})`),
      ...(linear ? [] : [sub('C').map((x) => `logsumexp(${x})`), sub('M').map((x) => `max(${x})`), fc.tuple(sub('S'), sub('S')).map(([x, y]) => `max(${x}, ${y})`)]),
    ],
    C: [
      fc.tuple(sub('Q'), sub('C')).map(([q, c]) => `(${q}) (${c})`),
      fc.tuple(sub('Q'), sub('C')).map(([q, c]) => `(${q})ᵀ (${c})`),
      fc.tuple(sub('M'), sub('B')).map(([m, b]) => `(${m}) (${b})`),
      sub('M').map((m) => `sum(${m}, axis = 1)`),
      sub('Q').map((q) => `sum(${q}, axis = 0)`),
      sub('Q').map((q) => `mean(${q}, axis = 1)`),
      sub('M').map((m) => `mean(${m}, axis = 1)`),
      ...(linear ? [] : [sub('C').map((c) => `softmax(${c})`), sub('C').map((c) => `log(softmax(${c}))`), sub('M').map((m) => `max(${m}, axis = 1)`)]),
    ],
    B: [
      sub('R').map((r) => `(${r})ᵀ`),
      sub('M').map((m) => `sum(${m}, axis = 0)`),
      sub('M').map((m) => `mean(${m}, axis = 0)`),
      fc.tuple(sub('M'), sub('C')).map(([m, c]) => `(${m})ᵀ (${c})`),
      ...(linear ? [] : [
        sub('M').map((m) => `cross_entropy(softmax(${m}), y)`), sub('M').map((m) => `logsumexp(${m}, axis = 0)`),
        // log of a softmax with a transpose between them (issue 9.3).
        sub('R').map((r) => `log(softmax(${r})ᵀ)`),
      ]),
    ],
    R: [
      sub('B').map((b) => `(${b})ᵀ`),
      fc.tuple(sub('C'), sub('M')).map(([c, m]) => `(${c})ᵀ (${m})`),
      ...(linear ? [] : [sub('R').map((r) => `softmax(${r})`), sub('R').map((r) => `log(softmax(${r}))`)]),
    ],
    M: [
      fc.tuple(sub('Q'), sub('M')).map(([q, m]) => `(${q}) (${m})`),
      fc.tuple(sub('C'), sub('R')).map(([c, r]) => `(${c}) (${r})`),
      fc.tuple(sub('C'), sub('B')).map(([c, b]) => `(${c}) (${b})ᵀ`),
      ...(linear ? [] : [sub('M').map((m) => `softmax(${m})`), sub('M').map((m) => `softmax(${m}, axis = 1)`), sub('M').map((m) => `log(softmax(${m}, axis = 1))`)]),
    ],
    Q: [
      fc.tuple(sub('Q'), sub('Q')).map(([a, b]) => `(${a}) (${b})`),
      sub('Q').map((q) => `(${q})ᵀ`),
      fc.tuple(sub('C'), sub('C')).map(([a, b]) => `(${a}) (${b})ᵀ`),
      fc.tuple(sub('M'), sub('M')).map(([a, b]) => `(${a}) (${b})ᵀ`),
      ...(linear ? [] : [sub('Q').map((q) => `softmax(${q}, axis = 1)`)]),
    ],
  };
  options.push(...by[kind]);
  const arb = fc.oneof({ weight: Math.ceil(options.length / 3), arbitrary: leaf }, ...options);
  made.set(key, arb);
  return arb;
}

/** One random model, before its names are made unique (see `render`). */
export interface Draw {
  /** The fixed size n. */
  n: number;
  /** The value the run-time size N is bound to. */
  N: number;
  linear: boolean;
  /** Equations `e0 = …`, then the loss's expression. */
  equations: string[];
  loss: string;
}

const reduceTo = (k: Kind, x: string, mean: boolean) => (k === 'S' ? x : `${mean ? 'mean' : 'sum'}(${x})`);

export const draws: fc.Arbitrary<Draw> = fc
  .record({
    n: fc.integer({ min: 1, max: 3 }),
    N: fc.constantFrom(1, 2, 5),
    linear: fc.boolean(),
    kinds: fc.array(fc.constantFrom(...KINDS), { minLength: 1, maxLength: 3 }),
    depth: fc.integer({ min: 1, max: 3 }),
  })
  .chain(({ n, N, linear, kinds, depth }) => {
    const names: Names = { S: [...LEAVES.S], C: [...LEAVES.C], B: [...LEAVES.B], R: [...LEAVES.R], M: [...LEAVES.M], Q: [...LEAVES.Q] };
    let arb: fc.Arbitrary<string[]> = fc.constant([]);
    kinds.forEach((k, i) => {
      const scope: Names = { ...names, [k]: [...names[k]] };
      for (const key of KINDS) scope[key] = [...names[key]];
      arb = arb.chain((eqs) => expr(k, depth, scope, linear).map((e) => [...eqs, `e${i} = ${e}`]));
      names[k].push(`e${i}`);
      if (k === 'B') names.R.push(`e${i}ᵀ`);
      if (k === 'R') names.B.push(`e${i}ᵀ`);
    });
    const means = fc.array(fc.boolean(), { minLength: kinds.length, maxLength: kinds.length });
    return fc.tuple(arb, means).map(([equations, mean]) => ({
      n, N, linear, equations,
      loss: kinds.map((k, i) => reduceTo(k, `e${i}`, mean[i]!)).join(' + '),
    }));
  });

/** A draw as a model: `dim n = …`, `dim N` (run time), its leaves, its equations and loss. */
export function render(d: Draw): string {
  const labels = [...d.equations, d.loss].some((e) => /\by\b/.test(e));
  return [
    `dim n = ${d.n}`,
    'dim N',
    'param s ~ normal(1)',
    'param u : [n] ~ normal(1)',
    'param A : [n, n] ~ normal(1)',
    'input X : [n, N]',
    'input b : [N]',
    ...(labels ? ['input y : [N] int'] : []),
    'wrt X, b',
    ...d.equations,
    `loss L = ${d.loss}`,
  ].join('\n');
}

/** The seed of a run: GRADC_PROPERTY_SEED when set (to reproduce a run), otherwise new each run. */
export function runSeed(): number {
  const given = process.env.GRADC_PROPERTY_SEED;
  if (given !== undefined && given !== '') {
    const v = Number(given);
    if (!Number.isInteger(v)) throw new Error(`GRADC_PROPERTY_SEED must be an integer, not '${given}'`);
    return v;
  }
  return Date.now() % 2 ** 31;
}

/** How many draws WebGPU checks: GRADC_PROPERTY_WGSL (a count, or `all` for every draw), default 40. */
export function wgslRuns(all: number): number {
  const given = process.env.GRADC_PROPERTY_WGSL;
  if (given === undefined || given === '') return Math.min(40, all);
  if (given === 'all') return all;
  const v = Number(given);
  if (!Number.isInteger(v) || v < 0) throw new Error(`GRADC_PROPERTY_WGSL must be a count or 'all', not '${given}'`);
  return Math.min(v, all);
}
