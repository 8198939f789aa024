// Results of a generated module as JSON values in the user's shapes: a number
// for a scalar, a flat array for a vector (row or column), nested arrays for a matrix.
import type { JsonValue, TensorType } from '../compiler/model.js';
import type { ResultValue } from './module-types.js';

export function toJson(v: ResultValue, type: TensorType, dims: Record<string, number>): JsonValue {
  const flat = typeof v === 'number' ? [v] : Array.from(v);
  if (type.dims.length === 0) return flat[0]!;
  if (type.dims.length === 1) return flat;
  const cols = type.dims[1]!.eval(dims);
  const rows: number[][] = [];
  for (let i = 0; i < flat.length; i += cols) rows.push(flat.slice(i, i + cols));
  return rows;
}

/** The first non-finite number in a JSON value, as a path like [2][0], or undefined. */
export function firstNonFinite(v: JsonValue, path = ''): string | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? undefined : path || '(the value)';
  for (let k = 0; k < v.length; k++) {
    const p = firstNonFinite(v[k]!, `${path}[${k}]`);
    if (p) return p;
  }
  return undefined;
}
