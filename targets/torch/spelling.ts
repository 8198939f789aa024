// How the PyTorch target spells every op: one entry per primitive, typed as an
// exhaustive mapped type over the ops, so a new op without a torch spelling
// does not compile. Every value is a 2-D tensor of the node's IR shape ([n, 1]
// for a column), as in the other targets; gradients come from torch's autograd,
// so each spelling must also have the language's derivative (spec §6) in
// torch: ties in max/min share the gradient (torch.maximum, amax), relu′(0) = 0,
// abs′(0) = 0. test/torch/ checks that against `gradc grad` on every op.
import type { Axis, Node, Op, OpAttrs } from '../../compiler/ir/node.js';
import type { Shape, Size } from '../../compiler/ir/size.js';

/** Python precedence, tightest first: an atom binds tighter than anything. */
export const enum Prec { Atom = 0, Pow, Neg, Mul, Add, Compare }

/** A spelled operand: its text and how loosely it binds. */
export interface Py {
  code: string;
  prec: Prec;
}

export interface TorchContext {
  /** A size as a Python int expression (run-time dims by their variable names). */
  size(s: Size): string;
  /** A shape as a Python tuple: `(64, N)`. */
  shape(s: Shape): string;
  /** A number literal. */
  num(v: number): string;
  /** The variable that holds a leaf (param, input, running statistic). */
  leaf(n: Node): string;
  /** The dropout mask for a mask node. */
  mask(n: Node<'mask'>): string;
}

type Spell<O extends Op> = (args: Py[], node: Node<O>, cx: TorchContext) => Py;

const atom = (code: string): Py => ({ code, prec: Prec.Atom });
/** `a` wrapped when it binds more loosely than `max`. */
const op = (a: Py, max: Prec) => (a.prec > max ? `(${a.code})` : a.code);
/** A method call on an operand: `x.t()`. */
const method = (a: Py, call: string) => atom(`${op(a, Prec.Atom)}.${call}`);
const fn = (name: string) => ([a]: Py[]) => atom(`${name}(${a!.code})`);
/** Left-associative binary operator at precedence `p`. */
const bin = (sym: string, p: Prec) => ([a, b]: Py[]): Py => ({ code: `${op(a!, p)} ${sym} ${op(b!, p - 1)}`, prec: p });
/** Comparisons give 0/1 float tensors (no gradient, as in the language). */
const cmp = (sym: string) => ([a, b]: Py[]) => method({ code: `${op(a!, Prec.Add)} ${sym} ${op(b!, Prec.Add)}`, prec: Prec.Compare }, 'float()');
/** A number operand where torch wants a tensor (torch.maximum, torch.where). */
const tensor = (a: Py, n: Node) => (n.op === 'const' && n.shape[0].isOne() && n.shape[1].isOne() ? `_t(${a.code})` : a.code);
/** The dims of a reduction, keeping both axes so that every value stays 2-D. */
const dims = (axis: Axis) => (axis === 'all' ? '(0, 1)' : String(axis));

