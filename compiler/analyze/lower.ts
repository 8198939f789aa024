// Pass 2 of semantic analysis: expressions to IR, checking types as it goes.
// Each error is reported at its token, and the failing subexpression becomes
// null so that one mistake is reported once, not at every use.
import type { Expr } from '../../grammar/ast.js';
import type { Diagnostics, Loc } from '../../grammar/diagnostics.js';
import type { Builder } from '../ir/builder.js';
import type { Node } from '../ir/node.js';
import { Size } from '../ir/size.js';
import type { InputInfo, ParamInfo, StateInfo, TensorType } from '../model.js';
import { BUILTINS } from './builtins.js';
import { lookalikeHint } from './confusable.js';
import type { Scope } from './scope.js';
import { broadcastTypes, formatType, matmulType, SCALAR_T, transposed } from './types.js';

export interface Value {
  node: Node;
  type: TensorType;
}

export type Mode = 'train' | 'eval';

/** What lowering shares across the whole model (both modes). */
export interface Shared {
  scope: Scope;
  diags: Diagnostics;
  b: Builder;
  params: Map<string, ParamInfo>;
  inputs: Map<string, InputInfo>;
  states: Map<string, StateInfo>;
  /** Names and source places of lowered nodes, for printing and tracing. */
  names: Map<number, string>;
  places: Map<number, Loc>;
  /** The first expression of the file that produced each node (lint points there). */
  exprPlaces: Map<number, Loc>;
  /** Equations in a cycle: not lowered (the cycle was reported). */
  cyclic: Set<string>;
}

const ARITH = { '+': 'add', '-': 'sub', '*': 'mul', '/': 'div', '^': 'pow' } as const;
const COMPARE = { '<': 'lt', '<=': 'le', '>': 'gt', '>=': 'ge', '==': 'eq', '!=': 'ne' } as const;

export class Lowerer {
  private readonly equations = new Map<string, Value | null>();
  private readonly visiting = new Set<string>();
  /** Counters that name dropout masks and batchnorm state in the same order in both modes. */
  dropouts = 0;
  batchnorms = 0;
  /** State updates made by this mode's lowering (training-mode batchnorm). */
  readonly updates = new Map<string, Node>();

  constructor(
    readonly shared: Shared,
    readonly mode: Mode,
  ) {}

  get b(): Builder {
    return this.shared.b;
  }

  error(loc: Loc, message: string): null {
    this.shared.diags.error(loc, message);
    return null;
  }

  /** The value of a bound name (equations are lowered on first use). */
  equation(name: string): Value | null {
    if (this.equations.has(name)) return this.equations.get(name)!;
    const bnd = this.shared.scope.get(name);
    if (bnd?.kind !== 'equation' || this.shared.cyclic.has(name) || this.visiting.has(name)) return null;
    this.visiting.add(name);
    const v = this.b.within({ loc: bnd.loc, rule: `the equation for ${name}` }, () => this.expr(bnd.expr, new Map()));
    this.visiting.delete(name);
    if (v) {
      // The first equation to produce a node names it (leaves keep their own names).
      if (!this.shared.names.has(v.node.id) && v.node.inputs.length > 0) this.shared.names.set(v.node.id, name);
      if (!this.shared.places.has(v.node.id)) this.shared.places.set(v.node.id, bnd.loc);
    }
    this.equations.set(name, v);
    return v;
  }

  /** Lowers an expression; `env` holds the arguments of the def being inlined. Records where each node first came from. */
  expr(e: Expr, env: ReadonlyMap<string, Value>, defOrder = Infinity): Value | null {
    const v = this.lower(e, env, defOrder);
    if (v && e.kind !== 'name' && e.kind !== 'num' && !this.shared.exprPlaces.has(v.node.id)) {
      this.shared.exprPlaces.set(v.node.id, e.kind === 'binary' || e.kind === 'call' || e.kind === 'norm' ? e.loc : e.start);
    }
    return v;
  }

