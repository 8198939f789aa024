// Prints IR as `.nn`-like math: the same printer serves `--emit grad`, the
// comments in generated code, and snapshot tests.
import { topoSort, type CompareOp, type FunctionOp, type Node, type OpAttrs } from './ir/node.js';
import type { Model } from './model.js';
import { isScalarShape, type Size } from './ir/size.js';

/** Binding strength, loosest first, as in the language (spec §4). */
const enum P { Any = 0, Compare, Add, Mul, Neg, MatMul, Pow, Postfix, Atom }

/** A function op as the lectures write it: its own name, σ for the sigmoid. */
export const functionName = (op: FunctionOp): string => (op === 'sigmoid' ? 'σ' : op);
const CMP: { [O in CompareOp]: string } = { lt: '<', le: '≤', gt: '>', ge: '≥', eq: '=', ne: '≠' };

export function formatNumber(v: number): string {
  if (Number.isInteger(v) || !Number.isFinite(v)) return String(v);
  const s = String(Number(v.toPrecision(6)));
  return s;
}

/** How to refer to a node: its name, or undefined to print it inline. */
export type Namer = (n: Node) => string | undefined;


/** Prints a node as an expression, naming what `name` names. */
export function printExpr(node: Node, name: Namer): string {
  return go(node, name, true)[0];
}

function go(n: Node, name: Namer, top = false): [string, P] {
  const given = top ? undefined : name(n);
  if (given !== undefined) return [given, P.Atom];
  const arg = (i: number, min: P): string => {
    const [s, p] = go(n.inputs[i]!, name);
    return p < min ? `(${s})` : s;
  };
  const a = n.attrs as Record<string, unknown>;
  switch (n.op) {
    case 'param':
    case 'input':
    case 'state':
      return [a.name as string, P.Atom];
    case 'const':
      return [formatNumber(a.value as number), (a.value as number) < 0 ? P.Neg : P.Atom];
    case 'size': {
      // 3*N binds as a product and N + 1 as a sum: `sum(X) / (3*N)`, never `sum(X) / 3*N`.
      const size = a.size as Size;
      return [size.key, size.atomic ? P.Atom : size.monomials.length > 1 ? P.Add : P.Mul];
    }
    case 'mask':
      // The 0 or 1/(1−p) mask dropout multiplies by, in the user's words.
      return [`dropout_mask(p=${formatNumber(a.p as number)})`, P.Atom];
    case 'neg':
      return [`-${arg(0, P.MatMul)}`, P.Neg];
    case 'add':
      return [`${arg(0, P.Add)} + ${arg(1, P.Mul)}`, P.Add];
    case 'sub': {
      // x − logsumexp(x) is how log_softmax(x) is computed.
      const ls = logSoftmaxOf(n);
      if (ls) return [`log_softmax(${go(ls.x, name)[0]}${ls.axis})`, P.Atom];
      return [`${arg(0, P.Add)} - ${arg(1, P.Mul)}`, P.Add];
    }
    case 'mul': {
      // x ⊙ mask is dropout(x, p), and so is the backward's δ ⊙ mask (the same mask).
      const m = n.inputs.findIndex((x) => x.op === 'mask' && name(x) === undefined);
      if (m >= 0) return [`dropout(${arg(1 - m, P.Any)}, ${formatNumber((n.inputs[m]!.attrs as { p: number }).p)})`, P.Atom];
      const scalar = isScalarShape(n.inputs[0]!.shape) || isScalarShape(n.inputs[1]!.shape);
      return [`${arg(0, P.Mul)} ${scalar ? '*' : '⊙'} ${arg(1, P.Neg)}`, P.Mul];
    }
    case 'div':
      return [`${arg(0, P.Mul)} / ${arg(1, P.Neg)}`, P.Mul];
    case 'pow':
      return [`${arg(0, P.Postfix)}^${arg(1, P.Pow)}`, P.Pow];
    case 'max':
    case 'min':
      return [`${n.op}(${arg(0, P.Any)}, ${arg(1, P.Any)})`, P.Atom];
    case 'lt': case 'le': case 'gt': case 'ge': case 'eq': case 'ne':
      return [`1[${arg(0, P.Add)} ${CMP[n.op]} ${arg(1, P.Add)}]`, P.Atom];
    case 'where':
      return [`where(${arg(0, P.Any)}, ${arg(1, P.Any)}, ${arg(2, P.Any)})`, P.Atom];
    case 'transpose':
      return [`${arg(0, P.Atom)}ᵀ`, P.Postfix];
    case 'reshape': {
      // A reduction's row shown as the column it is in the language: no mark.
      const x = n.inputs[0]!;
      if (['sum', 'rmax', 'logsumexp', 'pick', 'const'].includes(x.op) || !vectorFlip(n)) return go(x, name);
      return [`${arg(0, P.Atom)}ᵀ`, P.Postfix];
    }
    case 'broadcast': {
      // A row repeated down is 1 rᵀ; a column repeated across is c 1ᵀ.
      const x = n.inputs[0]!;
      if (isScalarShape(x.shape)) return go(x, name);
      if (x.shape[0].isOne() && !n.shape[0].isOne()) return [`1 ${arg(0, P.Pow)}`, P.MatMul];
      if (x.shape[1].isOne() && !n.shape[1].isOne()) return [`${arg(0, P.MatMul)} 1ᵀ`, P.MatMul];
      return go(x, name);
    }
    case 'matmul': {
      const { ta, tb } = a as OpAttrs['matmul'];
      const l = ta ? `${arg(0, P.Atom)}ᵀ` : arg(0, P.MatMul);
      const r = tb ? `${arg(1, P.Atom)}ᵀ` : arg(1, P.Pow);
      return [`${l} ${r}`, P.MatMul];
    }
    case 'sum':
    case 'rmax':
    case 'logsumexp': {
      const f = n.op === 'rmax' ? 'max' : n.op;
      const ax = (a as OpAttrs['sum']).axis;
      return [`${f}(${arg(0, P.Any)}${ax === 'all' ? '' : `, axis=${ax}`})`, P.Atom];
    }
    case 'onehot':
      return [`onehot(${arg(0, P.Any)})`, P.Atom];
    case 'pick':
      return [`pick(${arg(0, P.Any)}, ${arg(1, P.Any)})`, P.Atom];
    case 'gathercols':
      return [`${arg(0, P.Atom)}[:, ${arg(1, P.Any)}]`, P.Postfix];
    case 'scattercols':
      // The gradient of E[:, ids]: g's columns added into columns ids of a zero matrix like E.
      return [`scatter(${arg(0, P.Any)}, into columns ${arg(1, P.Any)})`, P.Atom];
    case 'concat':
      return [`[${n.inputs.map((_, i) => arg(i, P.Any)).join('; ')}]`, P.Atom];
    case 'slice':
      return [`${arg(0, P.Atom)}[${a.start}:${(a.start as { add(x: unknown): unknown }).add(n.shape[0])}]`, P.Postfix];
    default: {
      // exp(log_softmax(x)) is how softmax(x) is computed.
      const ls = n.op === 'exp' && name(n.inputs[0]!) === undefined ? logSoftmaxOf(n.inputs[0]!) : undefined;
      if (ls) return [`softmax(${go(ls.x, name)[0]}${ls.axis})`, P.Atom];
      const f: FunctionOp = n.op; // every other op has its case above
      return [`${functionName(f)}(${arg(0, P.Any)})`, P.Atom];
    }
  }
}

