// Activation statistics computed inside the generated module (runtime/train/stats.ts),
// checked against the reference interpreter's values of the same equations, and
// the lecture's initialization picture on examples/deep_init.nn.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { interpret } from '../../compiler/interpret.js';
import { tensor } from '../../compiler/ir/tensor.js';
import { equations, statsModule, withInit } from '../../runtime/train/stats.js';
import { gradc } from '../helpers/cli.js';
import { compile } from './util.js';

const MODEL = `
dim N
input X : [3, N]
input y : [N] int
param W1 : [4, 3] ~ normal(1)
param b1 : [4] = [0.5, -0.5, 2, -3]
param W2 : [4, 4] ~ normal(2)
param W3 : [2, 4] ~ normal(1)
Z = W1 X + b1
H = relu(Z)
T = tanh(W2 H)
S = sigmoid(W3 T)
loss J = mean(softmax_cross_entropy(S, y))
`;

describe('activations, inside the generated module', () => {
  it('agrees with the reference interpreter on every equation', async () => {
    const model = compile(MODEL);
    const m = await statsModule(model, { seed: 3 });
    const N = 7;
    const X = Float64Array.from({ length: 3 * N }, (_, k) => Math.sin(k * 1.7) * 2);
    const y = Int32Array.from({ length: N }, (_, k) => k % 2);
    const r = m.activations({ X, y });
    const values: Record<string, ReturnType<typeof tensor>> = { X: tensor(3, N, X), y: tensor(N, 1, y) };
    for (const p of model.params) values[p.name] = tensor(p.shape[0].eval({}), p.shape[1].eval({}), m.params[p.name]!);
    const eqs = equations(model, model.train);
    expect(eqs.map((e) => e.name)).toEqual(['Z', 'H', 'T', 'S']);
    expect(r.layers.map((l) => [l.name, l.kind])).toEqual([['Z', 'other'], ['H', 'relu'], ['T', 'tanh'], ['S', 'sigmoid']]);
    const ref = interpret([model.train.loss], { values, dims: { N } });
    for (const [k, e] of eqs.entries()) {
      const a = [...ref.get(e.node.id)!.data];
      const mean = a.reduce((s, x) => s + x, 0) / a.length;
      const std = Math.sqrt(a.reduce((s, x) => s + (x - mean) ** 2, 0) / a.length);
      const l = r.layers[k]!;
      expect(l.count).toBe(a.length);
      expect(l.mean).toBeCloseTo(mean, 12);
      expect(l.std).toBeCloseTo(std, 12);
      expect(l.min).toBe(Math.min(...a));
      expect(l.max).toBe(Math.max(...a));
      const [lo, hi] = e.kind === 'tanh' ? [-1, 1] : e.kind === 'sigmoid' ? [0, 1] : [Math.min(...a), Math.max(...a)];
      const bins = new Array<number>(30).fill(0);
      for (const x of a) bins[Math.max(0, Math.min(29, Math.floor(((x - lo) / (hi - lo)) * 30)))]!++;
      expect(l.histogram).toEqual({ lo, hi, counts: bins });
      if (e.kind === 'relu') expect(l.dead).toBe(a.filter((x) => x === 0).length / a.length);
      if (e.kind === 'tanh') expect(l.saturated).toBe(a.filter((x) => Math.abs(x) > 0.99).length / a.length);
      if (e.kind === 'sigmoid') expect(l.saturated).toBe(a.filter((x) => x < 0.01 || x > 0.99).length / a.length);
    }
    // The model's biases make some ReLUs dead and some tanh units saturated: the counts are not vacuous.
    expect(r.layers[1]!.dead!).toBeGreaterThan(0);
    expect(r.layers[2]!.saturated!).toBeGreaterThan(0);
  });

  it('--init puts the initializer on every weight matrix and leaves vectors alone', () => {
    const declared = compile(MODEL);
    const model = withInit(declared, 'small');
    expect(model.params.map((p) => p.init.name)).toEqual(['small', declared.params[1]!.init.name, 'small', 'small']);
    expect(declared.params.map((p) => p.init.name)).not.toContain('small'); // the model itself is not changed
  });
});

