// Values for inputs that --at does not give: `check`, `grad`, `explain` and
// `hessian` run on seeded random numbers instead of stopping, and say so.
import type { InputInfo } from '../../compiler/model.js';
import { normal, uniform } from '../../compiler/random.js';

/** Run-time dims that no value binds get this size (documented in the README). */
export const DEFAULT_RUNTIME_DIM = 3;

/** Seeded random values for inputs without one: N(0, 1), or labels uniform below their bound. */
export function randomInput(seed: number) {
  return (i: InputInfo, dims: Record<string, number>): Float64Array => {
    for (const d of i.shape[0].mul(i.shape[1]).dims) dims[d] ??= DEFAULT_RUNTIME_DIM;
    const n = i.shape[0].mul(i.shape[1]).eval(dims);
    const stream = 7919 + i.name.length * 131 + i.name.charCodeAt(0);
    if (i.int) {
      // Labels below their number of classes; integers with no known range in {0, 1, 2}.
      const b = i.bound ? i.bound.eval(dims) : 3;
      return Float64Array.from({ length: n }, (_, k) => Math.floor(uniform(seed, stream, k) * b));
    }
    return Float64Array.from({ length: n }, (_, k) => normal(seed, stream, k));
  };
}

/** randomInput, with one line on stderr naming the inputs it filled (so a result is never silently made up). */
export function announcedFill(seed: number) {
  const fill = randomInput(seed);
  return (i: InputInfo, dims: Record<string, number>): Float64Array => {
    const free = i.shape[0].mul(i.shape[1]).dims.filter((d) => dims[d] === undefined);
    const v = fill(i, dims);
    const sized = free.length ? ` (${free.map((d) => `${d} = ${dims[d]}`).join(', ')})` : '';
    process.stderr.write(`gradc: note: no value for input '${i.name}': using seeded random values${sized}, seed ${seed}; give values with --at VALUES.json\n`);
    return v;
  };
}
