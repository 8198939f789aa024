// How the wasm target spells elementwise ops and array reads as folded
// WebAssembly text: one spelling for f32 scalars, one for f32x4 vectors (four
// neighbouring elements of the loop's innermost index). Index expressions come
// from the shared code (../expr.ts) as infix text (`i * 8 + j`); `ix` turns
// them into i32 arithmetic.
import type { Spelling } from '../expr.js';

/** A request the vector spelling cannot honour: the caller falls back to scalar code. */
export class NoVector extends Error {}

/** Whether `s` is already WebAssembly text rather than an infix index. */
const isWat = (s: string) => s.includes('.') || s.includes('$');

/** An infix index expression (identifiers, integers, + - *, parentheses) as i32 WebAssembly text. */
export function ix(s: string): string {
  if (isWat(s)) return s;
  const tokens = s.match(/[A-Za-z_][A-Za-z0-9_]*|\d+|[-+*()]/g) ?? [];
  let p = 0;
  const atom = (): string => {
    const t = tokens[p++];
    if (t === '(') {
      const e = sum();
      p++; // ')'
      return e;
    }
    if (t === undefined) throw new Error(`internal: bad index '${s}'`);
    return /^\d/.test(t) ? `(i32.const ${t})` : `(local.get $${t})`;
  };
  const product = (): string => {
    let e = atom();
    while (tokens[p] === '*') {
      p++;
      e = fold('mul', e, atom());
    }
    return e;
  };
  const sum = (): string => {
    let e = product();
    while (tokens[p] === '+' || tokens[p] === '-') {
      const op = tokens[p++] === '+' ? 'add' : 'sub';
      e = fold(op, e, product());
    }
    return e;
  };
  return sum();
}

const constOf = (e: string) => (e.startsWith('(i32.const ') ? /^\(i32\.const (-?\d+)\)$/.exec(e)?.[1] : undefined);

/** i32 arithmetic with constants folded: the text stays short. */
function fold(op: 'add' | 'sub' | 'mul', a: string, b: string): string {
  const ca = constOf(a);
  const cb = constOf(b);
  if (ca !== undefined && cb !== undefined) {
    const x = Number(ca);
    const y = Number(cb);
    return `(i32.const ${op === 'add' ? x + y : op === 'sub' ? x - y : Math.imul(x, y)})`;
  }
  if (op === 'add' && ca === '0') return b;
  if ((op === 'add' || op === 'sub') && cb === '0') return a;
  if (op === 'mul' && ca === '1') return b;
  if (op === 'mul' && cb === '1') return a;
  return `(i32.${op} ${a} ${b})`;
}

/** The byte address of element `index` (infix or WAT) of the array at pointer `ptr`, with a constant index as a load offset. */
export function address(ptr: string, index: string, bytes = 4): { addr: string; offset: number } {
  const e = ix(index);
  const c = constOf(e);
  if (c !== undefined && Number(c) >= 0) return { addr: ptr, offset: Number(c) * bytes };
  return { addr: `(i32.add ${ptr} (i32.shl ${e} (i32.const ${Math.log2(bytes)})))`, offset: 0 };
}

export function memOp(op: string, ptr: string, index: string, value?: string): string {
  const { addr, offset } = address(ptr, index);
  return `(${op}${offset ? ` offset=${offset}` : ''} ${addr}${value !== undefined ? ` ${value}` : ''})`;
}

/** A number as a WAT float literal. */
export function f32lit(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  return Object.is(v, -0) ? '0' : String(v);
}

/** A fresh local of a type, from the function being written (for values used twice). */
export type Temp = (type: 'f32' | 'v128') => string;

const un = (op: string) => ([a]: string[]) => `(${op} ${a})`;
const bin = (op: string) => ([a, b]: string[]) => `(${op} ${a} ${b})`;

