// gradc hessian: the backward graph differentiated again, checked against
// central differences of the gradient that the generated module computes
// (what `gradc grad` runs), on every example; classification of critical
// points; the emitted hvp(); and mathjs's symbolic derivative as an oracle.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { derivative, parse } from 'mathjs';
import { classify, hessian, paramCount } from '../../compiler/teach/hessian.js';
import { emitHvpModule } from '../../targets/js/hvp.js';
import { hessianCommand, symmetricEigenvalues } from '../../bin/commands/hessian.js';
import { perturbed } from '../../bin/commands/check.js';
import { instantiate, toArrays } from '../../runtime/instantiate.js';
import { importModule } from '../../runtime/load-module.js';
import type { Model } from '../../compiler/model.js';
import type { Leaves } from '../../bin/commands/explain.js';
import { compile, compileSmall, conformance, examples, root, stdout, values } from './util.js';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Columns of the Hessian by central differences of the module's gradient (float64). */
async function finiteDifferences(model: Model, v: Leaves, columns: number[]): Promise<number[][]> {
  const m = await instantiate(model, { precision: 'f64', seed: v.seed, dims: v.dims });
  for (const p of model.params) m.params[p.name]!.set(v.values[p.name]!.data);
  const inputs = toArrays(model, Object.fromEntries(model.inputs.map((i) => [i.name, v.values[i.name]!.data])), 'f64');
  const flat = () => model.params.flatMap((p) => {
    const g = m.grad(inputs as never).grad[p.name]!;
    return typeof g === 'number' ? [g] : [...g];
  });
  const where = model.params.flatMap((p) => [...m.params[p.name]!.keys()].map((k) => [p.name, k] as const));
  return columns.map((k) => {
    const [name, i] = where[k]!;
    const { up, down, h } = perturbed(m.params[name]!, i, flat);
    return up.map((u, j) => (u - down[j]!) / (2 * h));
  });
}

/** Every column for small models, an even sample of 40 for larger ones. */
const sample = (n: number) => (n <= 60 ? [...Array(n).keys()] : Array.from({ length: 40 }, (_, k) => Math.floor((k * n) / 40)));

describe('hessian agrees with finite differences of the gradient', () => {
  const all = [...examples.map((file) => ({ file, at: undefined as string | undefined })), ...conformance];
  it.each(all.map((c) => [c.file.slice(root.length - 4), c] as const))('%s', async (_, c) => {
    const model = c.at ? compile(readFileSync(c.file, 'utf8')) : compileSmall(c.file).model;
    const v = await values(model, c.at);
    const n = paramCount(model, v.dims);
    const cols = sample(n);
    const h = hessian(model, { ...v, columns: cols });
    const fd = await finiteDifferences(model, v, cols);
    const scale = Math.max(1, ...fd.flat().map(Math.abs));
    cols.forEach((k, c) => {
      for (let i = 0; i < n; i++) expect(Math.abs(h.hessian[i]![k]! - fd[c]![i]!), `H[${h.params[i]}, ${h.params[k]}]`).toBeLessThanOrEqual(1e-5 * scale);
    });
    if (cols.length === n) expect(h.asymmetry).toBeLessThanOrEqual(1e-9 * scale);
  });
});

