// Data for training: which values of an example feed which input (the
// layout), the mapping of a file's columns onto the inputs (`--columns
// X=0:64,y=64`, header names, or declaration order), and the checked load. A
// load either returns every example or throws naming the file, row and column:
// nothing is ever half-loaded.
import type { InputInfo, Model } from '../../compiler/model.js';
import { ValuesError } from '../values.js';
import { fitsFloat32, FLOAT32_MAX } from '../json-numbers.js';
import { toNumber, type DataFile, type Named, type Table } from './table.js';

/** A mistake in a command-line option about the data (the command reports it as usage). */
export class OptionError extends Error {}

/** How one input takes its values from examples. */
export interface InputLayout {
  name: string;
  int: boolean;
  /** Values per example. */
  width: number;
  /** Where example j's value i goes in a batch of B: [d, N] → i·B + j; [N, d] → j·d + i. */
  examplesAre: 'columns' | 'rows';
  /** For int inputs: the exclusive upper bound of a label, when the model fixes one. */
  bound?: number;
}

export interface Layout {
  /** The run-time dim that counts examples (the batch size); undefined: one example per step. */
  batchDim?: string;
  inputs: InputLayout[];
}

/** The layout of a compiled model's inputs; `dims` holds the values of fixed dims. */
export function layoutOf(model: Model): Layout {
  const runtime = new Set(model.dims.filter((d) => d.value === undefined).map((d) => d.name));
  const used = [...new Set(model.inputs.flatMap((i) => i.type.dims.flatMap((d) => d.dims)))].filter((d) => runtime.has(d));
  if (used.length > 1) {
    throw new OptionError(`the inputs use the run-time dims ${used.join(', ')}; training binds only the batch size: give the others with --dim NAME=VALUE`);
  }
  const batchDim = used[0];
  const inputs = model.inputs.map((i) => inputLayout(i, batchDim));
  return { batchDim, inputs };
}

function inputLayout(i: InputInfo, batchDim: string | undefined): InputLayout {
  const dims = i.type.dims;
  const bound = i.int && i.bound && i.bound.constant !== undefined ? i.bound.constant : undefined;
  const base = { name: i.name, int: i.int, bound };
  const declared = `[${dims.map((d) => d.key).join(', ')}]`;
  if (batchDim === undefined) {
    return { ...base, width: dims.reduce((a, d) => a * d.constant!, 1), examplesAre: 'columns' };
  }
  const isBatch = dims.map((d) => d.linearIn()?.dim === batchDim && d.linearIn()?.factor === 1);
  const fixed = dims.filter((d) => d.constant !== undefined);
  if (isBatch.filter(Boolean).length !== 1 || fixed.length !== dims.length - 1) {
    throw new OptionError(`input '${i.name}' : ${declared} does not hold one example per ${batchDim} (expected [${batchDim}], [d, ${batchDim}] or [${batchDim}, d])`);
  }
  const width = fixed.reduce((a, d) => a * d.constant!, 1);
  return { ...base, width, examplesAre: dims.length === 2 && isBatch[0] ? 'rows' : 'columns' };
}

/** Examples as loaded: for each input, n × width values, example after example. */
export interface Dataset {
  file: string;
  n: number;
  values: Map<string, Float64Array>;
}

/** A column reference: an index (0-based) range [from, to), or a header name. */
type Part = { from: number; to: number | undefined } | { name: string };

/** Parses `X=0:64,y=64` (also `X=0:4+6`, `X=:64`, `y=label` for a header name). */
export function parseColumns(spec: string): Map<string, Part[]> {
  const out = new Map<string, Part[]>();
  for (const item of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = /^([^=\s]+)\s*=\s*(.+)$/u.exec(item);
    if (!m) throw new OptionError(`--columns wants NAME=COLUMNS (like X=0:64,y=64), not '${item}'`);
    const parts: Part[] = [];
    for (const p of m[2]!.split('+').map((s) => s.trim())) {
      const r = /^(\d*)\s*:\s*(\d*)$/u.exec(p);
      if (r) parts.push({ from: r[1] ? Number(r[1]) : 0, to: r[2] ? Number(r[2]) : undefined });
      else if (/^\d+$/u.test(p)) parts.push({ from: Number(p), to: Number(p) + 1 });
      else if (p) parts.push({ name: p });
      else throw new OptionError(`--columns: '${item}' has an empty column`);
    }
    if (out.has(m[1]!)) throw new OptionError(`--columns names '${m[1]}' twice`);
    out.set(m[1]!, parts);
  }
  return out;
}

