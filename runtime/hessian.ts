// The Hessian of a real model, from the generated module: its hvp(inputs, v)
// (targets/js/hvp.ts, compiled JS in float64) once per column, H·e_k,
// rather than the reference interpreter, which re-evaluates the graph node by
// node; and H·v products for Lanczos when the matrix is too large to form.
import type { Tensor } from '../compiler/ir/tensor.js';
import type { Model } from '../compiler/model.js';
import { lanczos } from '../compiler/teach/eigen.js';
import { emitHvpModule } from '../targets/js/hvp.js';
import { importModule } from './load-module.js';
import { normal } from '../compiler/random.js';

export interface HessianPoint {
  /** Every param and input by name (params as create() initialized them, or given). */
  values: Readonly<Record<string, Tensor>>;
  dims: Readonly<Record<string, number>>;
  seed: number;
  mode: 'train' | 'eval';
}

interface HvpModel {
  params: Record<string, Float64Array>;
  grad(inputs: object): { loss: number; grad: Record<string, Float64Array | number> };
  hvp(inputs: object, v: Record<string, Float64Array | number>): { loss: number; hvp: Record<string, Float64Array | number> };
  eval(): void;
}

/** H·v for flat v (params in declaration order), and the loss and gradient at the point. */
export interface HessianOperator {
  n: number;
  loss: number;
  gradient: Float64Array;
  times(v: Float64Array): Float64Array;
}

export async function hessianOperator(model: Model, at: HessianPoint): Promise<HessianOperator> {
  const mod = await importModule<{ create(o: object): HvpModel }>(emitHvpModule(model, { precision: 'f64' }, at.mode));
  const m = mod.create({ seed: at.seed, dims: at.dims });
  for (const p of model.params) m.params[p.name]!.set(at.values[p.name]!.data);
  if (at.mode === 'eval') m.eval();
  const inputs: Record<string, Float64Array | Int32Array> = {};
  for (const i of model.inputs) if (at.values[i.name]) inputs[i.name] = i.int ? Int32Array.from(at.values[i.name]!.data) : Float64Array.from(at.values[i.name]!.data);
  const sizes = model.params.map((p) => m.params[p.name]!.length);
  const n = sizes.reduce((a, b) => a + b, 0);
  const flatten = (r: Record<string, Float64Array | number>) => {
    const out = new Float64Array(n);
    let at = 0;
    model.params.forEach((p, k) => {
      const v = r[p.name]!;
      if (typeof v === 'number') out[at] = v;
      else out.set(v, at);
      at += sizes[k]!;
    });
    return out;
  };
  const g = m.grad(inputs);
  const dirs = model.params.map((_, k) => new Float64Array(sizes[k]!));
  return {
    n,
    loss: g.loss,
    gradient: flatten(g.grad),
    times(v) {
      let at = 0;
      const byName: Record<string, Float64Array> = {};
      model.params.forEach((p, k) => {
        dirs[k]!.set(v.subarray(at, at + sizes[k]!));
        byName[p.name] = dirs[k]!;
        at += sizes[k]!;
      });
      return flatten(m.hvp(inputs, byName).hvp);
    },
  };
}

/** Every column H·e_k; `progress(done, n)` is called now and then. Symmetrized; `asymmetry` says by how much it had to be. */
export function fullHessian(op: HessianOperator, progress?: (done: number, n: number) => void): { hessian: number[][]; asymmetry: number } {
  const { n } = op;
  const cols: Float64Array[] = [];
  const e = new Float64Array(n);
  let last = performance.now();
  for (let k = 0; k < n; k++) {
    e[k] = 1;
    cols.push(op.times(e));
    e[k] = 0;
    if (progress && performance.now() - last > 1000) {
      progress(k + 1, n);
      last = performance.now();
    }
  }
  let asymmetry = 0;
  const hessian = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => {
    asymmetry = Math.max(asymmetry, Math.abs(cols[j]![i]! - cols[i]![j]!));
    return (cols[j]![i]! + cols[i]![j]!) / 2;
  }));
  return { hessian, asymmetry };
}

/**
 * The k smallest and k largest eigenvalues of H by Lanczos on H·v (no n×n matrix;
 * the extremes converge first), from a start drawn from `seed`; `progress(done, steps)` now and then.
 */
export async function extremeEigenvalues(op: HessianOperator, k: number, seed: number, progress?: (done: number, steps: number) => void): Promise<{ steps: number; smallest: number[]; largest: number[] }> {
  const steps = Math.min(op.n, Math.max(2 * k + 40, 60));
  let done = 0;
  let last = performance.now();
  const r = await lanczos(op.n, (v) => {
    const y = op.times(v);
    done++;
    if (progress && performance.now() - last > 1000) {
      progress(done, steps);
      last = performance.now();
    }
    return y;
  }, steps, (i) => normal(seed, 104729, i));
  const m = Math.min(k, r.values.length);
  return { steps: r.steps, smallest: r.values.slice(0, m), largest: r.values.slice(-m) };
}