describe('gradc stats examples/deep_init.nn', () => {
  it("reproduces the lecture's picture: small init collapses to 0 by layer 10, xavier holds", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gradc-stats-'));
    const svg = join(dir, 'h.svg');
    const r = await gradc('stats', 'examples/deep_init.nn', '--data', 'examples/data/digits.csv.gz', '--columns', 'X=0:64,y=64', '--init', 'small,xavier', '--examples', '200', '--svg', svg, '--json');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out) as { examples: number; inits: { init: string; layers: { name: string; std: number; saturated: number }[] }[] };
    expect(out.examples).toBe(200);
    expect(Object.keys(out).sort()).toEqual(['examples', 'inits', 'seed', 'svg']);
    expect(Object.keys(out.inits[0]!).sort()).toEqual(['init', 'layers', 'loss']);
    expect(Object.keys(out.inits[0]!.layers[1]!).sort()).toEqual(['count', 'histogram', 'kind', 'max', 'mean', 'min', 'name', 'saturated', 'std']);
    const std = (init: string, layer: string) => out.inits.find((i) => i.init === init)!.layers.find((l) => l.name === layer)!.std;
    expect(std('small', 'H10')).toBeLessThan(0.01 * std('small', 'H1'));
    expect(std('small', 'H1')).toBeGreaterThan(0);
    expect(std('xavier', 'H10')).toBeGreaterThan(std('xavier', 'H1') / 3);
    expect(std('xavier', 'H10')).toBeLessThan(std('xavier', 'H1') * 3);
    // On tanh's whole range [-1, 1], small init's layer 10 is one spike in the two middle bins of 30.
    const h10 = out.inits[0]!.layers.find((l) => l.name === 'H10')! as unknown as { count: number; histogram: { counts: number[] } };
    expect(h10.histogram.counts[14]! + h10.histogram.counts[15]!).toBe(h10.count);
    const pic = readFileSync(svg, 'utf8');
    expect(pic.match(/>H\d+</gu)!.length).toBe(20); // one histogram per layer and init
  }, 120_000);

  it('gradc train --stats: every epoch, the layers in --json and a line on stdout', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gradc-stats-'));
    const args = ['train', 'examples/digits.nn', '--data', 'examples/data/digits.csv.gz', '--columns', 'X=0:64,y=64', '--epochs', '2', '--stats', '--checkpoint', join(dir, 'd.ckpt.json')];
    const j = await gradc(...args, '--json');
    expect(j.code, j.err).toBe(0);
    const curves = (JSON.parse(j.out) as { curves: { epoch: number; activations: { name: string; kind: string; std: number; dead?: number }[] }[] }).curves;
    expect(curves).toHaveLength(2);
    for (const c of curves) {
      expect(c.activations.map((l) => [l.name, l.kind])).toEqual([['x', 'other'], ['H', 'relu'], ['F', 'other'], ['p', 'other']]);
      expect(c.activations[1]!.dead).toBeGreaterThan(0);
      expect(c.activations[1]!.dead).toBeLessThan(1);
    }
    expect(curves[0]!.activations[2]!.std).not.toBe(curves[1]!.activations[2]!.std); // measured after each epoch's training
    const t = await gradc(...args);
    expect(t.code, t.err).toBe(0);
    expect(t.out.match(/^ {2}activations {2}x μ .* · H μ .*% dead · F μ/gmu)).toHaveLength(2);
  }, 60_000);

  it('a model with inputs needs --data (exit 2)', async () => {
    const r = await gradc('stats', 'examples/deep_init.nn');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--data is required/u);
  });

  it('refuses an initializer it does not know (exit 2)', async () => {
    const r = await gradc('stats', 'examples/deep_init.nn', '--data', 'examples/data/digits.csv.gz', '--columns', 'X=0:64,y=64', '--init', 'tiny');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--init wants initializers from small, xavier/u);
  });
});