/** Column indices of each input in a table: from --columns, header names, or declaration order. */
export function mapColumns(table: Table, layout: Layout, spec?: Map<string, Part[]>): Map<string, number[]> {
  const width = table.rows[0]!.length;
  const need = layout.inputs.map((i) => `${i.name} (${i.width})`).join(', ');
  const out = new Map<string, number[]>();
  if (spec) {
    const names = new Set(layout.inputs.map((i) => i.name));
    for (const name of spec.keys()) if (!names.has(name)) throw new OptionError(`--columns: '${name}' is not an input of the model (inputs: ${[...names].join(', ')})`);
    for (const i of layout.inputs) {
      const parts = spec.get(i.name);
      if (!parts) throw new OptionError(`--columns gives no columns for input '${i.name}'`);
      const cols: number[] = [];
      for (const p of parts) {
        if ('name' in p) {
          const k = table.header?.indexOf(p.name) ?? -1;
          if (k < 0) throw new OptionError(`--columns: no column named '${p.name}' ${table.header ? `in the header of ${table.file}` : `(${table.file} has no header)`}`);
          cols.push(k);
        } else {
          const to = p.to ?? width;
          if (to > width || p.from >= to) throw new OptionError(`--columns: ${i.name}=${p.from}:${to} is outside the ${width} columns of ${table.file} (0 to ${width - 1})`);
          for (let k = p.from; k < to; k++) cols.push(k);
        }
      }
      if (cols.length !== i.width) throw new OptionError(`--columns gives ${cols.length} column${cols.length === 1 ? '' : 's'} to '${i.name}', which takes ${i.width} per example`);
      out.set(i.name, cols);
    }
    return out;
  }
  const byHeader = table.header && headerColumns(table.header, layout);
  if (byHeader) return byHeader;
  const total = layout.inputs.reduce((a, i) => a + i.width, 0);
  if (total !== width) {
    let k = 0;
    const like = layout.inputs.map((i) => `${i.name}=${i.width === 1 ? k++ : `${k}:${(k += i.width)}`}`).join(',');
    throw new OptionError(`${table.file} has ${width} columns, but the inputs take ${total}: ${need}; say which columns feed which input with --columns (like --columns ${like})`);
  }
  let k = 0;
  for (const i of layout.inputs) out.set(i.name, Array.from({ length: i.width }, () => k++));
  return out;
}

/** Columns named `X`, `X0`, `X_3`, `X[3]` or `X.3` feed input X, in order; undefined unless every input is found. */
function headerColumns(header: string[], layout: Layout): Map<string, number[]> | undefined {
  const out = new Map<string, number[]>();
  for (const i of layout.inputs) {
    const re = new RegExp(`^${i.name.replace(/[.*+?^${}()|[\]\\]/gu, '\\$&')}(\\[\\d+\\]|[._]?\\d+)?$`, 'u');
    const exact = header.flatMap((h, k) => (h === i.name ? [k] : []));
    const cols = exact.length === i.width ? exact : header.flatMap((h, k) => (re.test(h) && !layout.inputs.some((o) => o !== i && o.name === h) ? [k] : []));
    if (cols.length !== i.width) return undefined;
    out.set(i.name, cols);
  }
  return out;
}

/** Checks one value for an input and returns it as a number; `fail` reports. */
function check(v: unknown, i: InputLayout, fail: (message: string) => never): number {
  const x = typeof v === 'number' || typeof v === 'string' ? toNumber(v) : undefined;
  if (x === undefined) {
    const shown = typeof v === 'string' ? (v.trim() === '' ? 'an empty field' : `'${v.trim()}'`) : typeof v === 'number' ? String(v) : JSON.stringify(v);
    fail(`${shown} is not a number`);
  }
  if (!fitsFloat32(x)) fail(`${typeof v === 'string' ? v.trim() : x} is beyond float32's range (±${FLOAT32_MAX.toPrecision(8)})`);
  if (i.int) {
    if (!Number.isInteger(x)) fail(`'${i.name}' is an int input; ${x} is not an integer`);
    if (x < 0 || (i.bound !== undefined && x >= i.bound)) {
      fail(i.bound !== undefined ? `label ${x} is out of range: '${i.name}' takes integers in [0, ${i.bound})` : `'${i.name}' takes integers ≥ 0, not ${x}`);
    }
  }
  return x;
}