/** For x − logsumexp(x, axis): x and how to print the axis (LaTeX prints the same pattern). */
export function logSoftmaxOf(n: Node): { x: Node; axis: string } | undefined {
  if (n.op !== 'sub') return undefined;
  const [x, l] = n.inputs as [Node, Node];
  if (l.op !== 'logsumexp' || l.inputs[0] !== x) return undefined;
  const axis = (l.attrs as OpAttrs['logsumexp']).axis;
  return { x, axis: axis === 'all' || axis === 0 ? '' : `, axis=${axis}` };
}

function vectorFlip(n: Node): boolean {
  const [r, c] = n.shape;
  const [r0, c0] = n.inputs[0]!.shape;
  return r.equals(c0) && c.equals(r0) && !r.equals(r0);
}

/** The user's view of a node's shape: [4], [4]ᵀ, [3, 5], or nothing for a scalar. */
export function shapeText(n: Node): string {
  const [r, c] = n.shape;
  if (r.isOne() && c.isOne()) return 'scalar';
  if (c.isOne()) return `[${r}]`;
  if (r.isOne()) return `[${c}]ᵀ`;
  return `[${r}, ${c}]`;
}

/** Nodes worth a line of their own: used more than once, and not trivial to read inline. */
function trivial(n: Node): boolean {
  return n.inputs.length === 0 || ((n.op === 'reshape' || n.op === 'broadcast') && trivial(n.inputs[0]!));
}

export interface DerivativeLine {
  lhs: string;
  rhs: string;
  comment?: string;
}

/** The derivative's shared subexpressions and their names (δ for error signals, t1… otherwise). */
export interface DerivativeNames {
  /** Nodes worth a line of their own, in computation order: forwardShared, then backward nodes used more than once. */
  shared: Node[];
  /** Unnamed forward values the derivative uses more than once (they get a name, printed with the forward equations). */
  forwardShared: Node[];
  names: Map<number, string>;
  /** Adjoint node id → the forward node it is the adjoint of. */
  adjointOf: Map<number, number>;
}

