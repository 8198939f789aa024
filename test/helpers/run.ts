// Helpers for tests: compile source text, run the generated module and the
// reference interpreter on the same values, check gradients numerically.
import { checkGradients } from '../../bin/commands/check.js';
import { compileSource } from '../../compiler/compile.js';
import { formatDiagnostic } from '../../grammar/diagnostics.js';
import { interpret } from '../../compiler/interpret.js';
import type { JsonValue, Model } from '../../compiler/model.js';
import { instantiate, toArrays } from '../../runtime/instantiate.js';
import { bindValues } from '../../runtime/values.js';
import { randomInput } from '../../bin/commands/check.js';
import { leafValues } from './targets.js';

export function compileOk(source: string, dims: Record<string, number> = {}): Model {
  const r = compileSource(source, { dims });
  const errors = r.diagnostics.sorted().filter((d) => d.severity === 'error');
  if (!r.model || errors.length) {
    throw new Error(`expected no errors:\n${errors.map((d) => formatDiagnostic('test.nn', source, d)).join('\n')}`);
  }
  return r.model;
}

/** The gradients by finite differences (worst relative error per tensor). */
export async function fdCheck(model: Model, given: Record<string, JsonValue> = {}, seed = 0) {
  return checkGradients(model, { seed: String(seed), max: '60' }, given, 'values');
}

/** Runs the JS module (f64; or the module of `target`) and the interpreter on the same values; returns both gradients, flat. */
export async function jsVsReference(model: Model, seed = 0, precision: 'f32' | 'f64' = 'f64', target: 'js' | 'wasm' = 'js', dims: Record<string, number> = {}) {
  const values = bindValues(model, 'values', {}, dims, randomInput(seed));
  const m = await instantiate(model, { precision, seed, dims: values.dims, target });
  for (const [k, v] of Object.entries(values.params)) m.params[k]!.set(v);
  const params: Record<string, Float64Array> = {};
  for (const p of model.params) params[p.name] = Float64Array.from(m.params[p.name]!);
  const r = m.grad(toArrays(model, values.inputs, precision));
  const leaves = leafValues(model, { ...values, params });
  const g = model.train;
  const ref = interpret([g.loss, ...g.grads.values()], { values: leaves, dims: values.dims, seed });
  const flat = (v: number | ArrayLike<number>) => (typeof v === 'number' ? [v] : Array.from(v));
  return {
    js: { loss: r.loss, grad: Object.fromEntries(Object.entries(r.grad).map(([k, v]) => [k, flat(v)])) },
    ref: {
      loss: ref.get(g.loss.id)!.data[0]!,
      grad: Object.fromEntries([...g.grads].map(([k, n]) => [k, Array.from(ref.get(n.id)!.data)])),
    },
  };
}

/** |a − b| ≤ atol + rtol·|b| elementwise. */
export function close(a: number[], b: number[], rtol = 1e-9, atol = 1e-12): boolean {
  return a.length === b.length && a.every((x, i) => Math.abs(x - b[i]!) <= atol + rtol * Math.abs(b[i]!));
}
