// Expressions inside a loop, shared by the JS and WGSL emitters: how a node is
// read at element (i, j) of the loop's iteration space (broadcasting size-1
// axes), and how an elementwise op is spelled. Each target supplies a Spelling.
import type { ElementwiseOp, Node, OpAttrs } from '../compiler/ir/node.js';
import { isScalarShape, shapeEquals, type Shape, type Size } from '../compiler/ir/size.js';
import type { Plan } from './plan.js';

export interface Spelling {
  /** An elementwise op applied to argument expressions. */
  op: { [O in ElementwiseOp]: (args: string[]) => string };
  /** A number literal. */
  num(v: number): string;
  /** A size (run-time dims by their variable names). */
  size(s: Size): string;
  /** A size used as a number (the `size` op), where that differs from an index; defaults to size(). */
  sizeValue?(s: Size): string;
  /** Reads element `index` of the array named `name`. */
  load(name: string, index: string): string;
  /** An integer read (labels, indices) as an index expression. */
  loadInt(name: string, index: string): string;
  /** `cond ? a : b` with a number-valued cond. */
  select(cond: string, a: string, b: string): string;
  /** Integer equality as a 0/1 number: used by one-hot. */
  isEqual(a: string, b: string): string;
}

/** Where the loop is: row and column index variables, or one flat index over the whole shape. */
export interface Index {
  i: string;
  j: string;
  /** Set when every array read has the iteration shape: read element `flat` directly. */
  flat?: string;
  shape: Shape;
}

export interface ExprContext {
  plan: Plan;
  spell: Spelling;
  /** The variable holding a node's value (array, scalar local, or view). */
  name(n: Node): string;
  /** Element offset of a view (row slices); '0' for others. */
  offset(n: Node): string;
}

/** The flat index of element (i, j) of a value of `shape`, read from a loop over `at`. */
export function elementIndex(cx: ExprContext, shape: Shape, at: Index, offset = '0'): string {
  const [r, c] = shape;
  let idx: string;
  if (at.flat !== undefined && r.equals(at.shape[0]) && c.equals(at.shape[1])) idx = at.flat;
  else {
    const row = r.isOne() ? '' : c.isOne() ? at.i : `${at.i} * ${cx.spell.size(c)}`;
    const col = c.isOne() ? '' : at.j;
    idx = row && col ? `${row} + ${col}` : row || col || '0';
  }
  return offset === '0' ? idx : `${offset} + ${idx}`;
}

/** The value of node `n` at element (i, j) of the loop. */
export function valueAt(cx: ExprContext, n: Node, at: Index): string {
  const storage = cx.plan.storage.get(n.id)!;
  const spell = cx.spell;
  if (storage === 'scalar') return cx.name(n);
  if (storage !== 'inline') {
    if (isScalarShape(n.shape)) return spell.load(cx.name(n), cx.offset(n));
    return spell.load(cx.name(n), elementIndex(cx, n.shape, at, cx.offset(n)));
  }
  // Inline: computed here, from its inputs read at the same place.
  const a = n.attrs as Record<string, unknown>;
  switch (n.op) {
    case 'const':
      return spell.num(a.value as number);
    case 'size':
      return (spell.sizeValue ?? spell.size)(a.size as Size);
    case 'broadcast': {
      // Reading a broadcast at (i, j) is reading its input at the broadcast index.
      const x = n.inputs[0]!;
      return valueAt(cx, x, { i: x.shape[0].isOne() ? '0' : at.i, j: x.shape[1].isOne() ? '0' : at.j, shape: at.shape });
    }
    case 'onehot': {
      // onehot(y)[i, j] = 1 when y_j = i.
      const y = n.inputs[0]!;
      const j = isScalarShape(y.shape) ? '0' : at.j;
      const offset = cx.offset(y);
      const label = spell.loadInt(cx.name(y), offset === '0' ? j : `${offset} + ${j}`);
      return spell.isEqual(label, at.i);
    }
    default: {
      const args = n.inputs.map((x) => valueAt(cx, x, at));
      return spell.op[n.op as ElementwiseOp](args);
    }
  }
}

export type { OpAttrs };

/** Whether a loop over `shape` can use one flat index for every read of `n`. */
export function flatOK(cx: ExprContext, n: Node, shape: Shape): boolean {
  const s = cx.plan.storage.get(n.id)!;
  if (s === 'scalar' || isScalarShape(n.shape)) return true;
  if (s !== 'inline') return shapeEquals(n.shape, shape);
  if (n.op === 'onehot') return false;
  if (n.op === 'broadcast') return flatOK(cx, n.inputs[0]!, shape) && isScalarShape(n.inputs[0]!.shape);
  return n.inputs.every((x) => flatOK(cx, x, shape));
}