/**
 * Chooses which parts of the derivative get a name: backward nodes used more
 * than once (being a gradient counts as a use: ∂s/∂b = δ and ∂s/∂W = δ xᵀ
 * share δ). Error signals (adjoints) are δ, or δ_name when there are several.
 * Every printer of the derivative (math, LaTeX) names by this.
 */
export function derivativeNames(model: Model, mode: 'train' | 'eval' = 'train'): DerivativeNames {
  const g = mode === 'train' ? model.train : model.eval;
  const forward = new Set(topoSort([g.loss, ...g.outputs.values()]).map((n) => n.id));
  const roots = [...g.grads.values()];
  const order = topoSort(roots).filter((n) => !forward.has(n.id));
  const uses = new Map<number, number>();
  for (const n of [...order.flatMap((n) => n.inputs), ...roots]) uses.set(n.id, (uses.get(n.id) ?? 0) + 1);
  const adjointOf = new Map<number, number>();
  for (const [fwd, adj] of g.adjoints) if (!adjointOf.has(adj.id)) adjointOf.set(adj.id, fwd);

  const backward = order.filter((n) => (uses.get(n.id) ?? 0) > 1 && !trivial(n) && !model.names.has(n.id));
  const names = new Map<number, string>();
  const signals = backward.filter((n) => adjointOf.has(n.id));
  let t = 0;
  for (const n of backward) {
    const fwd = adjointOf.get(n.id);
    const fwdName = fwd === undefined ? undefined : model.names.get(fwd);
    names.set(n.id, fwd !== undefined ? (signals.length === 1 ? 'δ' : `δ_${fwdName ?? ++t}`) : `t${++t}`);
  }
  // Forward values the user did not name but the derivative would print more
  // than once (batchnorm's mean and variance): a name and a line of their own.
  const repeated = repeatedForward(model, forward, [...backward, ...roots], names);
  for (const n of repeated) names.set(n.id, `t${++t}`);
  // Numbered in the order they are printed: the forward values first.
  let k = 0;
  for (const n of [...repeated, ...backward]) {
    const m = /^(t|δ_)\d+$/u.exec(names.get(n.id)!);
    if (m) names.set(n.id, `${m[1]}${++k}`);
  }
  return { shared: [...repeated, ...backward], forwardShared: repeated, names, adjointOf };
}

/** Unnamed forward nodes that printing `roots` (stopping at named nodes) would spell out twice or more, biggest first. */
function repeatedForward(model: Model, forward: Set<number>, roots: Node[], names: Map<number, string>): Node[] {
  const named = (n: Node) => names.has(n.id) || model.names.has(n.id);
  const candidates = topoSort(roots)
    .filter((n) => forward.has(n.id) && !named(n) && n.inputs.length > 0 && !trivial(n) && n.op !== 'mask' && n.op !== 'neg')
    .reverse();
  const chosen: Node[] = [];
  const taken = new Set<number>();
  const count = () => {
    const c = new Map<number, number>();
    let budget = 200_000; // printing repeats subtrees; so does this count, within a bound
    const visit = (n: Node, top: boolean) => {
      if (budget-- <= 0 || (!top && (named(n) || taken.has(n.id)))) return;
      c.set(n.id, (c.get(n.id) ?? 0) + 1);
      for (const x of n.inputs) visit(x, false);
    };
    for (const r of [...roots, ...chosen]) visit(r, true);
    return c;
  };
  for (const n of candidates) {
    if ((count().get(n.id) ?? 0) < 2 || printExpr(n, (m) => (named(m) || taken.has(m.id) ? '_' : undefined)).length < 12) continue;
    taken.add(n.id);
    chosen.push(n);
  }
  // Printed in computation order: a name is defined before it is used.
  const at = new Map(topoSort(roots).map((n, k) => [n.id, k]));
  return chosen.sort((a, b) => at.get(a.id)! - at.get(b.id)!);
}

/**
 * The derivative of the loss as equations: shared error signals named δ (one
 * line each, computed once), then ∂loss/∂θ for every param and wrt input.
 */
