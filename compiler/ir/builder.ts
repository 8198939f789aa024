// Builds IR nodes. Every node goes through `make`, which first tries the
// rewrite rules of its op (rules.ts) and otherwise interns it: a node with the
// same op, attributes, inputs and shape is returned instead of a new one. So
// simplification runs to a fixed point as the graph is built (a rule's result
// is itself built through `make`), and CSE needs no pass of its own.
import { isElementwise, type Axis, type Node, type Op, type OpAttrs } from './node.js';
import { broadcastShapes, numel, ONE, SCALAR, Size, shapeEquals, shapeKey, type Shape } from './size.js';
import { inferShape } from '../ops/shapes.js';
import type { Loc } from '../../grammar/diagnostics.js';
import { rewrite } from './rules.js';

/** Where a node came from: the source place and the rule that made it (for tracing emitted code). */
export interface Origin {
  loc: Loc;
  /** `the equation for h`, `∂ relu`, `a sum at a branch`, … */
  rule: string;
}

export class Builder {
  private readonly table = new Map<string, Node>();
  private nextId = 0;
  /** The origin given to nodes created from now on (set by the front end and the differentiator). */
  origin: Origin | undefined;
  /** The origin of every node created while one was set. */
  readonly origins = new Map<number, Origin>();

  /** Runs `f` with `origin` as the current origin. */
  within<T>(origin: Origin | undefined, f: () => T): T {
    const saved = this.origin;
    this.origin = origin;
    try {
      return f();
    } finally {
      this.origin = saved;
    }
  }
  /** When false, `make` only interns (used to show the unsimplified derivative). */
  simplify = true;

  make<O extends Op>(op: O, inputs: readonly Node[], attrs: OpAttrs[O], shape?: Shape): Node {
    const s = shape ?? inferShape(op, inputs, attrs);
    if (this.simplify) {
      const r = rewrite(this, op, inputs, attrs, s);
      // A rule that changes the shape changes the value (a broadcast dropped is a sum
      // over the wrong axes later): fail here, where the rule is known, not in a gradient.
      if (r && !shapeEquals(r.shape, s)) {
        throw new Error(`internal: a rewrite of ${op} ${shapeKey(s)} gave ${r.op} ${shapeKey(r.shape)}`);
      }
      if (r) return r;
    }
    return this.intern(op, inputs, attrs, s);
  }

  /** Interns without rewriting. */
  intern<O extends Op>(op: O, inputs: readonly Node[], attrs: OpAttrs[O], shape: Shape): Node {
    const int = op === 'input' && (attrs as OpAttrs['input']).int;
    const key = `${op}${attrKey(attrs)}(${inputs.map((n) => n.id).join(',')})${shapeKey(shape)}`;
    let n = this.table.get(key);
    if (!n) {
      n = { id: this.nextId++, op, inputs, attrs, shape, int, key };
      this.table.set(key, n);
      if (this.origin) this.origins.set(n.id, this.origin);
    }
    return n;
  }

  // Leaves
  param(name: string, shape: Shape): Node {
    return this.intern('param', [], { name }, shape);
  }
  input(name: string, shape: Shape, int = false): Node {
    return this.intern('input', [], { name, int }, shape);
  }
  state(name: string, shape: Shape): Node {
    return this.intern('state', [], { name }, shape);
  }
  const(value: number, shape: Shape = SCALAR): Node {
    return this.intern('const', [], { value: value === 0 ? 0 : value }, shape); // no -0 keys
  }
  size(size: Size): Node {
    const c = size.constant;
    return c !== undefined ? this.const(c) : this.intern('size', [], { size }, SCALAR);
  }
  zeros(shape: Shape): Node {
    return this.const(0, shape);
  }

  // Elementwise
  neg = (a: Node) => this.make('neg', [a], {});
  exp = (a: Node) => this.make('exp', [a], {});
  log = (a: Node) => this.make('log', [a], {});
  sqrt = (a: Node) => this.make('sqrt', [a], {});
  add = (a: Node, b: Node) => this.make('add', [a, b], {});
  sub = (a: Node, b: Node) => this.make('sub', [a, b], {});
  mul = (a: Node, b: Node) => this.make('mul', [a, b], {});
  div = (a: Node, b: Node) => this.make('div', [a, b], {});
  pow = (a: Node, b: Node) => this.make('pow', [a, b], {});
  where = (c: Node, a: Node, b: Node) => this.make('where', [c, a, b], {});
  unary = (op: Op, a: Node) => this.make(op, [a], {} as never);
  binary = (op: Op, a: Node, b: Node) => this.make(op, [a, b], {} as never);
  scale = (k: number, a: Node) => this.mul(this.const(k), a);

  // Layout and reductions
  reshape(a: Node, shape: Shape): Node {
    return this.make('reshape', [a], {}, shape);
  }
  broadcast(a: Node, shape: Shape): Node {
    return this.make('broadcast', [a], {}, shape);
  }
  transpose(a: Node): Node {
    // A vector's transpose moves no data.
    if (a.shape[0].isOne() || a.shape[1].isOne()) return this.reshape(a, [a.shape[1], a.shape[0]]);
    return this.make('transpose', [a], {});
  }
  matmul(a: Node, b: Node, ta = false, tb = false): Node {
    return this.make('matmul', [a, b], { ta, tb });
  }
  sum(a: Node, axis: Axis = 'all'): Node {
    return this.make('sum', [a], { axis });
  }
  mean(a: Node, axis: Axis = 'all'): Node {
    const count = axis === 'all' ? numel(a.shape) : a.shape[axis];
    return this.div(this.sum(a, axis), this.size(count));
  }

  /**
   * Makes a cotangent fit the shape of the value it belongs to: sums over the
   * axes it was broadcast along, or broadcasts a smaller one.
   */
  fit(g: Node, shape: Shape): Node {
    let out = g;
    if (!out.shape[0].equals(shape[0]) && shape[0].isOne()) out = this.sum(out, 0);
    if (!out.shape[1].equals(shape[1]) && shape[1].isOne()) out = this.sum(out, 1);
    if (!out.shape[0].equals(shape[0]) || !out.shape[1].equals(shape[1])) {
      if (!broadcastShapes(out.shape, shape)) {
        throw new Error(`internal: cotangent ${shapeKey(g.shape)} does not fit ${shapeKey(shape)}`);
      }
      out = this.broadcast(out, shape);
    }
    return out;
  }

  isConst(n: Node, value?: number): boolean {
    return n.op === 'const' && (value === undefined || (n.attrs as OpAttrs['const']).value === value);
  }
}

export function isElementwiseNode(n: Node): boolean {
  return isElementwise(n.op);
}

function attrKey(attrs: object): string {
  const entries = Object.entries(attrs);
  if (!entries.length) return '';
  return `{${entries.map(([k, v]) => `${k}=${v instanceof Size ? v.key : String(v)}`).join(',')}}`;
}

export { ONE };
