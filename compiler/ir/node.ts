// The IR: immutable nodes, every value a matrix (see size.ts). Nodes are
// interned by structure in a Builder, so two equal expressions are one node and
// common subexpressions are shared by construction. Leaves carry a name, so
// two distinct params or inputs are never merged.
import type { Shape, Size } from './size.js';

export type Axis = 0 | 1 | 'all';

/** Elementwise ops, by arity: each list is the one place an op of its kind is named (OpAttrs takes them from here). */
export const UNARY = [
  'neg', 'exp', 'log', 'sqrt', 'abs', 'sign', 'sin', 'cos', 'tanh', 'sigmoid', 'relu', 'softplus', 'erf', 'gelu',
] as const;
export const BINARY = ['add', 'sub', 'mul', 'div', 'pow', 'max', 'min'] as const;
export const COMPARE = ['lt', 'le', 'gt', 'ge', 'eq', 'ne'] as const;
export type UnaryOp = (typeof UNARY)[number];
export type BinaryOp = (typeof BINARY)[number];
export type CompareOp = (typeof COMPARE)[number];
/** Ops computed one element at a time, with broadcasting. */
export type ElementwiseOp = UnaryOp | BinaryOp | CompareOp | 'where';
/** Unary ops the language calls by their own name: `exp(x)`, `relu(x)` (all but negation). */
export type FunctionOp = Exclude<UnaryOp, 'neg'>;
export const FUNCTIONS = UNARY.filter((op): op is FunctionOp => op !== 'neg');

/** Every primitive and its attributes. Adding an op (here, or to a list above) makes tsc list every table that still lacks it. */
export type OpAttrs = { [O in UnaryOp | BinaryOp | CompareOp]: {} } & LeafAndStructuralAttrs;

/** The ops with attributes, and those not elementwise. */
interface LeafAndStructuralAttrs {
  // Leaves
  param: { name: string };
  input: { name: string; int: boolean };
  /** Non-trained state, e.g. batchnorm's running statistics. */
  state: { name: string };
  /** A tensor filled with one value (a scalar when the shape is [1, 1]). */
  const: { value: number };
  /** A scalar holding a size known only at run time, e.g. the batch size N. */
  size: { size: Size };
  /** Inverted-dropout mask: 0 with probability p, else 1/(1-p); `id` tells two dropouts apart. */
  mask: { p: number; id: number };

  // Elementwise, unary, binary (broadcasting) and comparisons: from UNARY, BINARY, COMPARE above.
  /** where(c, a, b): a where c != 0, else b. */
  where: {};

  // Layout
  /** Matrix transpose (a vector's transpose is a reshape). */
  transpose: {};
  /** Same elements in the same order, another shape (column ↔ row vector). */
  reshape: {};
  /** The input repeated along its size-1 axes up to the node's shape. */
  broadcast: {};

  /** Matrix product, with either operand read transposed in place. */
  matmul: { ta: boolean; tb: boolean };

  // Reductions: axis 0 reduces the rows ([r, c] → [1, c]), axis 1 the columns, 'all' both.
  sum: { axis: Axis };
  rmax: { axis: Axis };
  /** log Σ exp, computed with the max subtracted. */
  logsumexp: { axis: Axis };

  // Integer-indexed
  /** One-hot of integer labels y [N] (any orientation): [classes, N]. */
  onehot: { classes: Size };
  /** pick(p [C, N], y [N]) = p[y_j, j] for every column j: [1, N]. */
  pick: {};
  /** gathercols(E [d, V], ids [K]) = the columns of E at ids: [d, K]. */
  gathercols: {};
  /** scattercols(g [d, K], ids [K]): [d, cols], adding column k of g into column ids[k]. */
  scattercols: { cols: Size };

  /** Stacks its inputs (same column count) along the rows. */
  concat: {};
  /** Rows start … start + rows(shape) - 1 of the input. */
  slice: { start: Size };
}

export type Op = keyof OpAttrs;

export interface Node<O extends Op = Op> {
  readonly id: number;
  readonly op: O;
  readonly inputs: readonly Node[];
  readonly attrs: Readonly<OpAttrs[O]>;
  readonly shape: Shape;
  /** Holds integers (int inputs); never differentiated. */
  readonly int: boolean;
  /** Structural key: op, attributes, input ids and shape. */
  readonly key: string;
}

export function is<O extends Op>(n: Node, op: O): n is Node<O> {
  return n.op === op;
}

const ELEMENTWISE = new Set<string>([...UNARY, ...BINARY, ...COMPARE, 'where']);
export function isElementwise(op: Op): op is ElementwiseOp {
  return ELEMENTWISE.has(op);
}

export const LEAVES = ['param', 'input', 'state', 'const', 'size', 'mask'] as const;
const LEAF = new Set<string>(LEAVES);
export function isLeaf(op: Op): boolean {
  return LEAF.has(op);
}

/** Nodes reachable from `roots`, inputs before users. */
export function topoSort(roots: readonly Node[]): Node[] {
  const seen = new Set<number>();
  const out: Node[] = [];
  const stack: [Node, number][] = roots.map((r) => [r, 0]);
  stack.reverse();
  while (stack.length) {
    const top = stack[stack.length - 1]!;
    const [n, i] = top;
    if (seen.has(n.id)) {
      stack.pop();
      continue;
    }
    if (i < n.inputs.length) {
      top[1]++;
      const c = n.inputs[i]!;
      if (!seen.has(c.id)) stack.push([c, 0]);
    } else {
      stack.pop();
      seen.add(n.id);
      out.push(n);
    }
  }
  return out;
}
