// Helpers for tests: compile source text, run the generated module and the
// reference interpreter on the same values, check gradients numerically.
import { checkGradients } from '../../bin/commands/check.js';
import { compileSource } from '../../compiler/compile.js';
import { formatDiagnostic } from '../../grammar/diagnostics.js';
import type { JsonValue, Model } from '../../compiler/model.js';
import { drawValues, js, reference } from './model-runs.js';

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

/** Runs the JS module (f64; or the module of `target`) and the interpreter on the same seeded values; returns both results, flat. */
export async function jsVsReference(model: Model, seed = 0, precision: 'f32' | 'f64' = 'f64', target: 'js' | 'wasm' = 'js', dims: Record<string, number> = {}) {
  const values = await drawValues(model, seed, dims);
  return { js: await js(model, values, precision, seed, target), ref: reference(model, values, seed) };
}

/** |a − b| ≤ atol + rtol·|b| elementwise. */
export function close(a: number[], b: number[], rtol = 1e-9, atol = 1e-12): boolean {
  return a.length === b.length && a.every((x, i) => Math.abs(x - b[i]!) <= atol + rtol * Math.abs(b[i]!));
}
