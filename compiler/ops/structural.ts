// Non-elementwise primitives: layout, matrix product, reductions, integer
// indexing. Reference semantics and VJP side by side.
import type { Axis, Node } from '../ir/node.js';
import { Size } from '../ir/size.js';
import { at, filled, tensor, type Tensor } from '../ir/tensor.js';
import type { OpRule } from './rule.js';

type StructuralOp =
  | 'transpose' | 'reshape' | 'broadcast' | 'matmul' | 'sum' | 'rmax' | 'logsumexp'
  | 'onehot' | 'pick' | 'gathercols' | 'scattercols' | 'concat' | 'slice';

/** Folds every element into its reduced slot: init, then acc = f(acc, x). */
function reduceEval(x: Tensor, axis: Axis, init: number, f: (acc: number, v: number) => number): Tensor {
  const out = axis === 'all' ? filled(1, 1, init) : axis === 0 ? filled(1, x.cols, init) : filled(x.rows, 1, init);
  for (let i = 0; i < x.rows; i++) {
    for (let j = 0; j < x.cols; j++) {
      const k = axis === 'all' ? 0 : axis === 0 ? j : i;
      out.data[k] = f(out.data[k]!, x.data[i * x.cols + j]!);
    }
  }
  return out;
}

function logsumexpEval(x: Tensor, axis: Axis): Tensor {
  const m = reduceEval(x, axis, -Infinity, Math.max);
  const s = tensor(m.rows, m.cols);
  for (let i = 0; i < x.rows; i++) {
    for (let j = 0; j < x.cols; j++) {
      const k = axis === 'all' ? 0 : axis === 0 ? j : i;
      const mk = m.data[k]!;
      // An all −∞ slice has logsumexp −∞, not NaN.
      s.data[k]! += mk === -Infinity ? 0 : Math.exp(x.data[i * x.cols + j]! - mk);
    }
  }
  for (let k = 0; k < s.data.length; k++) s.data[k] = m.data[k] === -Infinity ? -Infinity : m.data[k]! + Math.log(s.data[k]!);
  return s;
}

/** Reads integer labels, rejecting any outside [0, n): a silent wrong answer otherwise. */
function index(v: number, n: number, what: string): number {
  if (!Number.isInteger(v) || v < 0 || v >= n) throw new RangeError(`${what} ${v} is out of range [0, ${n})`);
  return v;
}

function transposeEval(x: Tensor): Tensor {
  const out = tensor(x.cols, x.rows);
  for (let i = 0; i < x.rows; i++) for (let j = 0; j < x.cols; j++) out.data[j * x.rows + i] = x.data[i * x.cols + j]!;
  return out;
}

