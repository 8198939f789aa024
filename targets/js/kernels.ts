// JS loops for each step of a plan. Matrix products are register-blocked in
// every orientation (W x, Wᵀ δ, δ xᵀ read in place, never transposed) and may
// carry their consumer's elementwise math as an epilogue (schedule.ts decides);
// reductions over a whole tensor keep four partial results.
import type { Axis, Node, OpAttrs } from '../../compiler/ir/node.js';
import { isScalarShape, SCALAR, shapeEquals, type Shape, type Size } from '../../compiler/ir/size.js';
import type { Code } from '../code.js';
import { elementIndex, flatOK, valueAt, type ExprContext, type Index } from '../expr.js';

export interface JsContext extends ExprContext {
  /** The math a node computes, for the comment above its loop. */
  describe(n: Node): string;
  /** Code for the seed and the dropout stream of mask `id`. */
  maskStream(id: number): string;
}



/** The value a node computes from its inputs at (i, j), whatever its storage. */
function computeAt(cx: ExprContext, n: Node, at: Index): string {
  if (n.op === 'const') return cx.spell.num((n.attrs as OpAttrs['const']).value);
  const inline = new Map(cx.plan.storage);
  inline.set(n.id, 'inline');
  return valueAt({ ...cx, plan: { ...cx.plan, storage: inline } }, n, at);
}

/** `for` loops over a shape; calls `body` with the index to read and write at. */
function loops(code: Code, cx: ExprContext, shape: Shape, flat: boolean, body: (at: Index) => void): void {
  const [r, c] = shape;
  const sz = cx.spell.size;
  if (flat) {
    code.block(`for (let k = 0; k < ${sz(r.mul(c))}; k++)`, () => body({ i: 'i', j: 'j', flat: 'k', shape }));
  } else if (r.isOne()) {
    code.block(`for (let j = 0; j < ${sz(c)}; j++)`, () => body({ i: '0', j: 'j', shape }));
  } else if (c.isOne()) {
    code.block(`for (let i = 0; i < ${sz(r)}; i++)`, () => body({ i: 'i', j: '0', shape }));
  } else {
    code.block(`for (let i = 0; i < ${sz(r)}; i++)`, () => code.block(`for (let j = 0; j < ${sz(c)}; j++)`, () => body({ i: 'i', j: 'j', shape })));
  }
}

/**
 * The loops that compute node `n`. With `product`, a matrix product that only
 * `n` reads (elementwise, at the same place): computed in the same loops, never stored.
 */
