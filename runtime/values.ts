// Values by name (the `--at VALUES.json` format, and values written in the
// model): checked against the model's declarations, run-time dims bound from
// their shapes. Every mistake names the file and the entry.
import { shapeOf } from '../compiler/analyze/declarations.js';
import type { InputInfo, JsonValue, Model, ParamInfo } from '../compiler/model.js';
import { firstMisfit, fitsFloat64 } from './json-numbers.js';

export class ValuesError extends Error {
  constructor(readonly file: string, message: string) {
    super(`${file}: error: ${message}`);
    this.name = 'ValuesError';
  }
}

export interface BoundValues {
  /** Values of params given (file or model), flat row-major. */
  params: Record<string, Float64Array>;
  inputs: Record<string, Float64Array>;
  /** Values of the run-time dims. */
  dims: Record<string, number>;
}

/** Parses a values file's text; a syntax error names the file. */
export function parseValues(file: string, text: string): Record<string, JsonValue> {
  const big = firstMisfit(text, fitsFloat64); // JSON reads 1e999 as Infinity
  if (big) throw new ValuesError(`${file}:${big.line}:${big.col}`, `${big.literal} is beyond float64's range`);
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new ValuesError(file, `not valid JSON: ${(e as Error).message}`);
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new ValuesError(file, 'expected a JSON object of values by name');
  return v as Record<string, JsonValue>;
}

/**
 * Binds values to the model: `given` (from --at) wins over values in the model.
 * `dims` are run-time dims given on the command line. Inputs without a value
 * are an error unless `fill` supplies one.
 */
export function bindValues(
  model: Model,
  file: string,
  given: Record<string, JsonValue>,
  dims: Record<string, number> = {},
  fill?: (input: InputInfo, dims: Record<string, number>) => Float64Array,
): BoundValues {
  const known = new Set([...model.params, ...model.inputs].map((t) => t.name));
  for (const name of Object.keys(given)) {
    if (!known.has(name)) throw new ValuesError(file, `'${name}' is not a param or input of the model`);
    const bad = firstNonNumber(given[name], `'${name}'`);
    if (bad) throw new ValuesError(file, bad);
  }
  // Own entries only: a tensor may be called `constructor` or `toString`.
  const givenOf = (name: string): JsonValue | undefined => (Object.hasOwn(given, name) ? given[name] : undefined);
  // Without a prototype: a dim may be called `constructor`.
  const out: BoundValues = { params: {}, inputs: {}, dims: Object.assign(Object.create(null) as Record<string, number>, dims) };
  const bindFrom = new Map<string, string>();
  const entries: [ParamInfo | InputInfo, JsonValue, string][] = [];
  for (const t of [...model.inputs, ...model.params]) {
    const v = givenOf(t.name) ?? t.value;
    if (v !== undefined) entries.push([t, v, givenOf(t.name) !== undefined ? file : 'the model']);
  }
  // First bind the run-time dims from every shape, checking they agree.
  for (const [t, v, where] of entries) {
    const shape = shapeOf(v);
    if (!shape) throw new ValuesError(where, `'${t.name}' is not a number or a rectangular array of numbers`);
    const want = t.type.dims;
    if (shape.length !== want.length) {
      throw new ValuesError(where, `'${t.name}' has ${describe(shape)}; the model declares it ${declared(t)}`);
    }
    want.forEach((d, k) => {
      const lin = d.linearIn();
      if (d.constant !== undefined || !lin) return;
      const value = shape[k]! / lin.factor;
      const prev = out.dims[lin.dim];
      if (prev !== undefined && prev !== value) {
        throw new ValuesError(where, `'${t.name}' gives ${lin.dim} = ${value}, but ${bindFrom.get(lin.dim) ?? 'the command line'} gave ${lin.dim} = ${prev}`);
      }
      if (!Number.isInteger(value) || value <= 0) throw new ValuesError(where, `'${t.name}' has ${describe(shape)}, which does not fit ${declared(t)}`);
      out.dims[lin.dim] = value;
      bindFrom.set(lin.dim, `'${t.name}'`);
    });
  }
  for (const [t, v, where] of entries) {
    const shape = shapeOf(v)!;
    t.type.dims.forEach((d, k) => {
      const size = tryEval(d, out.dims);
      if (size !== undefined && size !== shape[k]) {
        throw new ValuesError(where, `'${t.name}' has ${describe(shape)}; the model declares it ${declared(t)}${d.constant === undefined ? ` = [${t.type.dims.map((x) => tryEval(x, out.dims) ?? x.key).join(', ')}]` : ''}`);
      }
    });
    const flat = new Float64Array([v].flat(3) as number[]);
    if ('int' in t && t.int) {
      const bad = flat.findIndex((x) => !Number.isInteger(x));
      if (bad >= 0) throw new ValuesError(where, `'${t.name}' is an int input; entry ${bad} is ${flat[bad]}`);
      const bound = t.bound && tryEval(t.bound, out.dims);
      const out_ = bound === undefined ? -1 : flat.findIndex((x) => x < 0 || x >= bound);
      if (out_ >= 0) throw new ValuesError(where, `'${t.name}'[${out_}] is ${flat[out_]}: must be in [0, ${bound})`);
    } else {
      const bad = flat.findIndex((x) => typeof x !== 'number' || Number.isNaN(x));
      if (bad >= 0) throw new ValuesError(where, `'${t.name}' entry ${bad} is not a number`);
    }
    if ('init' in t) out.params[t.name] = flat;
    else out.inputs[t.name] = flat;
  }
  for (const i of model.inputs) {
    if (Object.hasOwn(out.inputs, i.name) || !i.used) continue;
    if (!fill) throw new ValuesError(file, `no value for input '${i.name}'`);
    out.inputs[i.name] = fill(i, out.dims);
  }
  return out;
}

/**
 * The first entry of a value that is not a finite number, worded with its
 * path (`'W'[1][0] is "abc" (a string), not a number`), or undefined. JSON
 * reads 1e999 as Infinity, so that is caught here too.
 */
export function firstNonNumber(v: unknown, path: string, depth = 0): string | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? undefined : `${path} is ${v} (beyond float64's range), not a finite number`;
  if (Array.isArray(v)) {
    if (depth >= 2) return `${path} nests arrays ${depth + 1} deep; a tensor has at most 2 axes`;
    for (let k = 0; k < v.length; k++) {
      const bad = firstNonNumber(v[k], `${path}[${k}]`, depth + 1);
      if (bad) return bad;
    }
    return undefined;
  }
  const what = v === null ? 'null' : typeof v === 'string' ? `${JSON.stringify(v)} (a string)` : typeof v === 'boolean' ? `${v} (a boolean)` : 'an object';
  return `${path} is ${what}, not a number`;
}

function tryEval(d: { eval(dims: Record<string, number>): number }, dims: Record<string, number>): number | undefined {
  try {
    return d.eval(dims);
  } catch {
    return undefined;
  }
}

function describe(shape: number[]): string {
  return shape.length === 0 ? 'a single number' : `shape [${shape.join(', ')}]`;
}

function declared(t: ParamInfo | InputInfo): string {
  return t.type.dims.length === 0 ? 'a scalar' : `[${t.type.dims.map((d) => d.key).join(', ')}]`;
}