describe('critical points', () => {
  const at = (src: string) => {
    const dir = mkdtempSync(join(tmpdir(), 'gradc-h-'));
    writeFileSync(join(dir, 'm.nn'), src);
    return join(dir, 'm.nn');
  };
  const run = async (file: string, extra: object = {}) => JSON.parse(await stdout(() => hessianCommand(file, { json: true, ...extra })));

  it('w1² − w2² has a saddle at the origin', async () => {
    const r = await run(at('param w1 = 0, w2 = 0\nloss f = w1^2 - w2^2\n'));
    expect(r).toEqual({ params: ['w1', 'w2'], hessian: [[2, 0], [0, -2]], eigenvalues: [-2, 2], critical: 'saddle' });
  });

  it('w1² + 100 w2² has a minimum at the origin', async () => {
    const r = await run(at('param w1 = 0, w2 = 0\nloss f = w1^2 + 100 * w2^2\n'));
    expect(r).toEqual({ params: ['w1', 'w2'], hessian: [[2, 0], [0, 200]], eigenvalues: [2, 200], critical: 'minimum' });
  });

  it('−(w1² + w2²) has a maximum; away from the origin nothing is critical', async () => {
    expect((await run(at('param w1 = 0, w2 = 0\nloss f = -(w1^2 + w2^2)\n'))).critical).toBe('maximum');
    expect((await run(at('param w1 = 1, w2 = 0\nloss f = w1^2 + 100 * w2^2\n'))).critical).toBe('none');
  });

  it('flattens tensors in declaration order and names their elements', async () => {
    const r = await run(join(root, 'examples/norm_wx.nn'));
    expect(r.params).toEqual(['W[0,0]', 'W[0,1]', 'W[1,0]', 'W[1,1]']);
    // f = ‖W x‖²: H = 2 (x xᵀ ⊗ I), block diagonal with 2 x xᵀ, x = (0.2, 0.4).
    const xx = [[0.08, 0.16], [0.16, 0.32]];
    expect(r.hessian.flat().map((v: number) => Math.round(v * 1e9) / 1e9)).toEqual([...xx[0]!, 0, 0, ...xx[1]!, 0, 0, 0, 0, ...xx[0]!, 0, 0, ...xx[1]!]);
    expect(r.eigenvalues.map((v: number) => Math.round(v * 1e9) / 1e9)).toEqual([0, 0, 0.4, 0.4]);
  });

  it('classify: degenerate points and the tolerance', () => {
    expect(classify([0, 0], [0, 2])).toEqual({ critical: 'minimum', degenerate: true, gradientNorm: 0 });
    expect(classify([1e-3], [2]).critical).toBe('none');
    expect(classify([1e-12], [-3, -1]).critical).toBe('maximum');
  });

  it('refuses a Hessian too large to print, pointing at --emit hvp', async () => {
    await expect(hessianCommand(join(root, 'examples/window.nn'), { at: undefined, max: '100' })).rejects.toThrow(/--emit hvp/);
  });
});

describe('mathjs as an oracle', () => {
  // Scalar models written both as .nn and as mathjs expressions.
  const models: { nn: string; expr: string; at: Record<string, number> }[] = [
    { nn: 'loss f = sigmoid(w0 * x0 + w1 * x1 + w2)', expr: '1 / (1 + exp(-(w0 * x0 + w1 * x1 + w2)))', at: { w0: 2, x0: -1, w1: -3, x1: -2, w2: -3 } },
    { nn: 'loss f = x^3 * sin(y) + log(x * y) - exp(x / y)', expr: 'x^3 * sin(y) + log(x * y) - exp(x / y)', at: { x: 0.7, y: 1.3 } },
    { nn: 'loss f = tanh(a * b) / (1 + a^2) + sqrt(b)', expr: 'tanh(a * b) / (1 + a^2) + sqrt(b)', at: { a: -0.4, b: 2.5 } },
  ];
  it.each(models.map((m) => [m.expr, m] as const))('second derivatives of %s', async (_, m) => {
    const names = Object.keys(m.at);
    const model = compile(`param ${names.map((k) => `${k} = ${m.at[k]}`).join(', ')}\n${m.nn}\n`);
    const h = hessian(model, await values(model));
    const e = parse(m.expr);
    names.forEach((a, i) => names.forEach((b, j) => {
      const want = derivative(derivative(e, a), b).evaluate(m.at) as number;
      expect(h.hessian[i]![j]!).toBeCloseTo(want, 10);
    }));
    const eig = await symmetricEigenvalues(h.hessian);
    expect(eig).toEqual([...eig].sort((x, y) => x - y));
  });
});

describe('--emit hvp', () => {
  it('adds hvp(inputs, v) to the module, equal to H·v', async () => {
    const { model } = compileSmall(join(root, 'examples/mlp.nn'));
    const v = await values(model);
    const h = hessian(model, v);
    const mod = await importModule<{ create(o: object): any }>(emitHvpModule(model, { precision: 'f64' }));
    const m = mod.create({ seed: v.seed, dims: v.dims });
    for (const p of model.params) m.params[p.name].set(v.values[p.name]!.data);
    const inputs = toArrays(model, Object.fromEntries(model.inputs.map((i) => [i.name, v.values[i.name]!.data])), 'f64');
    const n = h.params.length;
    const dir = Array.from({ length: n }, (_, k) => Math.sin(k + 1));
    let off = 0;
    const vByName: Record<string, Float64Array> = {};
    for (const p of model.params) {
      const size = m.params[p.name].length;
      vByName[p.name] = Float64Array.from(dir.slice(off, off + size));
      off += size;
    }
    const r = m.hvp(inputs, vByName);
    const got = model.params.flatMap((p) => [...r.hvp[p.name]]);
    const want = h.hessian.map((row) => row.reduce((s, x, j) => s + x * dir[j]!, 0));
    got.forEach((x, i) => expect(x).toBeCloseTo(want[i]!, 9));
    expect(r.loss).toBeCloseTo(m.grad(inputs).loss, 12);
    expect(() => m.hvp(inputs, {})).toThrow(/hvp: v has no value for the param/);
  });
});