export function emitStep(code: Code, cx: JsContext, n: Node, product?: Node): void {
  const scalar = cx.plan.storage.get(n.id) === 'scalar';
  const out = cx.name(n);
  const store = (at: Index) => (scalar ? out : `${out}[${elementIndex(cx, n.shape, at)}]`);
  if (product) {
    // The product's math, then the step's (whose origin line the loops are traced to).
    code.comment(`${cx.describe(product).split('\n')[0]}\n${cx.describe(n)}`);
    return matmul(code, cx, product, n);
  }
  code.comment(cx.describe(n));
  const attrs = n.attrs as Record<string, unknown>;
  switch (n.op) {
    case 'sum':
      return reduce(code, cx, n, attrs.axis as Axis, '0', (acc, v) => `${acc} += ${v}`);
    case 'rmax':
      return reduce(code, cx, n, attrs.axis as Axis, '-Infinity', (acc, v) => `${acc} = Math.max(${acc}, ${v})`);
    case 'logsumexp':
      return logsumexp(code, cx, n, attrs.axis as Axis);
    case 'matmul':
      return matmul(code, cx, n);
    case 'pick': {
      const [p, y] = n.inputs as [Node, Node];
      const col = (j: string) => valueAt(cx, p, { i: `${cx.name(y)}[${j}]`, j, shape: p.shape });
      if (scalar) code.line(`const ${out} = ${col('0')};`);
      else code.block(`for (let j = 0; j < ${cx.spell.size(n.shape[1])}; j++)`, () => code.line(`${out}[j] = ${col('j')};`));
      return;
    }
    case 'gathercols': {
      const [e, ids] = n.inputs as [Node, Node];
      const [d, k] = n.shape.map(cx.spell.size);
      const v = cx.spell.size(e.shape[1]);
      code.block(`for (let i = 0; i < ${d}; i++)`, () =>
        code.block(`for (let c = 0; c < ${k}; c++)`, () => code.line(`${out}[i * ${k} + c] = ${cx.name(e)}[i * ${v} + ${cx.name(ids)}[c]];`)));
      return;
    }
    case 'scattercols': {
      const [g, ids] = n.inputs as [Node, Node];
      const d = cx.spell.size(n.shape[0]);
      const v = cx.spell.size(n.shape[1]);
      const k = cx.spell.size(g.shape[1]);
      code.line(`${out}.fill(0);`);
      code.block(`for (let i = 0; i < ${d}; i++)`, () =>
        code.block(`for (let c = 0; c < ${k}; c++)`, () => code.line(`${out}[i * ${v} + ${cx.name(ids)}[c]] += ${valueAt(cx, g, { i: 'i', j: 'c', shape: g.shape })};`)));
      return;
    }
    case 'concat': {
      let offset = '0';
      for (const x of n.inputs) {
        const len = cx.spell.size(x.shape[0].mul(x.shape[1]));
        const at = offset;
        code.block(`for (let k = 0; k < ${len}; k++)`, () => code.line(`${out}[${at === '0' ? '' : `${at} + `}k] = ${valueAt(cx, x, { i: 'i', j: 'j', flat: 'k', shape: x.shape })};`));
        offset = offset === '0' ? len : `${offset} + ${len}`;
      }
      return;
    }
    case 'transpose': {
      const x = n.inputs[0]!;
      const [r, c] = x.shape.map(cx.spell.size);
      code.block(`for (let i = 0; i < ${r}; i++)`, () =>
        code.block(`for (let j = 0; j < ${c}; j++)`, () => code.line(`${out}[j * ${r} + i] = ${cx.name(x)}[i * ${c} + j];`)));
      return;
    }
    case 'mask': {
      const { p, id } = n.attrs as OpAttrs['mask'];
      code.line(`const stream${id} = ${cx.maskStream(id)};`);
      code.block(`for (let k = 0; k < ${cx.spell.size(n.shape[0].mul(n.shape[1]))}; k++)`, () =>
        code.line(`${out}[k] = uniform(seed, stream${id}, k) < ${p} ? 0 : ${1 / (1 - p)};`));
      return;
    }
    default: {
      // Elementwise (and materialized broadcasts, one-hots, constants).
      if (scalar) {
        code.line(`const ${out} = ${computeAt(cx, n, { i: '0', j: '0', shape: SCALAR })};`);
        return;
      }
      const flat = n.op !== 'onehot' && n.op !== 'broadcast' && n.inputs.every((x) => flatOK(cx, x, n.shape));
      loops(code, cx, n.shape, flat || n.op === 'const', (at) => code.line(`${store(at)} = ${computeAt(cx, n, at)};`));
    }
  }
}

function reduce(code: Code, cx: JsContext, n: Node, axis: Axis, init: string, fold: (acc: string, v: string) => string): void {
  const x = n.inputs[0]!;
  const out = cx.name(n);
  const scalar = cx.plan.storage.get(n.id) === 'scalar';
  const [r, c] = x.shape.map(cx.spell.size);
  const v = (at: Index) => valueAt(cx, x, at);
  const count = x.shape[0].mul(x.shape[1]);
  if (axis === 'all' && flatOK(cx, x, x.shape) && !(count.constant !== undefined && count.constant < 16)) {
    // Four partial results, so that each fold does not wait on the one before.
    if (scalar) code.line(`let ${out};`);
    code.block('', () => {
      const at = (k: string): Index => ({ i: 'i', j: 'j', flat: k, shape: x.shape });
      code.line(`let acc0 = ${init}, acc1 = ${init}, acc2 = ${init}, acc3 = ${init};`);
      code.line('let k = 0;');
      code.block(`for (; k + 3 < ${cx.spell.size(count)}; k += 4)`, () => {
        for (let u = 0; u < 4; u++) code.line(`${fold(`acc${u}`, v(at(u ? `k + ${u}` : 'k')))};`);
      });
      code.block(`for (; k < ${cx.spell.size(count)}; k++)`, () => code.line(`${fold('acc0', v(at('k')))};`));
      code.line(`${fold('acc0', 'acc1')}; ${fold('acc2', 'acc3')}; ${fold('acc0', 'acc2')};`);
      code.line(`${scalar ? out : `${out}[0]`} = acc0;`);
    });
  } else if (axis === 'all') {
    const body = (acc: string) => loops(code, cx, x.shape, flatOK(cx, x, x.shape), (at) => code.line(`${fold(acc, v(at))};`));
    if (scalar) {
      code.line(`let ${out} = ${init};`);
      body(out);
    } else {
      // Block-scoped, so that several reductions can share a function.
      code.block('', () => {
        code.line(`let acc = ${init};`);
        body('acc');
        code.line(`${out}[0] = acc;`);
      });
    }
  } else if (axis === 1) {
    // One row at a time, accumulating in a local.
    if (scalar) code.line(`let ${out};`);
    code.block(`for (let i = 0; i < ${r}; i++)`, () => {
      code.line(`let acc = ${init};`);
      code.block(`for (let j = 0; j < ${c}; j++)`, () => code.line(`${fold('acc', v({ i: 'i', j: 'j', shape: x.shape }))};`));
      code.line(scalar ? `${out} = acc;` : `${out}[i] = acc;`);
    });
  } else {
    // Column sums: rows in the outer loop so that memory is read in order.
    if (scalar) code.line(`let ${out} = ${init};`);
    else code.line(`${out}.fill(${init});`);
    const dst = scalar ? out : `${out}[j]`;
    code.block(`for (let i = 0; i < ${r}; i++)`, () =>
      code.block(`for (let j = 0; j < ${c}; j++)`, () => code.line(`${fold(dst, v({ i: 'i', j: 'j', shape: x.shape }))};`)));
  }
}

