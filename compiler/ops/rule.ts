// What every primitive must define, next to its shape rule (shapes.ts).
import type { Builder } from '../ir/builder.js';
import type { Node, Op } from '../ir/node.js';
import type { Tensor } from '../ir/tensor.js';

/** What the reference interpreter provides to an op while evaluating. */
export interface EvalContext {
  /** The value of a leaf (param, input, state). */
  leaf(node: Node): Tensor;
  /** The value of a run-time size. */
  dims: Readonly<Record<string, number>>;
  /** The dropout mask with this id, of this shape and drop probability. */
  mask(id: number, p: number, rows: number, cols: number): Tensor;
}

export interface OpRule<O extends Op> {
  /** What the op does to the gradient, in the words of the lectures (`gradc explain` prints it). */
  note: string;
  /** Reference semantics in float64: the living definition of the op. */
  eval(inputs: readonly Tensor[], node: Node<O>, ctx: EvalContext): Tensor;
  /**
   * The vector-Jacobian product: given the cotangent `g` of the node's value,
   * the cotangent of each input, or null where none flows (integer and
   * non-differentiable inputs, or inputs nobody wants: `wants[i]` is false).
   * A result may have a broadcast shape; the differentiator fits it.
   */
  vjp(b: Builder, node: Node<O>, g: Node, wants: readonly boolean[]): (Node | null)[];
}

export type OpTable = { [O in Op]: OpRule<O> };
