// Wrong answers found once, each kept as a named case with its right answer,
// worked out by hand, on every target: the reference interpreter, the JS module
// in float64 and float32, and WebGPU when there is a device. Issue 9's five,
// then any the property tests find (test/property.test.ts).
import { beforeAll, describe, expect, it } from 'vitest';
import { compileSource } from '../compiler/compile.js';
import { printExpr } from '../compiler/print.js';
import { derivativeLines, formatLines } from '../compiler/print.js';
import { latexDocument } from '../compiler/teach/latex.js';
import { emitJsModule } from '../targets/js/module.js';
import { compileOk } from './helpers/run.js';
import { drawValues, js, reference, wgsl, type Result } from './helpers/model-runs.js';
import { gpuOrReason } from './wgsl/util.js';

let device: GPUDevice | undefined;
beforeAll(async () => {
  device = (await gpuOrReason('regressions')).device;
});

type Given = Record<string, number | number[] | number[][]>;
interface Case {
  name: string;
  source: string;
  given: Given;
  /** Run-time dims no input binds by its length. */
  dims?: Record<string, number>;
  /** The right loss and gradients (a gradient not named here is not checked against a number). */
  loss: number;
  grad: Record<string, number[]>;
}

const X34 = [[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12]];
const SUM_X34 = 78;
const ones = (r: number, c: number) => Array.from({ length: r }, () => new Array<number>(c).fill(1));
const lse = (v: number[]) => {
  const m = Math.max(...v);
  return m + Math.log(v.reduce((a, x) => a + Math.exp(x - m), 0));
};
const softmax = (v: number[]) => v.map((x) => Math.exp(x - lse(v)));

/** Issue 9.1: a scalar broadcast into a matrix under a constant cotangent was summed over the rows only. */
const BROADCAST: Case[] = [
  { name: 'sum(x + s)', source: 'param x : [3, 4]\nparam s\nloss J = sum(x + s)', given: { x: X34, s: 0.5 }, loss: SUM_X34 + 6, grad: { s: [12], x: new Array(12).fill(1) } },
  { name: 'sum(s - x)', source: 'param x : [3, 4]\nparam s\nloss J = sum(s - x)', given: { x: X34, s: 0.5 }, loss: 6 - SUM_X34, grad: { s: [12], x: new Array(12).fill(-1) } },
  { name: 'mean(x + s)', source: 'param x : [3, 4]\nparam s\nloss J = mean(x + s)', given: { x: X34, s: 0.5 }, loss: (SUM_X34 + 6) / 12, grad: { s: [1] } },
  { name: 'sum(2 * (x + s))', source: 'param x : [3, 4]\nparam s\nloss J = sum(2 * (x + s))', given: { x: X34, s: 0.5 }, loss: 2 * (SUM_X34 + 6), grad: { s: [24] } },
  { name: 'sum(s*x) + sum(x + s*s)', source: 'param x : [3, 4]\nparam s\nloss J = sum(s*x) + sum(x + s*s)', given: { x: X34, s: 0.5 }, loss: 0.5 * SUM_X34 + SUM_X34 + 12 * 0.25, grad: { s: [SUM_X34 + 12] } },
  { name: 'sum(X + s), N = 2', source: 'dim N\ninput X : [3, N]\nparam s\nloss J = sum(X + s)', given: { X: ones(3, 2), s: 0.5 }, loss: 6 + 3, grad: { s: [6] } },
  { name: 'sum(X + s), N = 5', source: 'dim N\ninput X : [3, N]\nparam s\nloss J = sum(X + s)', given: { X: ones(3, 5), s: 0.5 }, loss: 15 + 7.5, grad: { s: [15] } },
  { name: 'mean(s - X), N = 5', source: 'dim N\ninput X : [3, N]\nparam s\nloss J = mean(s - X)', given: { X: ones(3, 5), s: 0.5 }, loss: -0.5, grad: { s: [1] } },
  // Nested constant factors: the cotangent is a folded constant of the broadcast shape.
  { name: 'sum(3 * (2 * (x + s)))', source: 'param x : [3, 4]\nparam s\nloss J = sum(3 * (2 * (x + s)))', given: { x: X34, s: 0.5 }, loss: 6 * (SUM_X34 + 6), grad: { s: [72] } },
];

/** Issue 9.2: a size product (3*N) spelled without parentheses divided by 3 and multiplied by N. */
const SIZES: Case[] = [
  { name: 'mean(w * X), C = 3 fixed, N = 2', source: 'dim C = 3\ndim N\ninput X : [C, N]\nparam w\nloss J = mean(w * X)', given: { X: ones(3, 2), w: 1 }, loss: 1, grad: { w: [1] } },
  { name: 'mean(w * X), C = 3 fixed, N = 5', source: 'dim C = 3\ndim N\ninput X : [C, N]\nparam w\nloss J = mean(w * X)', given: { X: ones(3, 5), w: 2 }, loss: 2, grad: { w: [1] } },
  { name: 'mean(w * X) over [C, N + 1]', source: 'dim C = 2\ndim N\ninput X : [C, N + 1]\nparam w\nloss J = mean(w * X)', given: { X: ones(2, 3), w: 3 }, dims: { N: 2 }, loss: 3, grad: { w: [1] } },
];

