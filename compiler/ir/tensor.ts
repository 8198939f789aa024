// Dense values for the reference interpreter and the command line: row-major,
// float64 (int inputs are stored as floats holding integers).

export interface Tensor {
  rows: number;
  cols: number;
  data: Float64Array;
}

export function tensor(rows: number, cols: number, data?: ArrayLike<number>): Tensor {
  const t = { rows, cols, data: new Float64Array(rows * cols) };
  if (data) t.data.set(data);
  return t;
}

export function filled(rows: number, cols: number, value: number): Tensor {
  const t = tensor(rows, cols);
  t.data.fill(value);
  return t;
}

/** Element (i, j) of t, broadcasting size-1 axes. */
export function at(t: Tensor, i: number, j: number): number {
  return t.data[(t.rows === 1 ? 0 : i) * t.cols + (t.cols === 1 ? 0 : j)]!;
}