export const STRUCTURAL_RULES: { [O in StructuralOp]: OpRule<O> } = {
  transpose: {
    note: 'a transpose: the upstream is transposed back',
    eval: ([x]) => transposeEval(x!),
    vjp: (b, _, g) => [b.transpose(g)],
  },
  reshape: {
    note: 'a reshape moves no number: the upstream is reshaped back',
    eval: ([x], node, ctx) => tensor(node.shape[0].eval(ctx.dims), node.shape[1].eval(ctx.dims), x!.data),
    vjp: (b, node, g) => [b.reshape(g, node.inputs[0]!.shape)],
  },
  broadcast: {
    note: 'a broadcast copies: the copies’ gradients add up',
    eval: ([x], node, ctx) => {
      const r = node.shape[0].eval(ctx.dims);
      const c = node.shape[1].eval(ctx.dims);
      const out = tensor(r, c);
      for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out.data[i * c + j] = at(x!, i, j);
      return out;
    },
    vjp: (_, __, g) => [g], // the differentiator sums it back to the input's shape
  },
  matmul: {
    note: 'a matrix product: each factor gets the upstream times the other factor, transposed',
    eval: ([a0, b0], node) => {
      const { ta, tb } = node.attrs;
      const a = ta ? transposeEval(a0!) : a0!;
      const bb = tb ? transposeEval(b0!) : b0!;
      const out = tensor(a.rows, bb.cols);
      for (let i = 0; i < a.rows; i++) {
        for (let k = 0; k < a.cols; k++) {
          const aik = a.data[i * a.cols + k]!;
          for (let j = 0; j < bb.cols; j++) out.data[i * bb.cols + j]! += aik * bb.data[k * bb.cols + j]!;
        }
      }
      return out;
    },
    // With A' = op(A), B' = op(B): dA' = g B'ᵀ, dB' = A'ᵀ g; a transposed
    // operand gets the transpose, written so that nothing is materialized.
    vjp: (b, node, g, wants) => {
      const [x, y] = node.inputs as [Node, Node];
      const { ta, tb } = node.attrs;
      const dx = !ta ? b.matmul(g, y, false, !tb) : b.matmul(y, g, tb, true);
      const dy = !tb ? b.matmul(x, g, !ta, false) : b.matmul(g, x, true, ta);
      return [wants[0] ? dx : null, wants[1] ? dy : null];
    },
  },
  sum: {
    note: 'a sum distributes: every summed element gets the upstream',
    eval: ([x], node) => reduceEval(x!, node.attrs.axis, 0, (a, v) => a + v),
    vjp: (_, __, g) => [g],
  },
  rmax: {
    note: 'max routes: the upstream goes to the largest element',
    eval: ([x], node) => reduceEval(x!, node.attrs.axis, -Infinity, Math.max),
    // The gradient goes to the maxima, shared evenly among ties.
    vjp: (b, node, g) => {
      const x = node.inputs[0]!;
      const hit = b.binary('eq', x, node);
      return [b.mul(b.div(g, b.sum(hit, node.attrs.axis)), hit)];
    },
  },
  logsumexp: {
    note: 'logsumexp′ = softmax: the upstream is spread by the softmax weights',
    eval: ([x], node) => logsumexpEval(x!, node.attrs.axis),
    // ∂/∂x log Σ eˣ = softmax(x) = exp(x − lse).
    vjp: (b, node, g) => [b.mul(g, b.exp(b.sub(node.inputs[0]!, node)))],
  },
  onehot: {
    note: 'one-hot of integer labels: no gradient flows to labels',
    eval: ([y], node, ctx) => {
      const c = node.attrs.classes.eval(ctx.dims);
      const n = y!.data.length;
      const out = tensor(c, n);
      for (let j = 0; j < n; j++) out.data[index(y!.data[j]!, c, 'label') * n + j] = 1;
      return out;
    },
    vjp: () => [null],
  },
  pick: {
    note: 'pick routes the upstream to the picked entry of each column',
    eval: ([p, y]) => {
      const out = tensor(1, p!.cols);
      for (let j = 0; j < p!.cols; j++) out.data[j] = p!.data[index(y!.data[j]!, p!.rows, 'label') * p!.cols + j]!;
      return out;
    },
    vjp: (b, node, g, wants) => {
      const [p, y] = node.inputs as [Node, Node];
      return [wants[0] ? b.mul(g, b.make('onehot', [y], { classes: p.shape[0] })) : null, null];
    },
  },
  gathercols: {
    note: 'a lookup routes each column’s upstream back to the column it read',
    eval: ([e, ids]) => {
      const k = ids!.data.length;
      const out = tensor(e!.rows, k);
      for (let c = 0; c < k; c++) {
        const src = index(ids!.data[c]!, e!.cols, 'index');
        for (let i = 0; i < e!.rows; i++) out.data[i * k + c] = e!.data[i * e!.cols + src]!;
      }
      return out;
    },
    vjp: (b, node, g, wants) => {
      const [e, ids] = node.inputs as [Node, Node];
      return [wants[0] ? b.make('scattercols', [g, ids], { cols: e.shape[1] }) : null, null];
    },
  },
  scattercols: {
    note: 'a scatter gathers the upstream back from the columns it wrote',
    eval: ([g, ids], node, ctx) => {
      const cols = node.attrs.cols.eval(ctx.dims);
      const k = ids!.data.length;
      const out = tensor(g!.rows, cols);
      for (let c = 0; c < k; c++) {
        const dst = index(ids!.data[c]!, cols, 'index');
        for (let i = 0; i < g!.rows; i++) out.data[i * cols + dst]! += g!.data[i * k + c]!; // repeated ids add up
      }
      return out;
    },
    vjp: (b, node, g, wants) => [wants[0] ? b.make('gathercols', [g, node.inputs[1]!], {}) : null, null],
  },
  concat: {
    note: 'concat splits the upstream back into the pieces',
    eval: (inputs) => {
      const cols = inputs[0]!.cols;
      const out = tensor(inputs.reduce((n, t) => n + t.rows, 0), cols);
      let off = 0;
      for (const t of inputs) {
        out.data.set(t.data, off);
        off += t.data.length;
      }
      return out;
    },
    vjp: (b, node, g, wants) => {
      let row = Size.of(0);
      return node.inputs.map((x, i) => {
        const piece = b.make('slice', [g], { start: row }, x.shape);
        row = row.add(x.shape[0]);
        return wants[i] ? piece : null;
      });
    },
  },
  slice: {
    note: 'a slice puts the upstream back in its rows, zeros elsewhere',
    eval: ([x], node, ctx) => {
      const start = node.attrs.start.eval(ctx.dims);
      const rows = node.shape[0].eval(ctx.dims);
      return tensor(rows, x!.cols, x!.data.subarray(start * x!.cols, (start + rows) * x!.cols));
    },
    // The slice's cotangent sits in a column of zeros the size of the input.
    vjp: (b, node, g) => {
      const x = node.inputs[0]!;
      const { start } = node.attrs;
      const after = x.shape[0].add(start.mul(Size.of(-1))).add(node.shape[0].mul(Size.of(-1)));
      const parts = [
        ...(start.constant === 0 ? [] : [b.zeros([start, x.shape[1]])]),
        g,
        ...(after.constant === 0 ? [] : [b.zeros([after, x.shape[1]])]),
      ];
      return [parts.length === 1 ? g : b.make('concat', parts, {})];
    },
  },
};

export type { StructuralOp };
