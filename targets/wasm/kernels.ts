// WebAssembly loops for each step of a plan, as folded text. Elementwise steps
// run four elements at a time (f32x4) with a scalar tail; reductions keep
// vector partial results; matrix products are register-blocked over 4 rows ×
// 8 columns of f32x4 accumulators, with op(B) packed into row-major panels
// when it is read transposed, and carry their consumer's elementwise math
// (bias, ReLU and its mask, weight decay) as a vectorized epilogue.
import type { Axis, Node, OpAttrs } from '../../compiler/ir/node.js';
import { SCALAR, shapeEquals, type Shape, type Size } from '../../compiler/ir/size.js';
import type { Code } from '../code.js';
import { elementIndex, flatOK, valueAt, type ExprContext, type Index } from '../expr.js';
import { address, ix, memOp, NoVector, scalarSpelling, vectorSpelling, type Temp } from './spelling.js';

/** The function being written: its locals (declared at the top) and fresh labels. */
export class Fn {
  readonly locals = new Map<string, string>();
  private labels = 0;
  private temps = 0;
  constructor(readonly params: ReadonlySet<string>) {}
  local(name: string, type: string): string {
    const had = this.locals.get(name);
    if (had && had !== type) throw new Error(`internal: wasm local ${name} is ${had}, wanted as ${type}`);
    if (!this.params.has(name)) this.locals.set(name, type);
    return `$${name}`;
  }
  label(): number {
    return this.labels++;
  }
  temp: Temp = (type) => this.local(`tmp${this.temps++}`, type);
}

export interface WasmContext extends ExprContext {
  fn: Fn;
  /** The math a node computes, for the comment above its loops. */
  describe(n: Node): string;
  /** The local a scalar node's value is set in, or the pointer of an array node. */
  ref(n: Node): string;
  /** Pointer of the host-filled values of mask `id`. */
  maskPtr(id: number): string;
  /** Pointer of the scratch panel for packing. */
  scratch: string;
}

const isScalarShape = (s: Shape) => s[0].isOne() && s[1].isOne();
const get = (name: string) => `(local.get ${name})`;

/** `for (v = start; v < limit; v += step)`, with `ok` the condition for entering one more iteration (default v < limit). */
function loop(code: Code, fn: Fn, v: string, start: string, limit: string, step: number, body: () => void, width = step): void {
  const l = fn.label();
  const V = fn.local(v, 'i32');
  if (start !== 'keep') code.line(`(local.set ${V} ${ix(start)})`);
  code.line(`(block $B${l} (loop $L${l}`);
  code.indent(() => {
    const cond = width === 1 ? `(i32.ge_s ${get(V)} ${ix(limit)})` : `(i32.gt_s (i32.add ${get(V)} (i32.const ${width})) ${ix(limit)})`;
    code.line(`(br_if $B${l} ${cond})`);
    body();
    code.line(`(local.set ${V} (i32.add ${get(V)} (i32.const ${step})))`);
    code.line(`(br $L${l})`);
  });
  code.line('))');
}


/** The value a node computes from its inputs at (i, j), whatever its storage. */
function computeAt(cx: ExprContext, n: Node, at: Index): string {
  const inline = new Map(cx.plan.storage);
  inline.set(n.id, 'inline');
  return valueAt({ ...cx, plan: { ...cx.plan, storage: inline } }, n, at);
}

/** The context for f32x4 code along index `v`: scalars are splatted, reads of neighbours loaded. */
function vectorContext(cx: WasmContext, v: string): WasmContext {
  const spell = vectorSpelling(cx.spell.size, cx.fn.temp, v);
  return { ...cx, spell, name: (n) => (cx.plan.storage.get(n.id) === 'scalar' ? `(f32x4.splat ${cx.name(n)})` : cx.name(n)) };
}

/** Code from `make`, or undefined where it needs something the vector spelling cannot do. */
function tryVector(make: () => string): string | undefined {
  try {
    return make();
  } catch (e) {
    if (e instanceof NoVector) return undefined;
    throw e;
  }
}

