// JS loops for each step of a plan. Loop orders follow the memory layout
// (row-major): matrix products run i-k-j or dot products so that the innermost
// loop walks contiguous memory.
import type { Axis, Node, OpAttrs } from '../../compiler/ir/node.js';
import { SCALAR, shapeEquals, type Shape } from '../../compiler/ir/size.js';
import type { Code } from '../code.js';
import { elementIndex, valueAt, type ExprContext, type Index } from '../expr.js';

export interface JsContext extends ExprContext {
  /** The math a node computes, for the comment above its loop. */
  describe(n: Node): string;
  /** Code for the seed and the dropout stream of mask `id`. */
  maskStream(id: number): string;
}

const isScalarShape = (s: Shape) => s[0].isOne() && s[1].isOne();

/** Whether a loop over `shape` can use one flat index for every read of `n`. */
function flatOK(cx: ExprContext, n: Node, shape: Shape): boolean {
  const s = cx.plan.storage.get(n.id)!;
  if (s === 'scalar' || isScalarShape(n.shape)) return true;
  if (s !== 'inline') return shapeEquals(n.shape, shape);
  if (n.op === 'onehot') return false;
  if (n.op === 'broadcast') return flatOK(cx, n.inputs[0]!, shape) && isScalarShape(n.inputs[0]!.shape);
  return n.inputs.every((x) => flatOK(cx, x, shape));
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

export function emitStep(code: Code, cx: JsContext, n: Node): void {
  const scalar = cx.plan.storage.get(n.id) === 'scalar';
  const out = cx.name(n);
  const store = (at: Index) => (scalar ? out : `${out}[${elementIndex(cx, n.shape, at)}]`);
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
  if (axis === 'all') {
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
  const [r, c] = x.shape.map(cx.spell.size);
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
    code.block(`for (let j = 0; j < ${c}; j++)`, () => {
      slice('m', 's', 'j', 'i', r, (j, i) => idx(i, j));
      code.line(`${out}[j] = m === -Infinity ? m : m + Math.log(s);`);
    });
  } else {
    code.block(`for (let i = 0; i < ${r}; i++)`, () => {
      slice('m', 's', 'i', 'j', c, (i, j) => idx(i, j));
      code.line(`${out}[i] = m === -Infinity ? m : m + Math.log(s);`);
    });
  }
}

function matmul(code: Code, cx: JsContext, n: Node): void {
  const [a, b] = n.inputs as [Node, Node];
  const { ta, tb } = n.attrs as OpAttrs['matmul'];
  const out = cx.name(n);
  const sz = cx.spell.size;
  const kSize = ta ? a.shape[0] : a.shape[1];
  const [M, K, N] = [sz(n.shape[0]), sz(kSize), sz(n.shape[1])];
  const A = cx.name(a);
  const B = cx.name(b);
  const off = (x: Node) => (cx.offset(x) === '0' ? '' : `${cx.offset(x)} + `);
  // Element (row, col) of op(A) and op(B), as stored.
  const aAt = (i: string, k: string) => `${A}[${off(a)}${ta ? `${k} * ${M} + ${i}` : `${i} * ${K} + ${k}`}]`;
  const bAt = (k: string, j: string) => `${B}[${off(b)}${tb ? `${j} * ${K} + ${k}` : `${k} * ${N} + ${j}`}]`;
  if (cx.plan.storage.get(n.id) === 'scalar') {
    code.line(`let ${out} = 0;`);
    code.block(`for (let k = 0; k < ${K}; k++)`, () => code.line(`${out} += ${aAt('0', 'k')} * ${bAt('k', '0')};`));
    return;
  }
  const nIsOne = n.shape[1].isOne();
  if (!ta && (tb || nIsOne)) {
    // Rows of A against rows of Bᵀ (or the vector b): contiguous dot products.
    code.block(`for (let i = 0; i < ${M}; i++)`, () => {
      const body = (j: string) => {
        code.line('let acc = 0;');
        code.block(`for (let k = 0; k < ${K}; k++)`, () => code.line(`acc += ${aAt('i', 'k')} * ${bAt('k', j)};`));
        code.line(`${out}[i * ${N} + ${j}] = acc;`);
      };
      if (nIsOne) body('0');
      else code.block(`for (let j = 0; j < ${N}; j++)`, () => body('j'));
    });
    return;
  }
  if (!tb) {
    // out[i, :] += op(A)[i, k] · B[k, :], the inner loop along a row of B.
    code.line(`${out}.fill(0);`);
    const outer = ta ? ['k', K, 'i', M] : ['i', M, 'k', K];
    code.block(`for (let ${outer[0]} = 0; ${outer[0]} < ${outer[1]}; ${outer[0]}++)`, () =>
      code.block(`for (let ${outer[2]} = 0; ${outer[2]} < ${outer[3]}; ${outer[2]}++)`, () => {
        code.line(`const aik = ${aAt('i', 'k')};`);
        code.block(`for (let j = 0; j < ${N}; j++)`, () => code.line(`${out}[i * ${N} + j] += aik * ${bAt('k', 'j')};`));
      }));
    return;
  }
  // Aᵀ Bᵀ: rare; plain dot products.
  code.block(`for (let i = 0; i < ${M}; i++)`, () =>
    code.block(`for (let j = 0; j < ${N}; j++)`, () => {
      code.line('let acc = 0;');
      code.block(`for (let k = 0; k < ${K}; k++)`, () => code.line(`acc += ${aAt('i', 'k')} * ${bAt('k', 'j')};`));
      code.line(`${out}[i * ${N} + j] = acc;`);
    }));
}