/** Loads every example of a data file for the layout, checking every value. */
export function loadDataset(data: DataFile, layout: Layout, columns?: string): Dataset {
  if (data.kind === 'named') {
    if (columns) throw new OptionError(`--columns applies to CSV files and JSON arrays of rows; ${data.file} names its inputs`);
    return loadNamed(data, layout);
  }
  const map = mapColumns(data, layout, columns ? parseColumns(columns) : undefined);
  const width = data.rows[0]!.length;
  const n = data.rows.length;
  const values = new Map(layout.inputs.map((i) => [i.name, new Float64Array(n * i.width)]));
  const labels = new Map<number, string>();
  for (const i of layout.inputs) map.get(i.name)!.forEach((c, k) => labels.set(c, i.width === 1 ? i.name : `${i.name}[${k}]`));
  for (let r = 0; r < n; r++) {
    const row = data.rows[r]!;
    if (!Array.isArray(row) || row.length !== width) {
      data.fail(r, undefined, undefined, `${Array.isArray(row) ? row.length : 'no'} columns, but the first row has ${width}`);
    }
    for (const i of layout.inputs) {
      const out = values.get(i.name)!;
      map.get(i.name)!.forEach((c, k) => {
        out[r * i.width + k] = check(row[c], i, (m) => data.fail(r, c, labels.get(c), m));
      });
    }
  }
  return { file: data.file, n, values };
}

function loadNamed(data: Named, layout: Layout): Dataset {
  const names = new Set(layout.inputs.map((i) => i.name));
  for (const k of data.columns.keys()) {
    if (!names.has(k)) throw new ValuesError(data.file, `'${k}' is not an input of the model (inputs: ${[...names].join(', ')})`);
  }
  const values = new Map<string, Float64Array>();
  for (const i of layout.inputs) {
    const col = data.columns.get(i.name);
    if (!col) throw new ValuesError(data.file, `no values for input '${i.name}'`);
    const out = new Float64Array(data.n * i.width);
    col.forEach((v, r) => {
      const path = data.shape === 'records' ? `[${r}].${i.name}` : `${i.name}[${r}]`;
      const fail = (m: string): never => {
        throw new ValuesError(data.file, `${path}: ${m}`);
      };
      const flat = Array.isArray(v) ? (v as unknown[]).flat(3) : [v];
      if (flat.length !== i.width) fail(`${flat.length} value${flat.length === 1 ? '' : 's'}; '${i.name}' takes ${i.width} per example`);
      flat.forEach((x, k) => (out[r * i.width + k] = check(x, i, (m) => fail(i.width === 1 ? m : `value ${k}: ${m}`))));
    });
    values.set(i.name, out);
  }
  return { file: data.file, n: data.n, values };
}

/** Fills the inputs of a batch: examples idx[from..to) of the data set. */
export class Batcher {
  private readonly cache = new Map<number, Record<string, Float32Array | Float64Array | Int32Array>>();

  constructor(private readonly data: Dataset, private readonly layout: Layout, private readonly precision: 'f32' | 'f64' = 'f32') {}

  batch(idx: ArrayLike<number>, from: number, to: number): Record<string, Float32Array | Float64Array | Int32Array> {
    const B = to - from;
    let out = this.cache.get(B);
    if (!out) {
      out = {};
      for (const i of this.layout.inputs) {
        const n = i.width * B;
        out[i.name] = i.int ? new Int32Array(n) : this.precision === 'f64' ? new Float64Array(n) : new Float32Array(n);
      }
      this.cache.set(B, out);
    }
    for (const i of this.layout.inputs) {
      const src = this.data.values.get(i.name)!;
      const dst = out[i.name]!;
      const w = i.width;
      for (let j = 0; j < B; j++) {
        const e = idx[from + j]! * w;
        if (i.examplesAre === 'rows') for (let k = 0; k < w; k++) dst[j * w + k] = src[e + k]!;
        else for (let k = 0; k < w; k++) dst[k * B + j] = src[e + k]!;
      }
    }
    return out;
  }
}