/** Loops over the elements of `shape` storing `value(at)` at `store(at)`: four at a time along the innermost index where the math vectorizes, then a scalar tail. */
function elementLoops(code: Code, cx: WasmContext, shape: Shape, flat: boolean, value: (c: WasmContext, at: Index) => string, out: string): void {
  const [r, c] = shape;
  const sz = cx.spell.size;
  const vcx = (v: string) => vectorContext(cx, v);
  const storeV = (at: Index, inner: string) => {
    const vc = vcx(inner);
    const val = tryVector(() => value(vc, at));
    return val && memOp('v128.store', out, at.flat ?? elementIndex(cx, shape, at), val);
  };
  const storeS = (at: Index) => memOp('f32.store', out, at.flat ?? elementIndex(cx, shape, at), value(cx, at));
  const inner = (v: string, limit: string, at: (x: string) => Index) => {
    const vec = storeV(at(v), v);
    if (vec) {
      loop(code, cx.fn, v, '0', limit, 4, () => code.line(vec));
      loop(code, cx.fn, v, 'keep', limit, 1, () => code.line(storeS(at(v))));
    } else loop(code, cx.fn, v, '0', limit, 1, () => code.line(storeS(at(v))));
  };
  if (flat) inner('k', sz(r.mul(c)), (k) => ({ i: 'i', j: 'j', flat: k, shape }));
  else if (r.isOne()) inner('j', sz(c), (j) => ({ i: '0', j, shape }));
  else if (c.isOne()) inner('i', sz(r), (i) => ({ i, j: '0', shape }));
  else loop(code, cx.fn, 'i', '0', sz(r), 1, () => inner('j', sz(c), (j) => ({ i: 'i', j, shape })));
}

