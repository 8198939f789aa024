// The built-in functions (spec §6), each lowered to the primitives. Sugar stays
// here: only numerically necessary pieces (logsumexp, softplus, sigmoid) are
// primitives, and the stable forms follow from rewrite rules (log ∘ exp).
import type { Expr } from '../../grammar/ast.js';
import type { Loc } from '../../grammar/diagnostics.js';
import { FUNCTIONS, type Axis, type Node } from '../ir/node.js';
import { Size } from '../ir/size.js';
import type { TensorType } from '../model.js';
import type { Lowerer, Value } from './lower.js';
import { formatType, isMatrix, isScalar, isVector, SCALAR_T } from './types.js';

type Call = Extract<Expr, { kind: 'call' }>;
type Env = ReadonlyMap<string, Value>;
export type Builtin = (l: Lowerer, call: Call, env: Env, defOrder: number) => Value | null;

/** A formal parameter: a tensor, a compile-time number, or an axis (0 or 1). */
interface Param {
  name: string;
  kind: 'tensor' | 'number' | 'axis';
  /** A default makes the parameter optional (numbers; for tensors, a constant scalar). */
  default?: number;
  optional?: boolean;
}

type Args = Record<string, Value | number | undefined>;

/** Matches a call's arguments to parameters, positional then keyword. */
function bindArgs(l: Lowerer, call: Call, params: Param[], env: Env, defOrder: number): Args | null {
  const exprs = new Map<string, Expr>();
  let ok = true;
  if (call.args.length > params.length) {
    return l.error(call.args[params.length]!.start, `${call.callee}() takes at most ${params.length} argument${params.length === 1 ? '' : 's'}`);
  }
  call.args.forEach((a, i) => exprs.set(params[i]!.name, a));
  for (const kw of call.kwargs) {
    if (!params.some((p) => p.name === kw.name)) {
      ok = !!l.error(kw.nameLoc, `${call.callee}() has no argument '${kw.name}' (it takes ${params.map((p) => p.name).join(', ')})`);
    } else if (exprs.has(kw.name)) {
      ok = !!l.error(kw.nameLoc, `${call.callee}() got '${kw.name}' twice`);
    } else exprs.set(kw.name, kw.value);
  }
  const out: Args = {};
  for (const p of params) {
    const e = exprs.get(p.name);
    if (!e) {
      if (p.default === undefined && !p.optional) ok = !!l.error(call.loc, `${call.callee}() needs the argument '${p.name}'`);
      else if (p.default !== undefined) out[p.name] = p.kind === 'tensor' ? { node: l.b.const(p.default), type: SCALAR_T } : p.default;
      continue;
    }
    if (p.kind === 'tensor') {
      const v = l.expr(e, env, defOrder);
      if (!v) ok = false;
      out[p.name] = v ?? undefined;
    } else {
      const v = l.shared.scope.constant(e, `the argument '${p.name}' of ${call.callee}()`);
      if (v === undefined) ok = false;
      else if (p.kind === 'axis' && v !== 0 && v !== 1) ok = !!l.error(e.start, `axis must be 0 or 1, not ${v}`);
      out[p.name] = v;
    }
  }
  return ok ? out : null;
}

function fn(params: Param[], body: (l: Lowerer, a: Record<string, any>, call: Call) => Value | null): Builtin {
  return (l, call, env, defOrder) => {
    const a = bindArgs(l, call, params, env, defOrder);
    return a && body(l, a, call);
  };
}

const T = (name: string, extra: Partial<Param> = {}): Param => ({ name, kind: 'tensor', ...extra });
const AXIS: Param = { name: 'axis', kind: 'axis', optional: true };

/** How a reduction over `axis` (undefined: all) maps to the IR, and its result type. */
function reduction(l: Lowerer, x: Value, axis: number | undefined, loc: Loc): { axis: Axis; type: TensorType } | null {
  if (axis === undefined) return { axis: 'all', type: SCALAR_T };
  if (isScalar(x.type)) return l.error(loc, `a scalar has no axis ${axis}; reduce it without an axis`);
  if (isVector(x.type)) {
    return axis === 0 ? { axis: 'all', type: SCALAR_T } : l.error(loc, `a vector has only axis 0; this is ${formatType(x.type)}`);
  }
  return { axis: axis as 0 | 1, type: { dims: [x.type.dims[1 - axis]!] } };
}