  private lower(e: Expr, env: ReadonlyMap<string, Value>, defOrder: number): Value | null {
    const b = this.b;
    switch (e.kind) {
      case 'num':
        return { node: b.const(e.value), type: SCALAR_T };
      case 'name':
        return this.name(e.name, e.loc, env, defOrder);
      case 'neg': {
        const x = this.expr(e.operand, env, defOrder);
        return x && { node: b.neg(x.node), type: x.type };
      }
      case 'transpose': {
        const x = this.expr(e.operand, env, defOrder);
        return x && { node: b.transpose(x.node), type: transposed(x.type) };
      }
      case 'binary': {
        const x = this.expr(e.left, env, defOrder);
        const y = this.expr(e.right, env, defOrder);
        if (!x || !y) return null;
        const op = e.op in ARITH ? ARITH[e.op as keyof typeof ARITH] : COMPARE[e.op as keyof typeof COMPARE];
        return this.elementwise(op, [x, y], e.loc, `'${e.op}'`);
      }
      case 'matmul': {
        const x = this.expr(e.left, env, defOrder);
        const y = this.expr(e.right, env, defOrder);
        return x && y && this.matmul(x, y, e.loc);
      }
      case 'norm': {
        const x = this.expr(e.operand, env, defOrder);
        return x && { node: b.sqrt(b.sum(b.pow(x.node, b.const(2)))), type: SCALAR_T };
      }
      case 'index':
        return this.index(e, env, defOrder);
      case 'call':
        return this.call(e, env, defOrder);
    }
  }

  /** Combines values elementwise with broadcasting, or reports both shapes. */
  elementwise(op: string, args: Value[], loc: Loc, what: string): Value | null {
    let type: TensorType | undefined = args[0]!.type;
    for (const a of args.slice(1)) type = type && broadcastTypes(type, a.type);
    if (!type) {
      const shapes = args.map((a) => formatType(a.type)).join(' and ');
      const hint = args.some((a) => a.type.row) && args.some((a) => a.type.dims.length === 1 && !a.type.row)
        ? ' (a row meets a column: transpose one of them)' : '';
      return this.error(loc, `shape mismatch: ${what} cannot combine ${shapes}${hint}`);
    }
    return { node: this.b.make(op as never, args.map((a) => a.node), {} as never), type };
  }

  matmul(x: Value, y: Value, loc: Loc): Value | null {
    const t = matmulType(x.type, y.type);
    if (typeof t === 'string') {
      return this.error(loc, `shape mismatch in matrix product: ${formatType(x.type)} times ${formatType(y.type)}: ${t}`);
    }
    const scalar = x.type.dims.length === 0 || y.type.dims.length === 0;
    return { node: scalar ? this.b.mul(x.node, y.node) : this.b.matmul(x.node, y.node), type: t };
  }

  private name(name: string, loc: Loc, env: ReadonlyMap<string, Value>, defOrder: number): Value | null {
    const arg = env.get(name);
    if (arg) return arg;
    const bnd = this.shared.scope.get(name);
    const b = this.b;
    if (!bnd) {
      if (this.shared.scope.lostNames.has(name)) return null; // declared, perhaps, where a syntax error was
      if (Object.hasOwn(BUILTINS, name)) return this.error(loc, `'${name}' is a function: call it as ${name}(…)`);
      const hint = lookalikeHint(name, this.shared.scope.bindings.keys());
      return this.error(loc, `'${name}' is not defined: it is never bound${hint ? `; ${hint}` : ''}`);
    }
    switch (bnd.kind) {
      case 'dim':
        return { node: b.size(this.dimSize(bnd.name, bnd.value)), type: SCALAR_T };
      case 'const':
        return Number.isNaN(bnd.value) ? null : { node: b.const(bnd.value), type: SCALAR_T };
      case 'param': {
        const p = this.shared.params.get(name);
        return p ? { node: b.param(name, p.shape), type: p.type } : null;
      }
      case 'input': {
        const i = this.shared.inputs.get(name);
        return i ? { node: b.input(name, i.shape, i.int), type: i.type } : null;
      }
      case 'def':
        return this.error(loc, `'${name}' is a function: call it as ${name}(…)`);
      case 'equation':
        if (defOrder !== Infinity) {
          return this.error(loc, `a def body may use its arguments, dims, consts, params and inputs, not the equation '${name}'`);
        }
        if (this.visiting.has(name)) return null; // a cycle, reported once elsewhere
        return this.equation(name);
    }
  }