/** The loops that compute node `n` (with `product`: a matrix product computed in the same loops and never stored). */
export function emitStep(code: Code, cx: WasmContext, n: Node, product?: Node): void {
  const scalar = cx.plan.storage.get(n.id) === 'scalar';
  if (product) {
    code.comment(`${cx.describe(product).split('\n')[0]}\n${cx.describe(n)}`, ';;');
    return matmul(code, cx, product, n);
  }
  code.comment(cx.describe(n), ';;');
  const out = cx.ref(n);
  const attrs = n.attrs as Record<string, unknown>;
  const sz = cx.spell.size;
  switch (n.op) {
    case 'sum':
      return reduce(code, cx, n, attrs.axis as Axis, 'add');
    case 'rmax':
      return reduce(code, cx, n, attrs.axis as Axis, 'max');
    case 'logsumexp':
      return logsumexp(code, cx, n, attrs.axis as Axis);
    case 'matmul':
      return matmul(code, cx, n);
    case 'pick': {
      // p[y_j, j] for every column j.
      const [p, y] = n.inputs as [Node, Node];
      // The label goes to a local first: the shared code reads p at (label, j).
      const lab = cx.fn.local('lab', 'i32');
      const col = (j: string) => {
        code.line(`(local.set ${lab} ${cx.spell.loadInt(cx.name(y), cx.offset(y) === '0' ? j : `${cx.offset(y)} + ${j}`)})`);
        return valueAt(cx, p, { i: 'lab', j, shape: p.shape });
      };
      if (scalar) code.line(`(local.set ${out} ${col('0')})`);
      else loop(code, cx.fn, 'j', '0', sz(n.shape[1]), 1, () => code.line(memOp('f32.store', out, 'j', col('j'))));
      return;
    }
    case 'gathercols': {
      const [e, ids] = n.inputs as [Node, Node];
      const [d, k] = n.shape.map(sz) as [string, string];
      const v = sz(e.shape[1]);
      loop(code, cx.fn, 'i', '0', d, 1, () =>
        loop(code, cx.fn, 'c', '0', k, 1, () => {
          const id = memOp('i32.load', cx.name(ids), 'c');
          const src = address(cx.name(e), `(i32.add ${ix(`i * ${v}`)} ${id})`);
          code.line(memOp('f32.store', out, `i * ${k} + c`, `(f32.load ${src.addr})`));
        }));
      return;
    }
    case 'scattercols': {
      const [g, ids] = n.inputs as [Node, Node];
      const d = sz(n.shape[0]);
      const v = sz(n.shape[1]);
      const k = sz(g.shape[1]);
      code.line(`(memory.fill ${out} (i32.const 0) (i32.shl ${ix(sz(n.shape[0].mul(n.shape[1])))} (i32.const 2)))`);
      const A = cx.fn.local('sa', 'i32');
      loop(code, cx.fn, 'i', '0', d, 1, () =>
        loop(code, cx.fn, 'c', '0', k, 1, () => {
          const id = memOp('i32.load', cx.name(ids), 'c');
          code.line(`(local.set ${A} ${address(out, `(i32.add ${ix(`i * ${v}`)} ${id})`).addr})`);
          code.line(`(f32.store ${get(A)} (f32.add (f32.load ${get(A)}) ${valueAt(cx, g, { i: 'i', j: 'c', shape: g.shape })}))`);
        }));
      return;
    }
    case 'concat': {
      let offset = '0';
      for (const x of n.inputs) {
        const len = sz(x.shape[0].mul(x.shape[1]));
        const at = offset;
        loop(code, cx.fn, 'k', '0', len, 1, () =>
          code.line(memOp('f32.store', out, at === '0' ? 'k' : `${at} + k`, valueAt(cx, x, { i: 'i', j: 'j', flat: 'k', shape: x.shape }))));
        offset = offset === '0' ? len : `${offset} + ${len}`;
      }
      return;
    }
    case 'transpose': {
      const x = n.inputs[0]!;
      const [r, c] = x.shape.map(sz) as [string, string];
      transposeLoops(code, cx.fn, cx.name(x), out, r, c);
      return;
    }
    case 'mask': {
      // Drawn by the host (the same counter-based numbers as every target), copied into place.
      const { id } = n.attrs as OpAttrs['mask'];
      if (scalar) code.line(`(local.set ${out} (f32.load ${cx.maskPtr(id)}))`);
      else code.line(`(memory.copy ${out} ${cx.maskPtr(id)} (i32.shl ${ix(sz(n.shape[0].mul(n.shape[1])))} (i32.const 2)))`);
      return;
    }
    default: {
      if (scalar) {
        code.line(`(local.set ${out} ${computeAt(cx, n, { i: '0', j: '0', shape: SCALAR })})`);
        return;
      }
      const flat = n.op === 'const' || (n.op !== 'onehot' && n.op !== 'broadcast' && n.inputs.every((x) => flatOK(cx, x, n.shape)));
      elementLoops(code, cx, n.shape, flat, (c, at) => computeAt(c, n, at), out);
    }
  }
}

/** dst[j * r + i] = src[i * c + j]. */
function transposeLoops(code: Code, fn: Fn, src: string, dst: string, r: string, c: string): void {
  loop(code, fn, 'ti', '0', r, 1, () =>
    loop(code, fn, 'tj', '0', c, 1, () => code.line(memOp('f32.store', dst, `tj * ${r} + ti`, memOp('f32.load', src, `ti * ${c} + tj`)))));
}

const FOLD = { add: 'add', max: 'max' } as const;

/** Four lanes of a vector folded into one f32 (lane order fixed: (0 ∘ 1) ∘ (2 ∘ 3)). */
function horizontal(op: 'add' | 'max', v: string): string {
  const lane = (k: number) => `(f32x4.extract_lane ${k} ${get(v)})`;
  return `(f32.${op} (f32.${op} ${lane(0)} ${lane(1)}) (f32.${op} ${lane(2)} ${lane(3)}))`;
}