/** log Σ exp with the maximum subtracted: never overflows. */
function logsumexp(code: Code, cx: JsContext, n: Node, axis: Axis): void {
  const x = n.inputs[0]!;
  const out = cx.name(n);
  const scalar = cx.plan.storage.get(n.id) === 'scalar';
  const [r, c] = [cx.spell.size(x.shape[0]), cx.spell.size(x.shape[1])];
  const xs = cx.name(x);
  const idx = (i: string, j: string) => elementIndex(cx, x.shape, { i, j, shape: x.shape }, cx.offset(x));
  const slice = (m: string, s: string, outer: string, inner: string, limit: string, at: (o: string, k: string) => string) => {
    code.line(`let ${m} = -Infinity;`);
    code.block(`for (let ${inner} = 0; ${inner} < ${limit}; ${inner}++)`, () => code.line(`${m} = Math.max(${m}, ${xs}[${at(outer, inner)}]);`));
    code.line(`let ${s} = 0;`);
    code.block(`for (let ${inner} = 0; ${inner} < ${limit}; ${inner}++)`, () => code.line(`${s} += Math.exp(${xs}[${at(outer, inner)}] - ${m});`));
  };
  if (axis === 'all') {
    if (scalar) code.line(`let ${out};`);
    // Block-scoped m and s, so that several reductions can share a function.
    code.block('', () => {
      code.line(`let m = -Infinity;`);
      code.block(`for (let k = 0; k < ${cx.spell.size(x.shape[0].mul(x.shape[1]))}; k++)`, () => code.line(`m = Math.max(m, ${xs}[${cx.offset(x) === '0' ? '' : cx.offset(x) + ' + '}k]);`));
      code.line(`let s = 0;`);
      code.block(`for (let k = 0; k < ${cx.spell.size(x.shape[0].mul(x.shape[1]))}; k++)`, () => code.line(`s += Math.exp(${xs}[${cx.offset(x) === '0' ? '' : cx.offset(x) + ' + '}k] - m);`));
      code.line(`${scalar ? out : `${out}[0]`} = m === -Infinity ? m : m + Math.log(s);`);
    });
  } else if (axis === 0) {
    // One column (N = 1) gives a scalar, a local.
    if (scalar) code.line(`let ${out};`);
    code.block(`for (let j = 0; j < ${c}; j++)`, () => {
      slice('m', 's', 'j', 'i', r, (j, i) => idx(i, j));
      code.line(`${scalar ? out : `${out}[j]`} = m === -Infinity ? m : m + Math.log(s);`);
    });
  } else {
    if (scalar) code.line(`let ${out};`);
    code.block(`for (let i = 0; i < ${r}; i++)`, () => {
      slice('m', 's', 'i', 'j', c, (i, j) => idx(i, j));
      code.line(`${scalar ? out : `${out}[i]`} = m === -Infinity ? m : m + Math.log(s);`);
    });
  }
}

