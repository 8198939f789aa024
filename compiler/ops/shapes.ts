// Shape rules of the primitives. The front end has already checked the user's
// shapes against the language's rules (rows vs columns and all); a failure here
// is a compiler bug, so it throws.
import { isElementwise, type ElementwiseOp, type Node, type Op, type OpAttrs } from '../ir/node.js';
import { broadcastShapes, ONE, SCALAR, shapeKey, type Shape, type Size } from '../ir/size.js';

type ShapeRule<O extends Op> = (inputs: readonly Node[], attrs: OpAttrs[O]) => Shape;

function given(op: string): never {
  throw new Error(`internal: ${op} needs an explicit shape`);
}

function reduce(inputs: readonly Node[], attrs: { axis: 0 | 1 | 'all' }): Shape {
  const [r, c] = inputs[0]!.shape;
  return attrs.axis === 'all' ? SCALAR : attrs.axis === 0 ? [ONE, c] : [r, ONE];
}

const RULES: { [O in Exclude<Op, ElementwiseLike>]: ShapeRule<O> } = {
  param: () => given('param'),
  input: () => given('input'),
  state: () => given('state'),
  const: () => given('const'),
  size: () => SCALAR,
  mask: () => given('mask'),
  reshape: () => given('reshape'),
  broadcast: () => given('broadcast'),
  transpose: ([a]) => [a!.shape[1], a!.shape[0]],
  matmul: ([a, b], { ta, tb }) => {
    const [m, k1] = ta ? [a!.shape[1], a!.shape[0]] : a!.shape;
    const [k2, n] = tb ? [b!.shape[1], b!.shape[0]] : b!.shape;
    if (!k1.equals(k2)) throw new Error(`internal: matmul ${shapeKey(a!.shape)} × ${shapeKey(b!.shape)}`);
    return [m, n];
  },
  sum: reduce,
  rmax: reduce,
  logsumexp: reduce,
  onehot: ([y], { classes }) => [classes, length(y!)],
  pick: ([p]) => [ONE, p!.shape[1]],
  gathercols: ([e, ids]) => [e!.shape[0], length(ids!)],
  scattercols: ([g], { cols }) => [g!.shape[0], cols],
  concat: (inputs) => [inputs.map((n) => n.shape[0]).reduce((a, b) => a.add(b)), inputs[0]!.shape[1]],
  slice: () => given('slice'),
};

type ElementwiseLike = ElementwiseOp;

/** The length of a vector of either orientation. */
function length(v: Node): Size {
  return v.shape[0].isOne() ? v.shape[1] : v.shape[0];
}

export function inferShape<O extends Op>(op: O, inputs: readonly Node[], attrs: OpAttrs[O]): Shape {
  if (isElementwise(op)) {
    let s: Shape | undefined = inputs[0]!.shape;
    for (const n of inputs.slice(1)) s = s && broadcastShapes(s, n.shape);
    if (!s) throw new Error(`internal: ${op} of ${inputs.map((n) => shapeKey(n.shape)).join(', ')}`);
    return s;
  }
  return (RULES[op as Exclude<Op, ElementwiseLike>] as ShapeRule<O>)(inputs, attrs);
}
