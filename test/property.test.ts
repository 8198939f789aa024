// Property-based tests: random well-shaped models on every target, random
// scalar expressions against mathjs's symbolic derivative, and random input
// that must never make the front end throw.
import fc from 'fast-check';
import { derivative, parse } from 'mathjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileSource } from '../compiler/compile.js';
import { topoSort, type Node } from '../compiler/ir/node.js';
import { compileOk, fdCheck, jsVsReference } from './helpers/run.js';
import { draws, render, runSeed, wgslRuns, type Draw } from './helpers/random-models.js';
import { asJson, disagreement, drawValues, js, reference, wgsl } from './helpers/model-runs.js';
import { gpuOrReason } from './wgsl/util.js';

// ── Random models ────────────────────────────────────────────────────────────
// Drawn by test/helpers/random-models.ts: fixed and run-time sizes in one value
// (N = 1, 2, 5), broadcasts on either side of every operator, linear losses,
// divisions by sizes. Each draw: finite differences on the float64 module, and
// every target against the reference interpreter. The seed changes every run
// and is printed; GRADC_PROPERTY_SEED=… reproduces a run, and fast-check prints
// the shrunk model that fails.
const SEED = runSeed();
const RUNS = 500;
const WGSL_RUNS = wgslRuns(RUNS);
console.log(`property tests: seed ${SEED} (GRADC_PROPERTY_SEED=${SEED} reproduces this run)`);

let device: GPUDevice | undefined;
beforeAll(async () => {
  device = (await gpuOrReason('property')).device;
});

/** Whether `n` is exp(…) under reshapes and transposes only. */
function expUnderLayout(n: Node): boolean {
  return n.op === 'exp' || ((n.op === 'reshape' || n.op === 'transpose') && expUnderLayout(n.inputs[0]!));
}

/** Every way a draw can go wrong, as a message (undefined: it is right). */
async function checkDraw(d: Draw, seed: number): Promise<string | undefined> {
  const source = render(d);
  const model = compileOk(source);
  const v = await drawValues(model, seed, { N: d.N });
  const at = `\n${source}\n(N = ${d.N}, values seed ${seed})`;
  for (const t of await fdCheck(model, asJson(model, v), seed)) {
    if (!(t.maxRelError < 1e-4)) return `∂/∂${t.name} differs from finite differences by ${t.maxRelError}${at}`;
  }
  // Stability (spec §6): no log of a softmax survives, however the lowering arranged it.
  const unstable = topoSort([model.train.loss, ...model.train.grads.values()]).find((n) => n.op === 'log' && expUnderLayout(n.inputs[0]!));
  if (unstable) return `log(exp(…)) was not rewritten to log_softmax${at}`;
  const ref = reference(model, v, seed);
  for (const [target, rtol, r] of [['js f64', 1e-9, await js(model, v, 'f64', seed)], ['js f32', 2e-3, await js(model, v, 'f32', seed)]] as const) {
    const w = disagreement(r, ref, rtol, target === 'js f64' ? 1e-12 : 1e-6);
    if (!(w.ratio <= 1)) return `${target} differs from the reference at ${w.at}${at}`;
  }
  return undefined;
}

describe('random models', () => {
  it(`${RUNS} draws: finite differences, and JS (f64, f32) = the reference interpreter`, async () => {
    const shapes = new Set<string>();
    let linear = 0;
    await fc.assert(
      fc.asyncProperty(draws, fc.integer({ min: 0, max: 1e6 }), async (d, seed) => {
        shapes.add([...d.equations, d.loss].join('; '));
        if (d.linear) linear++;
        const problem = await checkDraw(d, seed);
        expect(problem, problem).toBeUndefined();
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: false },
    );
    console.log(`property tests: ${RUNS} draws, ${shapes.size} distinct model shapes, ${linear} linear`);
    expect(shapes.size).toBeGreaterThan(RUNS / 2);
  }, 300_000);

  // A WebGPU module costs 0.3–0.8 s to create on lavapipe (a pipeline per kernel) and
  // almost nothing to run; one module holding many draws costs more, not less (25 draws
  // in one module: 43 s, measured), since every pipeline compiles the whole shader.
  // So WebGPU checks GRADC_PROPERTY_WGSL draws of the run's seed (default 40; `all`: every one).
  it(`${WGSL_RUNS} draws: WebGPU = the reference interpreter`, async (ctx) => {
    if (!device) return ctx.skip();
    let checked = 0;
    for (const [k, d] of fc.sample(draws, { numRuns: WGSL_RUNS, seed: SEED }).entries()) {
      const source = render(d);
      const model = compileOk(source);
      const v = await drawValues(model, SEED + k, { N: d.N });
      const w = disagreement(await wgsl(device, model, v, SEED), reference(model, v, SEED), 2e-3, 1e-6);
      expect(w.ratio, `WebGPU differs from the reference at ${w.at} in\n${source}\n(N = ${d.N}, values seed ${SEED + k})`).toBeLessThanOrEqual(1);
      checked++;
    }
    expect(checked).toBe(WGSL_RUNS);
  }, 600_000);
});

// ── An independent oracle: mathjs's symbolic derivative ─────────────────────
const scalarExpr: fc.Arbitrary<string> = fc.letrec((tie) => ({
  e: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom('x', 'y', 'z', '2', '0.5'),
    fc.tuple(tie('e'), fc.constantFrom('+', '-', '*'), tie('e')).map(([a, o, b]) => `(${a} ${o} ${b})`),
    fc.tuple(tie('e'), tie('e')).map(([a, b]) => `(${a}) / (1 + (${b})^2)`),
    fc.tuple(fc.constantFrom('exp', 'sin', 'cos', 'tanh'), tie('e')).map(([f, a]) => `${f}(${a})`),
    tie('e').map((a) => `log(1 + (${a})^2)`),
    tie('e').map((a) => `(${a})^2`),
  ),
})).e as fc.Arbitrary<string>;