/**
 * Output rows and columns held in locals across the k loop of a matrix product
 * (register blocking). 4 × 3 = 12 accumulators, 3 + 1 operands: they fit x64's
 * 16 float registers, where 4 × 4 spills (measured: 4 × 3 is 8–10% faster than
 * 4 × 4, 3 × 4 or 2 × 8 on the bench's products).
 */
const BLOCK_ROWS = 4;
const BLOCK_COLS = 3;
/** Outputs held for a matrix–vector product. */
const VECTOR_BLOCK = 8;

/** Locals the kernels declare; the module keeps user names clear of them. */
export const KERNEL_LOCALS = [
  'qa', 'qb',
  ...[0, 1, 2, 3, 4, 5, 6, 7].flatMap((r) => [`acc${r}`, `ak${r}`, `bk${r}`, `pa${r}`, `pb${r}`, `po${r}`, ...[0, 1, 2, 3, 4, 5, 6, 7].map((c) => `acc${r}${c}`)]),
];

/**
 * A matrix product out = op(A) op(B), op a transpose or not, read in place. The
 * output is computed in blocks of up to 4 × 4 elements held in locals while k
 * runs, so each element of A and B loaded is used 4 times. An operand is read
 * either along a row (k contiguous: one pointer per block row) or down a column
 * (one pointer that moves by the row length each k). Blocks at the edges are
 * smaller. With `epilogue`, the product is not stored: each element goes
 * straight into the elementwise math of `epilogue` (bias, activation, mask),
 * which is stored in its place.
 */
