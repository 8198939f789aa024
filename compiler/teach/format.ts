// Numbers and tensors as the teaching views print them: short, exact where the
// lecture's numbers are exact (6, not 6.000), and tensors cut to a few entries.
import type { Tensor } from '../ir/tensor.js';

export function fmt(v: number): string {
  if (Number.isInteger(v) || !Number.isFinite(v)) return String(v === 0 ? 0 : v);
  const a = Math.abs(v);
  if (a < 1e-4 || a >= 1e6) return v.toExponential(3).replace(/\.?0+e/, 'e');
  return String(Number(v.toPrecision(4)));
}

/** A tensor's values: a number for one element, else `[a, b, …]` with the count when cut. */
export function showTensor(t: Tensor, max = 6): string {
  if (t.data.length === 1) return fmt(t.data[0]!);
  const all = [...t.data];
  const shown = all.length <= max ? all.map(fmt) : [...all.slice(0, max - 1).map(fmt), '…', fmt(all[all.length - 1]!)];
  const size = t.rows > 1 && t.cols > 1 ? `${t.rows}×${t.cols}: ` : all.length > max ? `${all.length} values: ` : '';
  return `[${size}${shown.join(', ')}]`;
}

/** Pads the first column of two-column rows to a common width. */
export function columns(rows: [string, string][], gap = 3): string[] {
  const w = Math.max(0, ...rows.map(([a]) => [...a].length));
  return rows.map(([a, b]) => (b ? `${a}${' '.repeat(w - [...a].length + gap)}${b}` : a));
}
