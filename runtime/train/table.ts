// Reading a data file into rows of fields: CSV (gzip read transparently,
// header optional) and JSON (rows, records, or columns by input name).
// Every mistake names the file and the row (and column where it applies).
import { gunzipSync } from 'node:zlib';
import { firstMisfit, fitsFloat32, FLOAT32_MAX } from '../json-numbers.js';
import { ValuesError } from '../values.js';

/** A table of rows: CSV, or a JSON array of arrays. */
export interface Table {
  kind: 'table';
  file: string;
  header?: string[];
  rows: (string | number)[][];
  /** Where row r (0-based) is, for messages: `data.csv:17` or `data.json` with `[16]`. */
  fail(r: number, column: number | undefined, label: string | undefined, message: string): never;
}

/** A JSON file of examples by input name: records `[{X, y}, …]` or columns `{X: […], y: […]}`. */
export interface Named {
  kind: 'named';
  file: string;
  /** Each input's per-example values, as the file holds them. */
  columns: Map<string, unknown[]>;
  n: number;
  /** `records` for `[{…}]` (paths `[k].X`), `columns` for `{X: […]}` (paths `X[k]`). */
  shape: 'records' | 'columns';
}

export type DataFile = Table | Named;

/** The file's text, gunzipped when it starts with gzip's magic bytes. */
export function decode(file: string, bytes: Uint8Array): string {
  let b = bytes;
  if (b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b) {
    try {
      b = gunzipSync(b);
    } catch (e) {
      throw new ValuesError(file, `not a valid gzip file (${(e as Error).message})`);
    }
  }
  const text = Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** JSON when the file is named .json (before any .gz) or its text starts with `[` or `{`. */
export function readDataFile(file: string, bytes: Uint8Array): DataFile {
  const text = decode(file, bytes);
  const json = /\.json(\.gz)?$/iu.test(file) || /^\s*[[{]/u.test(text);
  return json ? parseJson(file, text) : parseCsv(file, text);
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/u;

/** A field as a number, or undefined when it is not one. */
export function toNumber(field: string | number): number | undefined {
  if (typeof field === 'number') return Number.isFinite(field) ? field : undefined;
  const s = field.trim();
  return NUMBER.test(s) ? Number(s) : undefined;
}

/** Splits one CSV line; fields may be quoted ("a,b", "say ""hi"""). */
function splitLine(line: string): string[] {
  if (!line.includes('"')) return line.split(',');
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let k = 0; k < line.length; k++) {
    const ch = line[k]!;
    if (quoted) {
      if (ch === '"' && line[k + 1] === '"') {
        cur += '"';
        k++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

/** The 1-based character column where field `c` of a CSV line starts. */
function fieldColumn(line: string, c: number): number {
  let quoted = false;
  let field = 0;
  for (let k = 0; k < line.length && field < c; k++) {
    if (line[k] === '"') quoted = !quoted;
    else if (line[k] === ',' && !quoted) field++;
    if (field === c) return k + 2;
  }
  return 1;
}

export function parseCsv(file: string, text: string): Table {
  const rows: string[][] = [];
  const lines: number[] = [];
  const raws: string[] = [];
  let header: string[] | undefined;
  let headerLine = 0;
  text.split(/\r?\n/u).forEach((raw, k) => {
    if (raw.trim() === '' || raw.startsWith('#')) return;
    const fields = splitLine(raw);
    // A first line of which at least half the fields are not numbers is a header
    // (iris's `150,4,setosa,versicolor,virginica` is); a first row with one bad
    // value is data, and reported as such.
    if (!header && !rows.length && 2 * fields.filter((f) => toNumber(f) === undefined).length >= fields.length) {
      header = fields.map((f) => f.trim());
      headerLine = k + 1;
      return;
    }
    rows.push(fields);
    lines.push(k + 1);
    raws.push(raw);
  });
  if (!rows.length) throw new ValuesError(file, header ? `no data rows after the header on line ${headerLine}` : 'no data rows');
  return {
    kind: 'table',
    file,
    header,
    rows,
    fail(r, column, label, message) {
      // Columns count from 0, as --columns does (X=0:64,y=64), so a message's
      // column can be pasted into --columns; lines and characters count from 1, as editors do.
      const where = column === undefined ? '' : `column ${column}${label ? ` (${label})` : ''}: `;
      throw new ValuesError(`${file}:${lines[r]}${column === undefined ? '' : `:${fieldColumn(raws[r]!, column)}`}`, where + message);
    },
  };
}

export function parseJson(file: string, text: string): DataFile {
  // Every number must fit the float32 the modules compute in (JSON reads 1e999 as Infinity).
  const big = firstMisfit(text, fitsFloat32);
  if (big) throw new ValuesError(`${file}:${big.line}:${big.col}`, `${big.literal} is beyond float32's range (±${FLOAT32_MAX.toPrecision(8)})`);
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new ValuesError(file, `not valid JSON: ${(e as Error).message}`);
  }
  if (Array.isArray(v)) {
    if (!v.length) throw new ValuesError(file, 'no examples (an empty array)');
    if (v.every((r) => Array.isArray(r))) {
      return {
        kind: 'table',
        file,
        rows: v as (string | number)[][],
        fail(r, column, label, message) {
          throw new ValuesError(file, `[${r}]${column === undefined ? '' : `[${column}]`}${label ? ` (${label})` : ''}: ${message}`);
        },
      };
    }
    const bad = v.findIndex((r) => r === null || typeof r !== 'object' || Array.isArray(r));
    if (bad >= 0) throw new ValuesError(file, `[${bad}]: expected an object of values by input name, like the other examples`);
    const columns = new Map<string, unknown[]>();
    v.forEach((rec: Record<string, unknown>, k) => {
      for (const [name, x] of Object.entries(rec)) {
        if (!columns.has(name)) {
          if (k > 0) throw new ValuesError(file, `[${k}].${name}: not in the examples before it`);
          columns.set(name, []);
        }
        columns.get(name)!.push(x);
      }
      for (const [name, col] of columns) if (col.length !== k + 1) throw new ValuesError(file, `[${k}]: no value for '${name}'`);
    });
    return { kind: 'named', file, columns, n: v.length, shape: 'records' };
  }
  if (v !== null && typeof v === 'object') {
    const columns = new Map<string, unknown[]>();
    let n: number | undefined;
    let first = '';
    for (const [name, x] of Object.entries(v as Record<string, unknown>)) {
      if (!Array.isArray(x)) throw new ValuesError(file, `'${name}': expected an array with one value per example`);
      if (n === undefined) [n, first] = [x.length, name];
      else if (x.length !== n) throw new ValuesError(file, `'${name}' has ${x.length} examples, but '${first}' has ${n}`);
      columns.set(name, x);
    }
    if (!n) throw new ValuesError(file, 'no examples');
    return { kind: 'named', file, columns, n, shape: 'columns' };
  }
  throw new ValuesError(file, 'expected an array of examples or an object of arrays by input name');
}