function matmul(code: Code, cx: JsContext, n: Node, epilogue?: Node): void {
  const [a, b] = n.inputs as [Node, Node];
  const { ta, tb } = n.attrs as OpAttrs['matmul'];
  const sz = cx.spell.size;
  const kSize = ta ? a.shape[0] : a.shape[1];
  const [M, K, N] = [sz(n.shape[0]), sz(kSize), sz(n.shape[1])];
  const A = cx.name(a);
  const B = cx.name(b);
  const plus = (x: string, y: string) => (x === '0' ? y : y === '0' ? x : `${x} + ${y}`);
  const times = (x: string, y: string) => (x === '0' || y === '0' ? '0' : x === '1' ? y : y === '1' ? x : `${x} * ${y}`);
  if (cx.plan.storage.get(n.id) === 'scalar') {
    // A dot product: four partial sums, so that the adds do not wait on each other.
    const at = (X: string, x: Node, k: string) => `${X}[${plus(cx.offset(x), k)}]`;
    const term = (k: string) => `${at(A, a, k)} * ${at(B, b, k)}`;
    const out = cx.name(n);
    code.line(`let ${out};`);
    const kc = kSize.constant;
    if (kc !== undefined && kc < 8) {
      code.line(`${out} = ${Array.from({ length: kc }, (_, k) => term(String(k))).join(' + ') || '0'};`);
      return;
    }
    code.block('', () => {
      code.line('let acc0 = 0, acc1 = 0, acc2 = 0, acc3 = 0;');
      code.line('let k = 0;');
      code.block(`for (; k + 3 < ${K}; k += 4)`, () => {
        for (let u = 0; u < 4; u++) code.line(`acc${u} += ${term(u ? `k + ${u}` : 'k')};`);
      });
      code.block(`for (; k < ${K}; k++)`, () => code.line(`acc0 += ${term('k')};`));
      code.line(`${out} = (acc0 + acc1) + (acc2 + acc3);`);
    });
    return;
  }
  const target = epilogue ?? n;
  const out = cx.name(target);
  // The epilogue reads the product at (i + r, j + c) as the local accumulating it.
  const storage = new Map(cx.plan.storage);
  storage.set(n.id, 'scalar');
  let accName = '';
  const ecx: ExprContext = { ...cx, plan: { ...cx.plan, storage }, name: (x) => (x === n ? accName : cx.name(x)) };
  const kOne = kSize.isOne();
  const kv = kOne ? '0' : 'k';

  const block = (iv: string, rows: number, jv: string, cols: number) => {
    const R = [...Array(rows).keys()];
    const Cs = [...Array(cols).keys()];
    if (!kOne) code.line(`let ${R.flatMap((r) => Cs.map((c) => `acc${r}${c} = 0`)).join(', ')};`);
    // Where row r of op(A) and column c of op(B) are read at step k.
    let aAt: (r: number) => string;
    let bAt: (c: number) => string;
    const step: string[] = [];
    if (!ta) {
      code.line(`const ${R.map((r) => `pa${r} = ${r === 0 ? plus(cx.offset(a), times(iv, K)) : `pa${r - 1} + ${K}`}`).join(', ')};`);
      aAt = (r) => `${A}[${plus(`pa${r}`, kv)}]`;
    } else {
      code.line(`let qa = ${plus(cx.offset(a), iv)};`);
      aAt = (r) => `${A}[${plus('qa', String(r))}]`;
      step.push(`qa += ${M};`);
    }
    if (tb) {
      code.line(`const ${Cs.map((c) => `pb${c} = ${c === 0 ? plus(cx.offset(b), times(jv, K)) : `pb${c - 1} + ${K}`}`).join(', ')};`);
      bAt = (c) => `${B}[${plus(`pb${c}`, kv)}]`;
    } else {
      code.line(`let qb = ${plus(cx.offset(b), jv)};`);
      bAt = (c) => `${B}[${plus('qb', String(c))}]`;
      step.push(`qb += ${N};`);
    }
    const body = () => {
      code.line(`const ${Cs.map((c) => `bk${c} = ${bAt(c)}`).join(', ')};`);
      for (const r of R) {
        code.line(`const ak${r} = ${aAt(r)};`);
        code.line(Cs.map((c) => (kOne ? `const acc${r}${c} = ak${r} * bk${c};` : `acc${r}${c} += ak${r} * bk${c};`)).join(' '));
      }
    };
    if (kOne) body();
    else code.block(`for (let k = 0; k < ${K}; k++)`, () => {
      body();
      if (step.length) code.line(step.join(' '));
    });
    // Store (or finish the epilogue's math and store).
    code.line(`const ${R.map((r) => `po${r} = ${r === 0 ? plus(times(iv, N), jv) : `po${r - 1} + ${N}`}`).join(', ')};`);
    for (const r of R) {
      for (const c of Cs) {
        accName = `acc${r}${c}`;
        const at: Index = { i: r ? `(${iv} + ${r})` : iv, j: c ? `(${jv} + ${c})` : jv, flat: plus(`po${r}`, String(c)), shape: n.shape };
        const value = epilogue ? computeAt(ecx, epilogue, at) : accName;
        code.line(`${out}[${plus(`po${r}`, String(c))}] = ${value};`);
      }
    }
  };
  // A product with a vector (one row or column) holds 8 outputs; else 4 × 3.
  const rowBlock = n.shape[0].isOne() ? 1 : n.shape[1].isOne() ? VECTOR_BLOCK : BLOCK_ROWS;
  const colBlock = n.shape[1].isOne() ? 1 : n.shape[0].isOne() ? VECTOR_BLOCK : BLOCK_COLS;
  tile(code, n.shape[0], M, 'i', rowBlock, (rows) =>
    tile(code, n.shape[1], N, 'j', colBlock, (cols) => block('i', rows, 'j', cols)));
}

/**
 * Splits `v` over 0 … size - 1 into blocks of `width` and calls `body` with each
 * block's width, `v` holding its first index: full blocks in a loop, then what
 * is left (one block when the size is known, one at a time when it is not).
 */
function tile(code: Code, size: Size, limit: string, v: string, width: number, body: (w: number) => void): void {
  const known = size.constant;
  if (known !== undefined) {
    const full = known - (known % width);
    const rest = known % width;
    if (full === width) code.block('', () => (code.line(`const ${v} = 0;`), body(width)));
    else if (full > 0) code.block(`for (let ${v} = 0; ${v} < ${full}; ${v} += ${width})`, () => body(width));
    if (rest) code.block('', () => (code.line(`const ${v} = ${full};`), body(rest)));
    return;
  }
  if (width === 1) {
    code.block(`for (let ${v} = 0; ${v} < ${limit}; ${v}++)`, () => body(1));
    return;
  }
  code.block('', () => {
    code.line(`let ${v} = 0;`);
    code.block(`for (; ${v} + ${width} <= ${limit}; ${v} += ${width})`, () => body(width));
    code.block(`for (; ${v} < ${limit}; ${v}++)`, () => body(1));
  });
}