export function scalarSpelling(size: Spelling['size'], temp: Temp): Spelling {
  const cmp = (op: string) => ([a, b]: string[]) => `(f32.convert_i32_u (f32.${op} ${a} ${b}))`;
  const call = (f: string) => (args: string[]) => `(call $${f} ${args.join(' ')})`;
  return {
    op: {
      neg: un('f32.neg'), exp: call('exp'), log: call('log'), sqrt: un('f32.sqrt'), abs: un('f32.abs'),
      sign: call('sign'), sin: call('sin'), cos: call('cos'), tanh: call('tanh'), sigmoid: call('sigmoid'),
      softplus: call('softplus'), erf: call('erf'), gelu: call('gelu'),
      relu: ([a]) => `(f32.max ${a} (f32.const 0))`,
      add: bin('f32.add'), sub: bin('f32.sub'), mul: bin('f32.mul'), div: bin('f32.div'),
      pow: ([a, b]) => {
        if (b !== '(f32.const 2)') return `(call $pow ${a} ${b})`;
        const t = temp('f32');
        return `(f32.mul (local.tee ${t} ${a}) (local.get ${t}))`;
      },
      max: bin('f32.max'), min: bin('f32.min'),
      lt: cmp('lt'), le: cmp('le'), gt: cmp('gt'), ge: cmp('ge'), eq: cmp('eq'), ne: cmp('ne'),
      where: ([c, a, b]) => `(select ${a} ${b} (f32.ne ${c} (f32.const 0)))`,
    },
    num: (v) => `(f32.const ${f32lit(v)})`,
    size,
    sizeValue: (s) => `(f32.convert_i32_s ${ix(size(s))})`,
    load: (name, index) => memOp('f32.load', name, index),
    loadInt: (name, index) => memOp('i32.load', name, index),
    select: (c, a, b) => `(select ${a} ${b} (f32.ne ${c} (f32.const 0)))`,
    isEqual: (a, b) => `(f32.convert_i32_u (i32.eq ${ix(a)} ${ix(b)}))`,
  };
}

const ONES = '(v128.const f32x4 1 1 1 1)';
const mentionRe = new Map<string, RegExp>();
const mentions = (index: string, v: string) => {
  let re = mentionRe.get(v);
  if (!re) mentionRe.set(v, (re = new RegExp(`(^|[^A-Za-z0-9_$])\\$?${v}($|[^A-Za-z0-9_])`)));
  return re.test(index);
};

/**
 * The f32x4 spelling for a loop whose innermost index `v` takes four values
 * at once: a read whose index mentions `v` loads four neighbours (every index
 * the shared code builds has stride 1 in the innermost index), any other read
 * is splatted.
 */
export function vectorSpelling(size: Spelling['size'], temp: Temp, v: string): Spelling {
  const cmp = (op: string) => ([a, b]: string[]) => `(v128.and (f32x4.${op} ${a} ${b}) ${ONES})`;
  const call = (f: string) => (args: string[]) => `(call $${f}4 ${args.join(' ')})`;
  return {
    op: {
      neg: un('f32x4.neg'), exp: call('exp'), log: call('log'), sqrt: un('f32x4.sqrt'), abs: un('f32x4.abs'),
      sign: call('sign'), sin: call('sin'), cos: call('cos'), tanh: call('tanh'), sigmoid: call('sigmoid'),
      softplus: call('softplus'), erf: call('erf'), gelu: call('gelu'),
      relu: ([a]) => `(f32x4.max ${a} (v128.const f32x4 0 0 0 0))`,
      add: bin('f32x4.add'), sub: bin('f32x4.sub'), mul: bin('f32x4.mul'), div: bin('f32x4.div'),
      pow: ([a, b]) => {
        if (b !== '(v128.const f32x4 2 2 2 2)') return `(call $pow4 ${a} ${b})`;
        const t = temp('v128');
        return `(f32x4.mul (local.tee ${t} ${a}) (local.get ${t}))`;
      },
      max: bin('f32x4.max'), min: bin('f32x4.min'),
      lt: cmp('lt'), le: cmp('le'), gt: cmp('gt'), ge: cmp('ge'), eq: cmp('eq'), ne: cmp('ne'),
      where: ([c, a, b]) => `(v128.bitselect ${a} ${b} (f32x4.ne ${c} (v128.const f32x4 0 0 0 0)))`,
    },
    num: (x) => {
      const l = f32lit(x);
      return `(v128.const f32x4 ${l} ${l} ${l} ${l})`;
    },
    size,
    sizeValue: (s) => `(f32x4.splat (f32.convert_i32_s ${ix(size(s))}))`,
    load: (name, index) => (mentions(index, v) ? memOp('v128.load', name, index) : `(f32x4.splat ${memOp('f32.load', name, index)})`),
    loadInt: (name, index) => (mentions(index, v) ? memOp('v128.load', name, index) : `(i32x4.splat ${memOp('i32.load', name, index)})`),
    select: (c, a, b) => `(v128.bitselect ${a} ${b} (f32x4.ne ${c} (v128.const f32x4 0 0 0 0)))`,
    isEqual: (a, b) => {
      // a is an i32x4 of labels (or a splat); b an index, which counts up along v.
      if (isWat(b)) throw new NoVector();
      const bv = mentions(b, v) ? `(i32x4.add (i32x4.splat ${ix(b)}) (v128.const i32x4 0 1 2 3))` : `(i32x4.splat ${ix(b)})`;
      return `(v128.and (i32x4.eq ${a} ${bv}) ${ONES})`;
    },
  };
}