/** Issue 9.3: log ∘ softmax not rewritten to log_softmax when the lowering puts a transpose between them. */
const F_HUGE = [[0, 1606], [0, 0], [1, 0]];
const STABLE: Case[] = [
  {
    name: 'cross_entropy(softmax(F), y), F [C, N]',
    source: 'dim C = 3\ndim N\ninput F : [C, N]\ninput y : [N] int\nwrt F\nloss J = sum(cross_entropy(softmax(F), y))',
    given: { F: F_HUGE, y: [0, 1] },
    loss: lse([0, 0, 1]) + lse([1606, 0, 0]),
    grad: { F: [softmax([0, 0, 1])[0]! - 1, 1, softmax([0, 0, 1])[1]!, -1, softmax([0, 0, 1])[2]!, 0] },
  },
  {
    name: 'cross_entropy(softmax(G, axis = 1)ᵀ, y), G [N, C]',
    source: 'dim C = 3\ndim N\ninput G : [N, C]\ninput y : [N] int\nwrt G\nloss J = sum(cross_entropy(softmax(G, axis = 1)ᵀ, y))',
    given: { G: [[0, 0, 1], [1606, 0, 0]], y: [0, 1] },
    loss: lse([0, 0, 1]) + lse([1606, 0, 0]),
    grad: { G: [softmax([0, 0, 1])[0]! - 1, softmax([0, 0, 1])[1]!, softmax([0, 0, 1])[2]!, 1, -1, 0] },
  },
  {
    name: 'cross_entropy(softmax(f), y), f a vector',
    source: 'input f : [3]\ninput y : int\nwrt f\nloss J = cross_entropy(softmax(f), y)',
    given: { f: [1606, 0, 0], y: 1 },
    loss: 1606, grad: { f: [1, -1, 0] },
  },
  {
    name: 'cross_entropy(softmax(fᵀ), y), a row',
    source: 'input f : [3]\ninput y : int\nwrt f\nloss J = cross_entropy(softmax(fᵀ), y)',
    given: { f: [1606, 0, 0], y: 2 },
    loss: 1606, grad: { f: [1, 0, -1] },
  },
  {
    name: 'sum(log(softmax(F)ᵀ)), F [C, N]',
    source: 'dim C = 2\ndim N\ninput F : [C, N]\nwrt F\nloss J = -sum(log(softmax(F)ᵀ))',
    given: { F: [[1606, 0], [0, 0]] },
    loss: 2 * lse([1606, 0]) - 1606 + 2 * lse([0, 0]), grad: {},
  },
];

async function results(c: Case): Promise<[string, Result][]> {
  const model = compileOk(c.source);
  const v = await drawValues(model, 0, c.dims, c.given);
  const out: [string, Result][] = [
    ['reference', reference(model, v)],
    ['js f64', await js(model, v, 'f64')],
    ['js f32', await js(model, v, 'f32')],
  ];
  if (device) out.push(['wgsl', await wgsl(device, model, v)]);
  return out;
}

describe('issue 9: the right numbers on every target', () => {
  it.for([...BROADCAST, ...SIZES, ...STABLE])('$name', async (c) => {
    for (const [target, r] of await results(c)) {
      const near = (got: number, want: number, what: string) =>
        expect(Math.abs(got - want), `${what} on ${target}: got ${got}, want ${want}`).toBeLessThanOrEqual(1e-9 + (target === 'reference' || target === 'js f64' ? 1e-9 : 2e-5) * Math.abs(want));
      near(r.loss, c.loss, 'the loss');
      for (const [k, want] of Object.entries(c.grad)) {
        expect(r.grad[k]?.length, `∂/∂${k} on ${target}`).toBe(want.length);
        want.forEach((w, i) => near(r.grad[k]![i]!, w, `∂/∂${k}[${i}]`));
      }
      for (const g of Object.values(r.grad)) expect(g.every(Number.isFinite), `gradients finite on ${target}`).toBe(true);
    }
  });
});

describe('issue 9.2: a size is printed and spelled as one value', () => {
  const model = compileOk('dim C = 3\ndim N\ninput X : [C, N]\nparam w\nloss J = mean(w * X)');
  it('in --emit grad and the forward equations', () => {
    const text = formatLines(derivativeLines(model));
    expect(text).toContain('(3*N)');
    expect(text).not.toMatch(/\/ 3\*N/);
    expect(printExpr(model.train.loss, () => undefined)).toContain('/ (3*N)');
  });
  it('in the JS module, its comments and code', () => {
    const code = emitJsModule(model);
    expect(code).not.toMatch(/\/ 3\*N|\/ 3 \* N/);
    expect(code).toContain('(3*N)');
  });
  it('in LaTeX', () => {
    expect(latexDocument(model, 'm')).toMatch(/\\frac\{[^{}]*\}\{3\\cdot N\}/);
  });
});

describe('issue 9.4: an axis a value does not have is an error at the place', () => {
  it.for([
    ['sum(s, axis = 1)', 'param s\nloss J = sum(s, axis = 1)', 2, 10, 'a scalar has no axis 1'],
    ['mean(s, axis = 0)', 'param s\nloss J = mean(s, axis = 0)', 2, 10, 'a scalar has no axis 0'],
    ['max(s, axis = 1)', 'param s\nloss J = max(s, axis = 1)', 2, 10, 'a scalar has no axis 1'],
    ['softmax(v, axis = 1)', 'param v : [3]\nloss J = sum(softmax(v, axis = 1))', 2, 14, 'a vector has only axis 0'],
    ['log_softmax(s, axis = 1)', 'param s\nloss J = log_softmax(s, axis = 1)', 2, 10, 'a scalar has only axis 0'],
  ] as const)('%s', ([, source, line, col, message]) => {
    const r = compileSource(source);
    const errors = r.diagnostics.sorted().filter((d) => d.severity === 'error');
    expect(r.model).toBeUndefined();
    expect(errors.map((d) => [d.loc.line, d.loc.col, d.message.slice(0, message.length)])).toEqual([[line, col, message]]);
  });
});
