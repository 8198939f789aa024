// Helpers for the training tests: compile a model from text and make a live module.
import { instantiate, type InstantiateOptions } from '../../runtime/instantiate.js';
import type { GeneratedModel } from '../../runtime/module-types.js';

/** A model from source text; its errors, if any, thrown with their places. */
import { compileOk as compile } from '../helpers/run.js';
export { compile };

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

/**
 * J = ½ Σ a⊙w² + Σ c⊙w + ½ Σ B⊙M² + 1.5 s², so ∂J/∂w = a⊙w + c, ∂J/∂M = B⊙M,
 * ∂J/∂s = 3s: a small problem whose gradient the tests compute themselves.
 */
export const quadratic = (optimizer: string, schedule = 'constant') => `
param w : [3] = [0.5, -1.0, 2.0]
param M : [2, 2] = [[0.3, -0.2], [1.5, 0.7]]
param s = 0.8
input a : [3]
input c : [3]
input B : [2, 2]
optimizer ${optimizer}
schedule ${schedule}
loss J = 0.5 * sum(a * w * w) + sum(c * w) + 0.5 * sum(B * M * M) + 1.5 * s * s
`;

/** The inputs of `quadratic`. */
export const QUADRATIC_INPUTS = { a: [1, 4, 0.25], c: [0.1, -0.3, 0.2], B: [1, 2, 0.5, 3] };