describe('scalar derivatives against mathjs', () => {
  it('equal mathjs.derivative at random points', async () => {
    await fc.assert(
      fc.asyncProperty(scalarExpr, fc.tuple(fc.double({ min: -1.5, max: 1.5, noNaN: true }), fc.double({ min: -1.5, max: 1.5, noNaN: true }), fc.double({ min: -1.5, max: 1.5, noNaN: true })), async (e, [x, y, z]) => {
        const at = { x, y, z };
        // Every variable is declared; unused ones just get a zero gradient.
        const model = compileSource(`param x = ${x}, y = ${y}, z = ${z}\nloss f = ${e}`).model!;
        expect(model, e).toBeDefined();
        const { js } = await jsVsReference(model);
        const node = parse(e);
        expect(js.loss).toBeCloseTo(node.evaluate(at), 8);
        for (const v of ['x', 'y', 'z'] as const) {
          const want = derivative(node, v).evaluate(at) as number;
          const got = js.grad[v]![0]!;
          expect(Math.abs(got - want), `∂(${e})/∂${v} at ${JSON.stringify(at)}`).toBeLessThanOrEqual(1e-9 + 1e-7 * Math.abs(want));
        }
      }),
      { numRuns: 150, seed: 7 },
    );
  }, 60_000);
});

// ── The front end never throws ───────────────────────────────────────────────
const TOKENS = [
  'dim', 'input', 'param', 'const', 'wrt', 'def', 'loss', 'output', 'optimizer', 'schedule', 'int',
  'x', 'y', 'W', 'b', 'N', 'n', 'f', 'h', 'λ', 'σ', 'exp', 'sum', 'max', 'softmax', 'pick', 'concat', 'dropout', 'batchnorm',
  '0', '1', '2.5', '.5', '1e-3', '+', '-', '*', '/', '^', '@', '·', '⊙', 'ᵀ', "'", '^T', '=', ',', ':', '(', ')', '[', ']',
  '~', '‖', '||', '<', '<=', '>', '==', '!=', ';', '\n', 'axis', 'xavier', 'normal(0.1)', 'adam(lr = 1)', '[:, x]',
];

describe('the front end never throws', () => {
  it('on random token sequences (through analysis)', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...TOKENS), { maxLength: 40 }), fc.array(fc.constantFrom(' ', '', '\n'), { minLength: 40, maxLength: 40 }), (toks, seps) => {
        const src = toks.map((t, i) => t + seps[i]).join('');
        const r = compileSource(src);
        for (const d of r.diagnostics.list) {
          expect(d.loc.line).toBeGreaterThanOrEqual(1);
          expect(d.loc.col).toBeGreaterThanOrEqual(1);
        }
      }),
      { numRuns: 2000, seed: 1 },
    );
  });

  it('on random valid-looking models with mistakes (through analysis)', () => {
    const lines = ['dim n = 3', 'dim N', 'param W : [n, n] ~ xavier', 'param b : [n]', 'input X : [n, N]', 'input y : [N] int',
      'H = relu(W X + b)', 'loss J = mean(softmax_cross_entropy(H, y))', 'output p = softmax(H)', 'wrt X', 'def g(z) = z * W',
      'Q = g(H) + b', 'loss K = sum(Q)', 'R = W b', 'H = W', 'S = S + 1', 'T = Wᵀ X'];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...lines), { maxLength: 12 }), (ls) => {
        const r = compileSource(ls.join('\n'));
        expect(r.model !== undefined || r.diagnostics.hasErrors).toBe(true);
      }),
      { numRuns: 500, seed: 2 },
    );
  });
});