/** Applies an IR reduction and shapes the result as the language's column. */
function reduce(l: Lowerer, op: 'sum' | 'rmax' | 'logsumexp', x: Value, axis: number | undefined, loc: Loc): Value | null {
  const r = reduction(l, x, axis, loc);
  if (!r) return null;
  const node = l.b.make(op, [x.node], { axis: r.axis });
  return { node: r.type.dims.length ? l.b.reshape(node, [r.type.dims[0]!, Size.of(1)]) : node, type: r.type };
}

/** The axis along which softmax-like functions normalize, keeping the shape. */
function keepAxis(x: Value, axis: number): Axis {
  return isMatrix(x.type) ? (axis as 0 | 1) : 'all';
}

function logSoftmax(l: Lowerer, f: Value, axis: number, loc: Loc): Value | null {
  // A vector or scalar normalizes along its one axis, 0; axis 1 is one it does not have.
  if (!isMatrix(f.type) && axis !== 0) return l.error(loc, `${isScalar(f.type) ? 'a scalar' : 'a vector'} has only axis 0; this is ${formatType(f.type)}`);
  const lse = l.b.make('logsumexp', [f.node], { axis: keepAxis(f, axis) });
  return { node: l.b.sub(f.node, lse), type: f.type };
}

function count(x: Value, axis: number | undefined): Size {
  const dims = x.type.dims;
  if (axis === undefined || dims.length < 2) return dims.reduce((a, d) => a.mul(d), Size.of(1));
  return dims[axis]!;
}

/** pick(p, y): entry p[y_j, j] of each column, or p[y] for a vector and a scalar label. */
function pick(l: Lowerer, p: Value, y: Value, call: Call): Value | null {
  if (!y.node.int) return l.error(call.args[1]?.start ?? call.loc, `${call.callee}() needs integer labels (input y : [N] int)`);
  const b = l.b;
  if (isVector(p.type) && isScalar(y.type)) {
    l.bound(y.node, p.type.dims[0]!);
    return { node: b.make('pick', [b.reshape(p.node, [p.type.dims[0]!, Size.of(1)]), y.node], {}), type: SCALAR_T };
  }
  if (isMatrix(p.type) && isVector(y.type) && p.type.dims[1]!.equals(y.type.dims[0]!)) {
    l.bound(y.node, p.type.dims[0]!);
    const n = p.type.dims[1]!;
    return { node: b.reshape(b.make('pick', [p.node, y.node], {}), [n, Size.of(1)]), type: { dims: [n] } };
  }
  return l.error(call.loc, `shape mismatch: ${call.callee}() takes scores [C, N] with labels [N], or [C] with one label; got ${formatType(p.type)} and ${formatType(y.type)}`);
}

const unary = (op: Node['op']): Builtin => fn([T('x')], (l, { x }) => ({ node: l.b.unary(op, x.node), type: x.type }));

/** where(x > 0, x, negative): the shape of the leaky family. */
function leaky(l: Lowerer, x: Value, negative: Value, call: Call): Value | null {
  const positive = l.b.binary('gt', x.node, l.b.const(0));
  return l.elementwise('where', [{ node: positive, type: x.type }, x, negative], call.loc, `${call.callee}()`);
}

/** max/min: two tensors elementwise, or one tensor reduced. */
function extremum(op: 'max' | 'min'): Builtin {
  return (l, call, env, defOrder) => {
    if (call.args.length === 2) {
      const a = bindArgs(l, call, [T('a'), T('b')], env, defOrder);
      return a && l.elementwise(op, [a.a as Value, a.b as Value], call.loc, `${op}()`);
    }
    const a = bindArgs(l, call, [T('x'), AXIS], env, defOrder);
    if (!a) return null;
    const x = a.x as Value;
    if (op === 'max') return reduce(l, 'rmax', x, a.axis as number | undefined, call.loc);
    const m = reduce(l, 'rmax', { node: l.b.neg(x.node), type: x.type }, a.axis as number | undefined, call.loc);
    return m && { node: l.b.neg(m.node), type: m.type };
  };
}