function reduce(code: Code, cx: WasmContext, n: Node, axis: Axis, op: 'add' | 'max'): void {
  const x = n.inputs[0]!;
  const out = cx.ref(n);
  const scalar = cx.plan.storage.get(n.id) === 'scalar';
  const sz = cx.spell.size;
  const fn = cx.fn;
  const init = op === 'add' ? '0' : '-inf';
  const f = FOLD[op];
  const acc = fn.local('acc', 'f32');
  const vacc = fn.local('vacc', 'v128');
  const result = (value: string, index = '0') => (scalar ? `(local.set ${out} ${value})` : memOp('f32.store', out, index, value));
  const vx = (v: string, at: Index) => tryVector(() => valueAt(vectorContext(cx, v), x, at));
  // Along one run of contiguous elements (`v` from 0 to `limit`), into acc.
  const run = (v: string, limit: string, at: (k: string) => Index) => {
    code.line(`(local.set ${acc} (f32.const ${init}))`);
    const vec = vx(v, at(v));
    if (vec) {
      code.line(`(local.set ${vacc} (v128.const f32x4 ${init} ${init} ${init} ${init}))`);
      loop(code, fn, v, '0', limit, 4, () => code.line(`(local.set ${vacc} (f32x4.${f} ${get(vacc)} ${vec}))`));
      code.line(`(local.set ${acc} ${horizontal(op, vacc)})`);
      loop(code, fn, v, 'keep', limit, 1, () => code.line(`(local.set ${acc} (f32.${f} ${get(acc)} ${valueAt(cx, x, at(v))}))`));
    } else loop(code, fn, v, '0', limit, 1, () => code.line(`(local.set ${acc} (f32.${f} ${get(acc)} ${valueAt(cx, x, at(v))}))`));
  };
  const [r, c] = x.shape;
  if (axis === 'all' && flatOK(cx, x, x.shape)) {
    run('k', sz(r.mul(c)), (k) => ({ i: 'i', j: 'j', flat: k, shape: x.shape }));
    code.line(result(get(acc)));
  } else if (axis === 'all') {
    code.line(`(local.set ${acc} (f32.const ${init}))`);
    const fold = (at: Index) => code.line(`(local.set ${acc} (f32.${f} ${get(acc)} ${valueAt(cx, x, at)}))`);
    loop(code, fn, 'i', '0', sz(r), 1, () => loop(code, fn, 'j', '0', sz(c), 1, () => fold({ i: 'i', j: 'j', shape: x.shape })));
    code.line(result(get(acc)));
  } else if (axis === 1) {
    // Row i: contiguous along j.
    loop(code, fn, 'i', '0', sz(r), 1, () => {
      run('j', sz(c), (j) => ({ i: 'i', j, shape: x.shape }));
      code.line(result(get(acc), 'i'));
    });
  } else {
    // Column sums: rows outer, four columns at a time inside (memory read in order).
    if (scalar) {
      code.line(`(local.set ${out} (f32.const ${init}))`);
      loop(code, fn, 'i', '0', sz(r), 1, () => code.line(`(local.set ${out} (f32.${f} ${get(out)} ${valueAt(cx, x, { i: 'i', j: '0', shape: x.shape })}))`));
      return;
    }
    loop(code, fn, 'j', '0', sz(c), 1, () => code.line(memOp('f32.store', out, 'j', `(f32.const ${init})`)));
    loop(code, fn, 'i', '0', sz(r), 1, () => {
      const at = (j: string): Index => ({ i: 'i', j, shape: x.shape });
      const vec = vx('j', at('j'));
      const sfold = () => code.line(memOp('f32.store', out, 'j', `(f32.${f} ${memOp('f32.load', out, 'j')} ${valueAt(cx, x, at('j'))})`));
      if (vec) {
        loop(code, fn, 'j', '0', sz(c), 4, () => code.line(memOp('v128.store', out, 'j', `(f32x4.${f} ${memOp('v128.load', out, 'j')} ${vec})`)));
        loop(code, fn, 'j', 'keep', sz(c), 1, sfold);
      } else loop(code, fn, 'j', '0', sz(c), 1, sfold);
    });
  }
}

