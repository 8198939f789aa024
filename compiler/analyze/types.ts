// The language's typing rules (spec §4, §5): vectors are columns, a transposed
// vector is a row, and rows meet rows, columns meet columns.
import { ONE, type Shape, type Size } from '../ir/size.js';
import type { TensorType } from '../model.js';

export const SCALAR_T: TensorType = { dims: [] };

export const rank = (t: TensorType) => t.dims.length;
export const isScalar = (t: TensorType) => t.dims.length === 0;
export const isVector = (t: TensorType) => t.dims.length === 1;
export const isMatrix = (t: TensorType) => t.dims.length === 2;

export function column(n: Size): TensorType {
  return { dims: [n] };
}

export function matrix(r: Size, c: Size): TensorType {
  return { dims: [r, c] };
}

/** The IR shape holding a value of this type. */
export function toShape(t: TensorType): Shape {
  if (t.dims.length === 0) return [ONE, ONE];
  if (t.dims.length === 1) return t.row ? [ONE, t.dims[0]!] : [t.dims[0]!, ONE];
  return [t.dims[0]!, t.dims[1]!];
}

/** `[4]`, `[4]ᵀ`, `[n, N]`, `scalar`. */
export function formatType(t: TensorType): string {
  if (t.dims.length === 0) return 'a scalar';
  return `[${t.dims.map((d) => d.key).join(', ')}]${t.row ? 'ᵀ' : ''}`;
}

export function sameType(a: TensorType, b: TensorType): boolean {
  return a.dims.length === b.dims.length && a.dims.every((d, i) => d.equals(b.dims[i]!)) && !!a.row === !!b.row;
}

export function transposed(t: TensorType): TensorType {
  if (t.dims.length === 2) return { dims: [t.dims[1]!, t.dims[0]!] };
  if (t.dims.length === 1) return { dims: t.dims, row: !t.row };
  return t;
}

/**
 * The type of an elementwise combination, or undefined for a shape error:
 * equal types, a scalar with anything, a column [n] with a matrix [n, N]
 * (repeated across columns), a row [N]ᵀ with a matrix [n, N].
 */
export function broadcastTypes(a: TensorType, b: TensorType): TensorType | undefined {
  if (sameType(a, b)) return a;
  if (isScalar(a)) return b;
  if (isScalar(b)) return a;
  const fits = (v: TensorType, m: TensorType) =>
    isVector(v) && isMatrix(m) && (v.row ? v.dims[0]!.equals(m.dims[1]!) : v.dims[0]!.equals(m.dims[0]!));
  if (fits(a, b)) return b;
  if (fits(b, a)) return a;
  return undefined;
}

/** The type of a matrix product (spec §4 table), or a reason it has none. */
export function matmulType(a: TensorType, b: TensorType): TensorType | string {
  if (isScalar(a)) return b;
  if (isScalar(b)) return a;
  const inner = (x: Size, y: Size) => (x.equals(y) ? undefined : `inner sizes ${x.key} and ${y.key} differ`);
  if (isMatrix(a) && isMatrix(b)) return inner(a.dims[1]!, b.dims[0]!) ?? matrix(a.dims[0]!, b.dims[1]!);
  if (isMatrix(a) && isVector(b)) {
    if (b.row) return 'a matrix times a row vector is undefined (transpose the vector?)';
    return inner(a.dims[1]!, b.dims[0]!) ?? column(a.dims[0]!);
  }
  if (isVector(a) && isMatrix(b)) {
    if (!a.row) return 'a column vector times a matrix is undefined (transpose the vector: vᵀ M)';
    return inner(a.dims[0]!, b.dims[0]!) ?? { dims: [b.dims[1]!], row: true };
  }
  // Two vectors: row · column is a dot product, column · row an outer product.
  if (a.row && !b.row) return inner(a.dims[0]!, b.dims[0]!) ?? SCALAR_T;
  if (!a.row && b.row) return matrix(a.dims[0]!, b.dims[0]!);
  return a.row
    ? 'a row vector times a row vector is undefined (transpose the second?)'
    : 'a column vector times a column vector is undefined (for a dot product write uᵀ v)';
}