/** Every built-in function by name (these names cannot be bound): each unary primitive under its own name, then the sugar. */
export const BUILTINS: Readonly<Record<string, Builtin>> = {
  ...Object.fromEntries(FUNCTIONS.map((op) => [op, unary(op)])),
  σ: unary('sigmoid'),
  // hardtanh′(±1) = 0: the linear piece is the open interval.
  hardtanh: fn([T('x')], (l, { x }) => {
    const b = l.b;
    const inside = b.binary('lt', b.unary('abs', x.node), b.const(1));
    return { node: b.where(inside, x.node, b.unary('sign', x.node)), type: x.type };
  }),
  leaky_relu: fn([T('x'), T('a', { default: 0.01 })], (l, { x, a }, call) => {
    const ax = l.elementwise('mul', [a, x], call.loc, 'leaky_relu()');
    return ax && leaky(l, x, ax, call);
  }),
  prelu: fn([T('x'), T('a')], (l, { x, a }, call) => {
    const ax = l.elementwise('mul', [a, x], call.loc, 'prelu()');
    return ax && leaky(l, x, ax, call);
  }),
  // exp(min(x, 0)): the untaken branch of where must not overflow, or its
  // zero gradient times ∞ would be NaN.
  elu: fn([T('x'), T('a', { default: 1 })], (l, { x, a }, call) => {
    const b = l.b;
    const em1 = { node: b.sub(b.exp(b.binary('min', x.node, b.const(0))), b.const(1)), type: x.type };
    const neg = l.elementwise('mul', [a, em1], call.loc, 'elu()');
    return neg && leaky(l, x, neg, call);
  }),
  max: extremum('max'),
  min: extremum('min'),
  where: fn([T('c'), T('a'), T('b')], (l, { c, a, b }, call) => l.elementwise('where', [c, a, b], call.loc, 'where()')),
  sum: fn([T('x'), AXIS], (l, { x, axis }, call) => reduce(l, 'sum', x, axis, call.loc)),
  mean: fn([T('x'), AXIS], (l, { x, axis }, call) => {
    const s = reduce(l, 'sum', x, axis, call.loc);
    return s && { node: l.b.div(s.node, l.b.size(count(x, axis))), type: s.type };
  }),
  logsumexp: fn([T('x'), AXIS], (l, { x, axis }, call) => reduce(l, 'logsumexp', x, axis, call.loc)),
  norm: fn([T('x')], (l, { x }) => ({ node: l.b.sqrt(l.b.sum(l.b.pow(x.node, l.b.const(2)))), type: SCALAR_T })),
  log_softmax: fn([T('f'), { ...AXIS, default: 0 }], (l, { f, axis }, call) => logSoftmax(l, f, axis, call.loc)),
  softmax: fn([T('f'), { ...AXIS, default: 0 }], (l, { f, axis }, call) => {
    const ls = logSoftmax(l, f, axis, call.loc);
    return ls && { node: l.b.exp(ls.node), type: f.type };
  }),
  pick: fn([T('p'), T('y')], (l, { p, y }, call) => pick(l, p, y, call)),
  // −log pick(p, y); with p = softmax(f) the rewrite rules make it −pick(log_softmax(f), y).
  cross_entropy: fn([T('p'), T('y')], (l, { p, y }, call) => {
    const v = pick(l, p, y, call);
    return v && { node: l.b.neg(l.b.log(v.node)), type: v.type };
  }),
  softmax_cross_entropy: fn([T('f'), T('y')], (l, { f, y }, call) => {
    const ls = logSoftmax(l, f, 0, call.loc);
    const v = ls && pick(l, ls, y, call);
    return v && { node: l.b.neg(v.node), type: v.type };
  }),
  sigmoid_bce: fn([T('f'), T('t')], (l, { f, t }, call) => {
    const tf = l.elementwise('mul', [t, f], call.loc, 'sigmoid_bce()');
    return tf && l.elementwise('sub', [{ node: l.b.unary('softplus', f.node), type: f.type }, tf], call.loc, 'sigmoid_bce()');
  }),
  squared_error: fn([T('a'), T('t')], (l, { a, t }, call) => {
    const d = l.elementwise('sub', [a, t], call.loc, 'squared_error()');
    if (!d) return null;
    const sq = { node: l.b.pow(d.node, l.b.const(2)), type: d.type };
    const s = reduce(l, 'sum', sq, isMatrix(d.type) ? 0 : undefined, call.loc);
    return s && { node: l.b.scale(0.5, s.node), type: s.type };
  }),
  dropout: fn([T('h'), { name: 'p', kind: 'number' }], (l, { h, p }, call) => {
    if (!(p >= 0 && p < 1)) return l.error(call.loc, `dropout probability must be in [0, 1), not ${p}`);
    const id = l.dropouts++;
    if (l.mode === 'eval' || p === 0) return h;
    const mask = l.b.make('mask', [], { p, id }, h.node.shape);
    return { node: l.b.mul(h.node, mask), type: h.type };
  }),
  batchnorm: fn([T('x'), T('gamma'), T('beta')], (l, { x, gamma, beta }, call) => batchnorm(l, x, gamma, beta, call)),
  concat: (l, call, env, defOrder) => {
    if (call.kwargs.length) return l.error(call.kwargs[0]!.nameLoc, 'concat() takes no keyword arguments');
    if (!call.args.length) return l.error(call.loc, 'concat() needs at least one argument');
    const parts = call.args.map((a) => l.expr(a, env, defOrder));
    if (parts.some((p) => !p)) return null;
    const vs = parts as Value[];
    // Column vectors only (spec §6): a matrix here is a mistake that would
    // otherwise surface far away, as a shape error where the result is used.
    for (const [i, v] of vs.entries()) {
      if (isScalar(v.type) || v.type.row || isMatrix(v.type)) {
        const what = isMatrix(v.type) ? `a matrix ${formatType(v.type)}` : formatType(v.type);
        return l.error(call.args[i]!.start, `concat() stacks column vectors; argument ${i + 1} is ${what}${isScalar(v.type) ? ' (write a one-element param [1])' : v.type.row ? ' (transpose it)' : ''}`);
      }
    }
    const rows = vs.map((v) => v.type.dims[0]!).reduce((a, d) => a.add(d));
    const node = l.b.make('concat', vs.map((v) => v.node), {});
    return { node, type: { dims: [rows] } };
  },
};

