// Helpers for the training tests: compile a model from text and make a live module.
import { compileSource } from '../../compiler/compile.js';
import type { Model } from '../../compiler/model.js';
import { instantiate, type InstantiateOptions } from '../../runtime/instantiate.js';
import type { GeneratedModel } from '../../runtime/module-types.js';

export function compile(source: string): Model {
  const r = compileSource(source);
  const errors = r.diagnostics.sorted().filter((d) => d.severity === 'error');
  if (!r.model || errors.length) throw new Error(`model does not compile: ${errors.map((d) => d.message).join('; ')}`);
  return r.model;
}

export async function live(source: string, opts: InstantiateOptions = {}): Promise<GeneratedModel> {
  return instantiate(compile(source), opts);
}

/** Max |a − b| over two arrays of equal length. */
export function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let m = 0;
  for (let k = 0; k < a.length; k++) m = Math.max(m, Math.abs(a[k]! - b[k]!));
  return m;
}