  dimSize(name: string, value: number | undefined): Size {
    return value !== undefined ? Size.of(value) : Size.dim(name);
  }

  private call(e: Extract<Expr, { kind: 'call' }>, env: ReadonlyMap<string, Value>, defOrder: number): Value | null {
    const bnd = env.has(e.callee) ? undefined : this.shared.scope.get(e.callee);
    if (bnd?.kind === 'def') {
      if (bnd.order >= defOrder) {
        return this.error(e.loc, `'${e.callee}' is defined after this def (or is this def): a def may call only defs written before it`);
      }
      if (e.kwargs.length) return this.error(e.kwargs[0]!.nameLoc, `'${e.callee}' takes no keyword arguments`);
      if (e.args.length !== bnd.params.length) {
        return this.error(e.loc, `'${e.callee}' takes ${bnd.params.length} argument${bnd.params.length === 1 ? '' : 's'}, got ${e.args.length}`);
      }
      const args = e.args.map((a) => this.expr(a, env, defOrder));
      if (args.some((a) => !a)) return null;
      const inner = new Map(bnd.params.map((p, i) => [p.name, args[i]!]));
      return this.expr(bnd.body, inner, bnd.order);
    }
    if (bnd || env.has(e.callee)) {
      // `W(x)` where W is a tensor: a product written without a blank.
      if (e.args.length === 1 && !e.kwargs.length) {
        const w = this.name(e.callee, e.loc, env, defOrder);
        const x = this.expr(e.args[0]!, env, defOrder);
        return w && x && this.matmul(w, x, e.loc);
      }
      return this.error(e.loc, `'${e.callee}' is not a function`);
    }
    if (!Object.hasOwn(BUILTINS, e.callee)) return this.error(e.loc, `'${e.callee}' is not defined: no such function`);
    return BUILTINS[e.callee]!(this, e, env, defOrder);
  }

  private index(e: Extract<Expr, { kind: 'index' }>, env: ReadonlyMap<string, Value>, defOrder: number): Value | null {
    const m = this.expr(e.target, env, defOrder);
    const ids = this.expr(e.columns, env, defOrder);
    if (!m || !ids) return null;
    if (m.type.dims.length !== 2) return this.error(e.loc, `E[:, i] picks columns of a matrix; this is ${formatType(m.type)}`);
    if (!ids.node.int || ids.type.dims.length > 1) {
      return this.error(e.columns.start, 'a column index must be an integer input (a scalar or a vector: input i : int)');
    }
    this.bound(ids.node, m.type.dims[1]!);
    const picked = this.b.make('gathercols', [m.node, ids.node], {});
    if (ids.type.dims.length === 0) return { node: this.b.reshape(picked, [m.node.shape[0], picked.shape[1]]), type: { dims: [m.type.dims[0]!] } };
    return { node: picked, type: { dims: [m.type.dims[0]!, ids.type.dims[0]!] } };
  }

  /** Records that an integer input indexes something of `size`: values must be below it. */
  bound(node: Node, size: Size): void {
    if (node.op !== 'input') return;
    const info = this.shared.inputs.get((node.attrs as { name: string }).name);
    if (info && (!info.bound || (size.constant ?? Infinity) < (info.bound.constant ?? Infinity))) info.bound = size;
  }

  /** Registers batchnorm state (same names in both modes). */
  state(name: string, info: Omit<StateInfo, 'name'>): Node {
    if (!this.shared.states.has(name)) this.shared.states.set(name, { name, ...info });
    return this.b.state(name, info.shape);
  }
}