/** log Σ exp with the maximum subtracted (never overflows); −∞ when every element is −∞. */
function logsumexp(code: Code, cx: WasmContext, n: Node, axis: Axis): void {
  const x = n.inputs[0]!;
  const out = cx.ref(n);
  const scalar = cx.plan.storage.get(n.id) === 'scalar';
  const sz = cx.spell.size;
  const fn = cx.fn;
  const X = cx.name(x);
  const off = cx.offset(x);
  const [r, c] = x.shape;
  const at = (index: string) => (off === '0' ? index : `${off} + ${index}`);
  const m = fn.local('m', 'f32');
  const s = fn.local('s', 'f32');
  const vm = fn.local('vm', 'v128');
  const vs = fn.local('vs', 'v128');
  const finish = `(select ${get(m)} (f32.add ${get(m)} (call $log ${get(s)})) (f32.eq ${get(m)} (f32.const -inf)))`;
  const store = (value: string, index = '0') => (scalar ? `(local.set ${out} ${value})` : memOp('f32.store', out, index, value));
  // One contiguous run of `len` elements starting at `start`.
  const run = (start: string, len: string) => {
    const idx = (k: string) => at(start === '0' ? k : `${start} + ${k}`);
    code.line(`(local.set ${vm} (v128.const f32x4 -inf -inf -inf -inf))`);
    loop(code, fn, 'k', '0', len, 4, () => code.line(`(local.set ${vm} (f32x4.max ${get(vm)} ${memOp('v128.load', X, idx('k'))}))`));
    code.line(`(local.set ${m} ${horizontal('max', vm)})`);
    loop(code, fn, 'k', 'keep', len, 1, () => code.line(`(local.set ${m} (f32.max ${get(m)} ${memOp('f32.load', X, idx('k'))}))`));
    code.line(`(local.set ${vs} (v128.const f32x4 0 0 0 0))`);
    loop(code, fn, 'k', '0', len, 4, () =>
      code.line(`(local.set ${vs} (f32x4.add ${get(vs)} (call $exp4 (f32x4.sub ${memOp('v128.load', X, idx('k'))} (f32x4.splat ${get(m)})))))`));
    code.line(`(local.set ${s} ${horizontal('add', vs)})`);
    loop(code, fn, 'k', 'keep', len, 1, () =>
      code.line(`(local.set ${s} (f32.add ${get(s)} (call $exp (f32.sub ${memOp('f32.load', X, idx('k'))} ${get(m)}))))`));
  };
  if (axis === 'all') {
    run('0', sz(r.mul(c)));
    code.line(store(finish));
  } else if (axis === 1) {
    loop(code, fn, 'i', '0', sz(r), 1, () => {
      run(`i * ${sz(c)}`, sz(c));
      code.line(store(finish, 'i'));
    });
  } else {
    // Per column (softmax over classes, a column per example): four columns at a time, rows read in order.
    const C = sz(c);
    const finish4 = `(v128.bitselect ${get(vm)} (f32x4.add ${get(vm)} (call $log4 ${get(vs)})) (f32x4.eq ${get(vm)} (v128.const f32x4 -inf -inf -inf -inf)))`;
    const cols = (width: number) => {
      const V = width === 4;
      const ld = (i: string) => (V ? memOp('v128.load', X, at(`${i} * ${C} + j`)) : memOp('f32.load', X, at(`${i} * ${C} + j`)));
      const M = V ? vm : m;
      const S = V ? vs : s;
      const t = V ? 'f32x4' : 'f32';
      code.line(`(local.set ${M} ${V ? '(v128.const f32x4 -inf -inf -inf -inf)' : '(f32.const -inf)'})`);
      loop(code, fn, 'i', '0', sz(r), 1, () => code.line(`(local.set ${M} (${t}.max ${get(M)} ${ld('i')}))`));
      code.line(`(local.set ${S} ${V ? '(v128.const f32x4 0 0 0 0)' : '(f32.const 0)'})`);
      loop(code, fn, 'i', '0', sz(r), 1, () => code.line(`(local.set ${S} (${t}.add ${get(S)} (call $exp${V ? '4' : ''} (${t}.sub ${ld('i')} ${get(M)}))))`));
      if (scalar) code.line(store(finish));
      else code.line(V ? memOp('v128.store', out, 'j', finish4) : memOp('f32.store', out, 'j', finish));
    };
    if (scalar) {
      fn.local('j', 'i32');
      code.line('(local.set $j (i32.const 0))');
      cols(1);
      return;
    }
    loop(code, fn, 'j', '0', C, 4, () => cols(4));
    loop(code, fn, 'j', 'keep', C, 1, () => cols(1));
  }
}