export const TORCH: { [O in Op]: Spell<O> } = {
  param: (_, n, cx) => atom(cx.leaf(n)),
  input: (_, n, cx) => atom(cx.leaf(n)),
  state: (_, n, cx) => atom(cx.leaf(n)),
  const: (_, n, cx) => {
    const v = cx.num(n.attrs.value);
    if (n.shape[0].isOne() && n.shape[1].isOne()) return { code: v, prec: v.startsWith('-') ? Prec.Neg : Prec.Atom };
    return atom(`torch.full(${cx.shape(n.shape)}, ${v})`);
  },
  size: (_, n, cx) => atom(cx.size(n.attrs.size)),
  mask: (_, n, cx) => atom(cx.mask(n)),

  neg: ([a]) => ({ code: `-${op(a!, Prec.Neg)}`, prec: Prec.Neg }),
  exp: fn('torch.exp'), log: fn('torch.log'), sqrt: fn('torch.sqrt'), abs: fn('torch.abs'),
  sign: fn('torch.sign'), sin: fn('torch.sin'), cos: fn('torch.cos'), tanh: fn('torch.tanh'),
  sigmoid: fn('torch.sigmoid'), relu: fn('torch.relu'),
  erf: fn('torch.erf'),
  // x·Φ(x) with the exact erf (torch's default approximate='none').
  gelu: fn('torch.nn.functional.gelu'),
  // log(1 + eˣ); torch returns x itself above x = 20, 2·10⁻⁹ away: below float32's resolution there.
  softplus: fn('torch.nn.functional.softplus'),
  add: bin('+', Prec.Add), sub: bin('-', Prec.Add), mul: bin('*', Prec.Mul), div: bin('/', Prec.Mul),
  pow: ([a, b]) => ({ code: `${op(a!, Prec.Atom)} ** ${op(b!, Prec.Neg)}`, prec: Prec.Pow }),
  // torch.maximum/minimum share the gradient evenly at ties, as the language does (clamp would not).
  max: ([a, b], n) => atom(`torch.maximum(${tensor(a!, n.inputs[0]!)}, ${tensor(b!, n.inputs[1]!)})`),
  min: ([a, b], n) => atom(`torch.minimum(${tensor(a!, n.inputs[0]!)}, ${tensor(b!, n.inputs[1]!)})`),
  lt: cmp('<'), le: cmp('<='), gt: cmp('>'), ge: cmp('>='), eq: cmp('=='), ne: cmp('!='),
  where: ([c, a, b], n) => atom(`torch.where(${op(c!, Prec.Add)} != 0, ${tensor(a!, n.inputs[1]!)}, ${tensor(b!, n.inputs[2]!)})`),

  transpose: ([a]) => method(a!, 't()'),
  // A column read as a row (uᵀ) is a transpose; anything else a reshape.
  reshape: ([a], n, cx) => {
    const [x] = n.inputs;
    const flips = x!.shape[0].equals(n.shape[1]) && x!.shape[1].equals(n.shape[0]) && (n.shape[0].isOne() || n.shape[1].isOne());
    return method(a!, flips ? 't()' : `reshape${cx.shape(n.shape)}`);
  },
  broadcast: ([a], n, cx) => method(a!, `expand${cx.shape(n.shape)}`),
  matmul: ([a, b], n) => {
    const l = n.attrs.ta ? method(a!, 't()') : a!;
    const r = n.attrs.tb ? method(b!, 't()') : b!;
    return bin('@', Prec.Mul)([l, r]);
  },
  sum: ([a], n) => method(a!, `sum(${dims(n.attrs.axis)}, keepdim=True)`),
  // amax, not max: its gradient is shared evenly among tied maxima, as in the language.
  rmax: ([a], n) => method(a!, `amax(${dims(n.attrs.axis)}, keepdim=True)`),
  logsumexp: ([a], n) => atom(`torch.logsumexp(${a!.code}, ${dims(n.attrs.axis)}, keepdim=True)`),

  onehot: ([y], n, cx) => atom(`torch.nn.functional.one_hot(${method(y!, 'reshape(-1)').code}, ${cx.size(n.attrs.classes)}).t().float()`),
  pick: ([p, y]) => method(p!, `gather(0, ${method(y!, 'reshape(1, -1)').code})`),
  gathercols: ([e, ids]) => atom(`${op(e!, Prec.Atom)}[:, ${method(ids!, 'reshape(-1)').code}]`),
  scattercols: ([g, ids], n, cx) =>
    atom(`torch.zeros(${cx.size(n.shape[0])}, ${cx.size(n.attrs.cols)}).index_add(1, ${method(ids!, 'reshape(-1)').code}, ${g!.code})`),
  concat: (args) => atom(`torch.cat([${args.map((a) => a.code).join(', ')}], 0)`),
  slice: ([a], n, cx) => {
    const start = (n.attrs as OpAttrs['slice']).start;
    return atom(`${op(a!, Prec.Atom)}[${cx.size(start)}:${cx.size(start.add(n.shape[0]))}]`);
  },
};

/** Python's keywords and the names the generated module defines itself; user names are kept clear of them. */
export const PY_RESERVED = new Set(
  ('False None True and as assert async await break class continue def del elif else except finally for from global if ' +
    'import in is lambda nonlocal not or pass raise return try while with yield match case ' +
    'torch math Model make_optimizer learning_rate load_gradc_state gradc_state self inputs seed dims k ' +
    '_t _hash3 _uniform _normal _mul32 _input _labels _init print len range int float dict list str object super ' +
    // nn.Module's own attributes, which a param attribute must not shadow
    'training forward train eval state_dict load_state_dict parameters named_parameters buffers named_buffers children ' +
    'modules cuda cpu to type double half float apply zero_grad register_buffer register_parameter requires_grad_ extra_repr').split(' '),
);