const BN_EPS = 1e-5;
const BN_MOMENTUM = 0.1;

/**
 * batchnorm(x, γ, β) over the batch axis of x [n, N]. Training mode normalizes
 * with the batch's mean and biased variance and updates the running statistics
 * (the variance unbiased); eval mode uses the running statistics.
 */
function batchnorm(l: Lowerer, x: Value, gamma: Value, beta: Value, call: Call): Value | null {
  if (!isMatrix(x.type)) return l.error(call.loc, `batchnorm() normalizes a batch [n, N]; this is ${formatType(x.type)}`);
  const b = l.b;
  const n = x.type.dims[0]!;
  const N = x.type.dims[1]!;
  const k = l.batchnorms++;
  const col: [Size, Size] = [n, Size.of(1)];
  const runMean = l.state(`bn${k}_mean`, { shape: col, init: 0, loc: call.loc });
  const runVar = l.state(`bn${k}_var`, { shape: col, init: 1, loc: call.loc });
  let xhat: Node;
  if (l.mode === 'train') {
    const mu = b.mean(x.node, 1);
    const xc = b.sub(x.node, mu);
    const variance = b.mean(b.pow(xc, b.const(2)), 1);
    xhat = b.div(xc, b.sqrt(b.add(variance, b.const(BN_EPS))));
    const keep = b.const(1 - BN_MOMENTUM);
    const unbiased = b.mul(variance, b.div(b.size(N), b.sub(b.size(N), b.const(1))));
    l.updates.set(`bn${k}_mean`, b.add(b.mul(keep, runMean), b.scale(BN_MOMENTUM, mu)));
    l.updates.set(`bn${k}_var`, b.add(b.mul(keep, runVar), b.scale(BN_MOMENTUM, unbiased)));
  } else {
    xhat = b.div(b.sub(x.node, runMean), b.sqrt(b.add(runVar, b.const(BN_EPS))));
  }
  const scaled = l.elementwise('mul', [gamma, { node: xhat, type: x.type }], call.loc, 'batchnorm()');
  return scaled && l.elementwise('add', [scaled, beta], call.loc, 'batchnorm()');
}
