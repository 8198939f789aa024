// Pass 1 of semantic analysis: every name the file binds, with duplicate and
// reserved-name checks, and the compile-time evaluation of constants and sizes.
import type { Expr, Ident, Program, Stmt } from '../../grammar/ast.js';
import type { Diagnostics, Loc } from '../../grammar/diagnostics.js';
import { Size } from '../ir/size.js';
import { SCALAR as SCALAR_FN } from '../ops/scalar.js';
import { BUILTINS } from './builtins.js';

export type Binding =
  | { kind: 'dim'; name: string; value?: number; loc: Loc }
  | { kind: 'const'; name: string; value: number; loc: Loc }
  | { kind: 'param' | 'input'; name: string; stmt: Extract<Stmt, { kind: 'param' | 'input' }>; loc: Loc }
  | { kind: 'def'; name: string; params: Ident[]; body: Expr; order: number; loc: Loc }
  | { kind: 'equation'; name: string; expr: Expr; order: number; loc: Loc };

/** The largest size of one axis: a typed array holds at most 2^31 - 1 elements in every engine gradc targets. */
const MAX_DIM = 2 ** 31 - 1;

export class Scope {
  readonly bindings = new Map<string, Binding>();

  constructor(
    readonly diags: Diagnostics,
    /** --dim overrides: name → value. */
    readonly dimOverrides: Readonly<Record<string, number>> = {},
    /** Names possibly declared by statements that did not parse: their uses are not errors. */
    readonly lostNames: ReadonlySet<string> = new Set(),
  ) {}

  /** Binds a name once; reports the second binding. Returns false when refused. */
  bind(b: Binding): boolean {
    if (Object.hasOwn(BUILTINS, b.name)) {
      this.diags.error(b.loc, `'${b.name}' is a built-in function and cannot be bound`);
      return false;
    }
    const prev = this.bindings.get(b.name);
    if (prev) {
      this.diags.error(b.loc, `'${b.name}' is already defined (at ${prev.loc.line}:${prev.loc.col}): a name is bound only once, so this is a duplicate binding`);
      return false;
    }
    this.bindings.set(b.name, b);
    return true;
  }

  get(name: string): Binding | undefined {
    return this.bindings.get(name);
  }

  /**
   * A compile-time number: literals, consts, dims with a value, arithmetic and
   * the elementwise math functions. Reports and returns undefined otherwise.
   */
  constant(e: Expr, what: string): number | undefined {
    switch (e.kind) {
      case 'num':
        return e.value;
      case 'name': {
        const b = this.bindings.get(e.name);
        if (b?.kind === 'const') return b.value;
        if (b?.kind === 'dim' && b.value !== undefined) return b.value;
        this.diags.error(e.loc, b ? `${what} must be a constant; '${e.name}' is not` : `'${e.name}' is not defined`);
        return undefined;
      }
      case 'neg': {
        const v = this.constant(e.operand, what);
        return v === undefined ? undefined : -v;
      }
      case 'binary': {
        const ops = { '+': 'add', '-': 'sub', '*': 'mul', '/': 'div', '^': 'pow' } as const;
        const op = ops[e.op as keyof typeof ops];
        const a = this.constant(e.left, what);
        const c = this.constant(e.right, what);
        if (a === undefined || c === undefined) return undefined;
        if (!op) break;
        return SCALAR_FN[op](a, c);
      }
      case 'matmul': {
        const a = this.constant(e.left, what);
        const c = this.constant(e.right, what);
        return a === undefined || c === undefined ? undefined : a * c;
      }
      case 'call': {
        const fn = SCALAR_FN[e.callee as keyof typeof SCALAR_FN];
        if (fn && e.args.length === 1 && !e.kwargs.length && !this.bindings.has(e.callee)) {
          const a = this.constant(e.args[0]!, what);
          return a === undefined ? undefined : fn(a);
        }
        break;
      }
    }
    this.diags.error(e.loc, `${what} must be a constant number`);
    return undefined;
  }

  /** A size in a shape: positive integers, dims, and sums and products of them. */
  size(e: Expr): Size | undefined {
    switch (e.kind) {
      case 'num':
        if (Number.isInteger(e.value) && e.value > 0) return Size.of(e.value);
        this.diags.error(e.loc, `a size must be a positive integer, not ${e.value}`);
        return undefined;
      case 'name': {
        const b = this.bindings.get(e.name);
        if (b?.kind === 'dim') return b.value !== undefined ? Size.of(b.value) : Size.dim(b.name);
        if (b?.kind === 'const' && Number.isInteger(b.value) && b.value > 0) return Size.of(b.value);
        this.diags.error(e.loc, b ? `'${e.name}' is not a dim; sizes are made of dims and integers` : `'${e.name}' is not defined (declare it with 'dim ${e.name}')`);
        return undefined;
      }
      case 'binary':
      case 'matmul': {
        const a = this.size(e.left);
        const c = this.size(e.right);
        if (!a || !c) return undefined;
        if (e.kind === 'matmul' || e.op === '*') return a.mul(c);
        if (e.op === '+') return a.add(c);
        if (e.op === '-') {
          const d = a.add(c.mul(Size.of(-1)));
          if (d.constant === undefined || d.constant > 0) return d;
        }
        break;
      }
    }
    this.diags.error(e.loc, 'a size is a positive integer, a dim, or a sum or product of them');
    return undefined;
  }
}

/** Collects the bindings of a program. `order` is the statement index. */
export function collect(program: Program, scope: Scope): void {
  program.statements.forEach((s, order) => {
    switch (s.kind) {
      case 'dim':
        for (const it of s.items) {
          const override = Object.hasOwn(scope.dimOverrides, it.name.name) ? scope.dimOverrides[it.name.name] : undefined;
          let value: number | undefined = override ?? (it.value ? scope.constant(it.value, 'a dim value') : undefined);
          if (value !== undefined && !(Number.isInteger(value) && value > 0)) {
            scope.diags.error(it.value ? it.value.loc : it.name.loc, `dim '${it.name.name}' must be a positive integer, not ${value}`);
            value = undefined;
          } else if (value !== undefined && value > MAX_DIM) {
            scope.diags.error(it.value ? it.value.loc : it.name.loc, `dim '${it.name.name}' = ${value} is too large: a size is at most ${MAX_DIM} (2^31 - 1, the longest typed array)`);
            value = undefined;
          }
          scope.bind({ kind: 'dim', name: it.name.name, value, loc: it.name.loc });
        }
        break;
      case 'const':
        for (const it of s.items) {
          const value = scope.constant(it.value, 'a const');
          scope.bind({ kind: 'const', name: it.name.name, value: value ?? NaN, loc: it.name.loc });
        }
        break;
      case 'param':
      case 'input':
        for (const n of s.names) scope.bind({ kind: s.kind, name: n.name, stmt: s, loc: n.loc });
        break;
      case 'def':
        scope.bind({ kind: 'def', name: s.name.name, params: s.params, body: s.body, order, loc: s.name.loc });
        break;
      case 'equation':
        scope.bind({ kind: 'equation', name: s.name.name, expr: s.expr, order, loc: s.name.loc });
        break;
      case 'loss':
        if (s.name) scope.bind({ kind: 'equation', name: s.name.name, expr: s.expr, order, loc: s.name.loc });
        break;
      case 'output':
        if (s.expr) scope.bind({ kind: 'equation', name: s.name.name, expr: s.expr, order, loc: s.name.loc });
        break;
      case 'wrt':
      case 'optimizer':
      case 'schedule':
        break;
    }
  });
}
