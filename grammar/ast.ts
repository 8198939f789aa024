// The syntax tree of a .nn file, as the parser produces it. It records what the
// user wrote, with places; meaning (names, shapes, the graph) comes later, in
// compiler/. See ../shared/spec/language.md.
import type { Loc } from './diagnostics.js';

export type BinaryOp = '+' | '-' | '*' | '/' | '^' | '<' | '<=' | '>' | '>=' | '==' | '!=';

/**
 * Every expression has `loc`, the place an error about it points at (the
 * operator of a binary expression, the name of a call), and `start`, its first
 * character.
 */
export type Expr =
  | { kind: 'num'; value: number; loc: Loc; start: Loc }
  | { kind: 'name'; name: string; loc: Loc; start: Loc }
  /** `⊙` is recorded as '*'. */
  | { kind: 'binary'; op: BinaryOp; left: Expr; right: Expr; loc: Loc; start: Loc }
  /**
   * A matrix product: `@`, `·`, or juxtaposition (`W x`, explicit = false).
   * For juxtaposition `loc` is the first blank between the operands.
   */
  | { kind: 'matmul'; left: Expr; right: Expr; explicit: boolean; loc: Loc; start: Loc }
  | { kind: 'neg'; operand: Expr; loc: Loc; start: Loc }
  /** `ᵀ`, `^T` or `'`; `loc` is the mark. */
  | { kind: 'transpose'; operand: Expr; loc: Loc; start: Loc }
  /**
   * `f(a, b, k = 1)` written with no blank before `(`. Whether `f` is a function
   * is decided later: `W(x)` where W is a tensor is a product.
   */
  | { kind: 'call'; callee: string; args: Expr[]; kwargs: KeywordArg[]; loc: Loc; start: Loc }
  /** `‖e‖`, `||e||`; `loc` is the opening bar. */
  | { kind: 'norm'; operand: Expr; loc: Loc; start: Loc }
  /** `E[:, i]`: the columns of `target` picked by an integer expression; `loc` is `[`. */
  | { kind: 'index'; target: Expr; columns: Expr; loc: Loc; start: Loc };

export interface KeywordArg {
  name: string;
  nameLoc: Loc;
  value: Expr;
}

export interface Ident {
  name: string;
  loc: Loc;
}

/** A literal value in a declaration: a (constant) expression, or a nested list of them. */
export type ValueLit = Expr | { kind: 'list'; items: ValueLit[]; loc: Loc; start: Loc };

export type Stmt =
  /** `dim d = 50, n = 8`, `dim N` (no value: bound at run time). */
  | { kind: 'dim'; items: { name: Ident; value?: Expr }[]; loc: Loc }
  /**
   * `input x : [d, N]`, `input y : [N] int`, `param W : [n, d] ~ xavier`,
   * `param x, y, z`, `param W : [2, 2] = [[...]]`. `shape` is undefined when no
   * `:` was written (a scalar); `[]` is an empty list. `init` is the
   * initializer after `~` (a name or a call, e.g. `normal(0.1)`, `const(0.5)`).
   */
  | {
      kind: 'input' | 'param';
      names: Ident[];
      shape?: Expr[];
      isInt: boolean;
      init?: Expr;
      value?: ValueLit;
      loc: Loc;
    }
  /** `const λ = 1e-4` (several allowed: `const a = 1, b = 2`). */
  | { kind: 'const'; items: { name: Ident; value: Expr }[]; loc: Loc }
  /** `wrt x, y` */
  | { kind: 'wrt'; names: Ident[]; loc: Loc }
  /** `def f(z) = 1 / (1 + exp(-z))` */
  | { kind: 'def'; name: Ident; params: Ident[]; body: Expr; loc: Loc }
  /** `loss J = expr` (binds J) or `loss s` (name is undefined, expr is the name s). */
  | { kind: 'loss'; name?: Ident; expr: Expr; loc: Loc }
  /** `output p = expr` (binds p) or `output p` (expr undefined: p is bound elsewhere). */
  | { kind: 'output'; name: Ident; expr?: Expr; loc: Loc }
  /** `optimizer adam(lr = 1e-3)` / `schedule warmup(steps = 100)`: `spec` is a name or a call. */
  | { kind: 'optimizer' | 'schedule'; spec: Expr; loc: Loc }
  /** `name = expr` */
  | { kind: 'equation'; name: Ident; expr: Expr; loc: Loc };

export interface Program {
  statements: Stmt[];
}