export function derivativeLines(model: Model, mode: 'train' | 'eval' = 'train'): DerivativeLine[] {
  const g = mode === 'train' ? model.train : model.eval;
  const loss = model.loss.name;
  const { shared, forwardShared, names, adjointOf } = derivativeNames(model, mode);
  const namer: Namer = (n) => names.get(n.id) ?? model.names.get(n.id);
  const lines: DerivativeLine[] = [];
  for (const n of shared) {
    if (forwardShared.includes(n)) continue; // printed with the forward equations (forwardLines)
    const fwd = adjointOf.get(n.id);
    const of = fwd === undefined ? undefined : model.names.get(fwd) ?? `(${printExpr(findNode(g, fwd)!, namer)})`;
    const isForward = fwd === undefined && forwardIds(g).has(n.id);
    lines.push({
      lhs: names.get(n.id)!,
      rhs: printExpr(n, namer),
      comment: `${isForward ? 'a forward value, ' : of && of.length < 32 ? `∂${loss}/∂${of}, ` : ''}shape ${shapeText(n)}`,
    });
  }
  for (const [name, node] of g.grads) {
    lines.push({ lhs: `∂${loss}/∂${name}`, rhs: namer(node) ?? printExpr(node, namer), comment: `shape ${shapeText(node)}` });
  }
  return lines;
}

const forwardCache = new WeakMap<object, Set<number>>();
/** The ids of a graph's forward nodes (what the loss and outputs need). */
function forwardIds(g: Model['train']): Set<number> {
  let s = forwardCache.get(g);
  if (!s) forwardCache.set(g, (s = new Set(topoSort([g.loss, ...g.outputs.values()]).map((n) => n.id))));
  return s;
}

/** A node of the mode's own graph (eval mode has nodes train mode lacks, and back). */
function findNode(g: Model['train'], id: number): Node | undefined {
  return topoSort([g.loss, ...g.grads.values()]).find((n) => n.id === id);
}

/** The forward equations as the model computes them (named nodes only). */
export function forwardLines(model: Model, mode: 'train' | 'eval' = 'train'): DerivativeLine[] {
  const g = mode === 'train' ? model.train : model.eval;
  // The values the derivative shares get their names here, where they are computed.
  const { forwardShared, names } = derivativeNames(model, mode);
  const shared = new Set(forwardShared.map((n) => n.id));
  const namer: Namer = (n) => model.names.get(n.id) ?? (shared.has(n.id) ? names.get(n.id) : undefined);
  return topoSort([g.loss, ...g.outputs.values()])
    .filter((n) => model.names.has(n.id) || shared.has(n.id))
    .map((n) => ({ lhs: namer(n)!, rhs: printExpr(n, (m) => (m === n ? undefined : namer(m))), comment: `${shared.has(n.id) ? `part of ${model.origins.get(n.id)?.rule ?? 'the model'}, ` : ''}shape ${shapeText(n)}` }));
}

/** Equations longer than this are wrapped before a top-level operator. */
const WRAP = 90;

export function formatLines(lines: DerivativeLine[]): string {
  const wrapped = lines.map((l) => wrapEquation(l.lhs, l.rhs));
  const width = Math.max(0, ...wrapped.map((w) => w[0]!.length));
  return lines
    .map((l, k) => {
      const [first, ...rest] = wrapped[k]!;
      return [l.comment ? `${first!.padEnd(width)}   # ${l.comment}` : first!, ...rest].join('\n');
    })
    .join('\n');
}

/** `lhs = rhs` as lines of at most WRAP characters where it can: breaks go before a + − ⊙ * / outside brackets. */
function wrapEquation(lhs: string, rhs: string): string[] {
  const head = `${lhs} = `;
  if (head.length + rhs.length <= WRAP) return [head + rhs];
  const chars = [...rhs];
  // Break before the loosest operators there are: + and − if any, else ⊙ * /.
  const at = (ops: string) => {
    const found: number[] = [];
    let depth = 0;
    chars.forEach((c, i) => {
      if ('([‖'.includes(c) && !(c === '‖' && depth > 0)) depth++;
      else if (')]'.includes(c) || (c === '‖' && depth > 0)) depth--;
      if (depth === 0 && c === ' ' && i + 2 < chars.length && ops.includes(chars[i + 1]!) && chars[i + 2] === ' ') found.push(i);
    });
    return found;
  };
  const additive = at('+-');
  const breaks = additive.length ? additive : at('⊙*/');
  const indent = ' '.repeat([...head].length);
  const out: string[] = [];
  let start = 0;
  let lineStart = head;
  for (let b = 0; b < breaks.length; b++) {
    const next = breaks[b + 1] ?? chars.length;
    if ([...lineStart].length + (next - start) > WRAP && breaks[b]! > start) {
      // Break at the last break point that still fits (or this one, if none does).
      out.push(lineStart + chars.slice(start, breaks[b]).join(''));
      start = breaks[b]! + 1;
      lineStart = indent;
    }
  }
  out.push(lineStart + chars.slice(start).join(''));
  return out;
}