/** Rows and f32x4 column vectors of output held in registers across the k loop. */
const BLOCK_ROWS = 4;
const BLOCK_VECS = 2;

/**
 * out = op(A) op(B). With `epilogue`, the product is not stored: each element
 * goes through the elementwise math of `epilogue`, which is stored instead.
 */
function matmul(code: Code, cx: WasmContext, n: Node, epilogue?: Node): void {
  const [a, b] = n.inputs as [Node, Node];
  const { ta, tb } = n.attrs as OpAttrs['matmul'];
  const sz = cx.spell.size;
  const fn = cx.fn;
  const kSize: Size = ta ? a.shape[0] : a.shape[1];
  const [M, K, N] = [sz(n.shape[0]), sz(kSize), sz(n.shape[1])];
  const ptr = (x: Node) => (cx.offset(x) === '0' ? cx.name(x) : address(cx.name(x), cx.offset(x)).addr);
  const A = ptr(a);
  let B = ptr(b);
  if (cx.plan.storage.get(n.id) === 'scalar') {
    // A dot product: both operands are contiguous runs of K.
    const out = cx.ref(n);
    const vacc = fn.local('vacc', 'v128');
    code.line(`(local.set ${vacc} (v128.const f32x4 0 0 0 0))`);
    loop(code, fn, 'k', '0', K, 4, () => code.line(`(local.set ${vacc} (f32x4.add ${get(vacc)} (f32x4.mul ${memOp('v128.load', A, 'k')} ${memOp('v128.load', B, 'k')})))`));
    code.line(`(local.set ${out} ${horizontal('add', vacc)})`);
    loop(code, fn, 'k', 'keep', K, 1, () => code.line(`(local.set ${out} (f32.add ${get(out)} (f32.mul ${memOp('f32.load', A, 'k')} ${memOp('f32.load', B, 'k')})))`));
    return;
  }
  const target = epilogue ?? n;
  const out = cx.ref(target);
  // Packing: op(B)'s columns in panels of 8, each panel K × 8 contiguous, so that
  // the inner loop streams (rows of B a power of two apart alias in the cache);
  // op(A)ᵀ read down columns (ta) is packed 4 rows at a time. Not for small products.
  const W = 4 * BLOCK_VECS;
  const packB = !n.shape[1].isOne() && !n.shape[0].isOne() && !kSize.isOne() && !(n.shape[1].constant !== undefined && n.shape[1].constant < W);
  const packA = ta && packB;
  const scratch = cx.scratch;
  const bAt = (k: string, j: string) => (tb ? `${j} * ${K} + ${k}` : `${k} * ${N} + ${j}`);
  const panels = fn.local('panels', 'i32');
  const apack = fn.local('apack', 'i32');
  if (packB) {
    code.comment(`pack op(B) into panels of ${W} columns`, ';;');
    const q = fn.local('pq', 'i32');
    code.line(`(local.set ${panels} (i32.div_u ${ix(N)} (i32.const ${W})))`);
    code.line(`(local.set ${q} ${scratch})`);
    loop(code, fn, 'j', '0', `panels * ${W}`, W, () =>
      loop(code, fn, 'k', '0', K, 1, () => {
        // A row of op(B) is contiguous unless B is read transposed (then a gather).
        if (tb) for (let c = 0; c < W; c++) code.line(`(f32.store offset=${4 * c} ${get(q)} ${memOp('f32.load', B, bAt('k', c ? `(j + ${c})` : 'j'))})`);
        else for (let c = 0; c < W; c += 4) code.line(`(v128.store offset=${4 * c} ${get(q)} ${memOp('v128.load', B, bAt('k', c ? `(j + ${c})` : 'j'))})`);
        code.line(`(local.set ${q} (i32.add ${get(q)} (i32.const ${4 * W})))`);
      }));
    code.line(`(local.set ${apack} ${get(q)})`);
  }
  // Pointers: qa walks op(A) down k, qb walks op(B)'s row k (or a packed panel).
  const qb = fn.local('qb', 'i32');
  const qend = fn.local('qend', 'i32');
  const pa = [0, 1, 2, 3].map((r) => fn.local(`pa${r}`, 'i32'));
  const bStep = fn.local('bstep', 'i32');
  const storage = new Map(cx.plan.storage);
  storage.set(n.id, 'scalar');
  let acc = '';
  const ecx: WasmContext = { ...cx, plan: { ...cx.plan, storage }, name: (x) => (x === n ? get(acc) : cx.name(x)) };
  // In vector code the product is its f32x4 accumulator (not a scalar to splat).
  const epilogueVector = (): WasmContext => {
    const vc = vectorContext(ecx, 'j');
    return { ...vc, name: (x) => (x === n ? get(acc) : vc.name(x)) };
  };

  /** One block: rows i … i + R − 1, columns j … j + 4V − 1 (V vectors) or one column (V = 0); `packed`: A and B from the panels. */
  const block = (R: number, V: number, packed: boolean) => {
    const accs = [...Array(R).keys()].map((r) => [...Array(Math.max(V, 1)).keys()].map((c) => fn.local(`${V ? '' : 's'}acc${r}${c}`, V ? 'v128' : 'f32')));
    const zero = V ? '(v128.const f32x4 0 0 0 0)' : '(f32.const 0)';
    for (const row of accs) for (const x of row) code.line(`(local.set ${x} ${zero})`);
    const aPacked = packed && packA && R === BLOCK_ROWS;
    let aStep: string;
    if (aPacked) {
      code.line(`(local.set ${pa[0]} ${get(apack)})`);
      aStep = `(i32.const ${4 * R})`;
    } else {
      for (let r = 0; r < R; r++) {
        const start = ta ? ix(`i + ${r}`) : ix(`(i + ${r}) * ${K}`);
        code.line(`(local.set ${pa[r]} (i32.add ${A} (i32.shl ${start} (i32.const 2))))`);
      }
      aStep = ta ? `(i32.shl ${ix(M)} (i32.const 2))` : '(i32.const 4)';
    }
    if (packed) {
      code.line(`(local.set ${qb} (i32.add ${scratch} (i32.mul ${ix('j')} ${ix(K)})))`.replace(`(i32.mul ${ix('j')} ${ix(K)})`, `(i32.shl (i32.mul ${ix('j')} ${ix(K)}) (i32.const 2))`));
      code.line(`(local.set ${bStep} (i32.const ${4 * W}))`);
    } else {
      code.line(`(local.set ${qb} ${address(B, tb ? `j * ${K}` : 'j').addr})`);
      code.line(`(local.set ${bStep} ${tb ? '(i32.const 4)' : `(i32.shl ${ix(N)} (i32.const 2))`})`);
    }
    code.line(`(local.set ${qend} (i32.add ${get(qb)} (i32.mul ${ix(K)} ${get(bStep)})))`);
    const l = fn.label();
    code.line(`(loop $K${l}`);
    code.indent(() => {
      const bk = [...Array(Math.max(V, 1)).keys()].map((c) => fn.local(`${V ? '' : 's'}bk${c}`, V ? 'v128' : 'f32'));
      bk.forEach((x, c) => code.line(`(local.set ${x} ${V ? `(v128.load${c ? ` offset=${16 * c}` : ''} ${get(qb)})` : `(f32.load ${get(qb)})`})`));
      for (let r = 0; r < R; r++) {
        const ak = fn.local(V ? 'ak' : 'sak', V ? 'v128' : 'f32');
        const from = aPacked ? pa[0]! : pa[r]!;
        const off = aPacked && r ? ` offset=${4 * r}` : '';
        code.line(`(local.set ${ak} ${V ? `(v128.load32_splat${off} ${get(from)})` : `(f32.load${off} ${get(from)})`})`);
        accs[r]!.forEach((x, c) => code.line(`(local.set ${x} (${V ? 'f32x4' : 'f32'}.add ${get(x)} (${V ? 'f32x4' : 'f32'}.mul ${get(ak)} ${get(bk[c]!)})))`));
        if (!aPacked) code.line(`(local.set ${pa[r]} (i32.add ${get(pa[r]!)} ${aStep}))`);
      }
      if (aPacked) code.line(`(local.set ${pa[0]} (i32.add ${get(pa[0]!)} ${aStep}))`);
      code.line(`(local.set ${qb} (i32.add ${get(qb)} ${get(bStep)}))`);
      code.line(`(br_if $K${l} (i32.lt_u ${get(qb)} ${get(qend)}))`);
    });
    code.line(')');
    // Store, or finish the epilogue's math and store.
    for (let r = 0; r < R; r++) {
      for (let c = 0; c < Math.max(V, 1); c++) {
        acc = accs[r]![c]!;
        const i = r ? `(i + ${r})` : 'i';
        const j = c ? `(j + ${4 * c})` : 'j';
        const flat = `${i} * ${N} + ${j}`;
        const at: Index = { i, j, flat, shape: n.shape };
        if (!epilogue) {
          code.line(memOp(V ? 'v128.store' : 'f32.store', out, flat, get(acc)));
          continue;
        }
        const vec = V ? tryVector(() => computeAt(epilogueVector(), epilogue, at)) : computeAt(ecx, epilogue, at);
        if (vec) code.line(memOp(V ? 'v128.store' : 'f32.store', out, flat, vec));
        else {
          // Lane by lane where the epilogue does not vectorize.
          const lane = fn.local('lane', 'f32');
          const whole = acc;
          for (let q = 0; q < 4; q++) {
            code.line(`(local.set ${lane} (f32x4.extract_lane ${q} ${get(whole)}))`);
            acc = lane;
            const jq = `(j + ${4 * c + q})`;
            const fq = `${i} * ${N} + ${jq}`;
            code.line(memOp('f32.store', out, fq, computeAt(ecx, epilogue, { i, j: jq, flat: fq, shape: n.shape })));
            acc = whole;
          }
        }
      }
    }
  };
  // Tails that a size known at compile time rules out are not emitted (less text to assemble).
  const nc = n.shape[1].constant;
  const mc = n.shape[0].constant;
  const fullVecs = !tb && (nc === undefined || (packB ? nc % W : nc) >= 4);
  const scalarCols = nc === undefined || nc % 4 !== 0 || (tb && nc % W !== 0) || (!packB && tb);
  const panel = (R: number) => {
    if (packB) loop(code, fn, 'j', '0', `panels * ${W}`, W, () => block(R, BLOCK_VECS, true));
    else if (!tb) loop(code, fn, 'j', '0', N, W, () => block(R, BLOCK_VECS, false));
    else code.line(`(local.set $j (i32.const 0))`);
    // Columns past the last full panel, from op(B) itself.
    if (fullVecs) loop(code, fn, 'j', 'keep', N, 4, () => block(R, 1, false));
    if (scalarCols) loop(code, fn, 'j', 'keep', N, 1, () => block(R, 0, false));
  };
  loop(code, fn, 'i', '0', M, BLOCK_ROWS, () => {
    if (packA) {
      // op(A) rows i … i + 3, interleaved: [k][r].
      const q = fn.local('pq', 'i32');
      code.line(`(local.set ${q} ${get(apack)})`);
      loop(code, fn, 'k', '0', K, 1, () => {
        code.line(`(v128.store ${get(q)} ${memOp('v128.load', A, `k * ${M} + i`)})`);
        code.line(`(local.set ${q} (i32.add ${get(q)} (i32.const 16)))`);
      });
    }
    panel(BLOCK_ROWS);
  });
  if (mc === undefined || mc % BLOCK_ROWS) loop(code, fn, 'i', 'keep', M, 1, () => panel(1));
}
