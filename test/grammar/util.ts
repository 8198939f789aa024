// Helpers for the grammar tests. `sexpr` prints AST expressions as S-expressions,
// so that a test asserts a whole tree in one readable string: `W x + b` → `(+ (mm W x) b)`.
//   binary (op l r) · juxtaposition (mm l r) · `@`/`·` (@ l r) · (neg e) · (T e)
//   (norm e) · (index E i) · (call f a b :k v) · lists [a b]
import { Diagnostics, locAt, type Diagnostic, type Loc } from '../../grammar/diagnostics.js';
import type { Expr, Program, Stmt, ValueLit } from '../../grammar/ast.js';
import { parse } from '../../grammar/index.js';

export function sexpr(e: Expr | ValueLit): string {
  switch (e.kind) {
    case 'num':
      return String(e.value);
    case 'name':
      return e.name;
    case 'binary':
      return `(${e.op} ${sexpr(e.left)} ${sexpr(e.right)})`;
    case 'matmul':
      return `(${e.explicit ? '@' : 'mm'} ${sexpr(e.left)} ${sexpr(e.right)})`;
    case 'neg':
      return `(neg ${sexpr(e.operand)})`;
    case 'transpose':
      return `(T ${sexpr(e.operand)})`;
    case 'norm':
      return `(norm ${sexpr(e.operand)})`;
    case 'index':
      return `(index ${sexpr(e.target)} ${sexpr(e.columns)})`;
    case 'call': {
      const parts = [e.callee, ...e.args.map(sexpr), ...e.kwargs.flatMap((k) => [`:${k.name}`, sexpr(k.value)])];
      return `(call ${parts.join(' ')})`;
    }
    case 'list':
      return `[${e.items.map(sexpr).join(' ')}]`;
  }
}

/** Parses `source`, returning the program and the diagnostics. */
export function parseAll(source: string): { program: Program; diagnostics: Diagnostic[] } {
  const diags = new Diagnostics();
  const program = parse(source, diags);
  return { program, diagnostics: diags.list };
}

/** The statements of `source`, failing the test on any diagnostic. */
export function statements(source: string): Stmt[] {
  const { program, diagnostics } = parseAll(source);
  if (diagnostics.length > 0) throw new Error(`unexpected diagnostics:\n${diagnostics.map(show).join('\n')}`);
  return program.statements;
}

/** The right side of `e = <source>`. */
export function expr(source: string): Expr {
  const [stmt] = statements(`e = ${source}`);
  if (stmt?.kind !== 'equation') throw new Error(`not an equation: ${source}`);
  return stmt.expr;
}

/** `e = <source>` as an S-expression. */
export function tree(source: string): string {
  return sexpr(expr(source));
}

/** Diagnostics as `line:col message`. */
export function errors(source: string): string[] {
  return parseAll(source).diagnostics.map(show);
}

export function show(d: Diagnostic): string {
  return `${d.loc.line}:${d.loc.col} ${d.message}`;
}

/** `line:col` of a place. */
export function lc(loc: Loc): string {
  return `${loc.line}:${loc.col}`;
}

/** Why `loc` is not a proper place in `source` (undefined when it is): in range, and where locAt puts it. */
export function badLoc(source: string, loc: Loc): string | undefined {
  if (!(loc.offset >= 0 && loc.offset <= source.length)) return `offset ${loc.offset} outside 0..${source.length}`;
  if (!(loc.line >= 1 && loc.col >= 1)) return `line ${loc.line} col ${loc.col} below 1`;
  const ref = locAt(source, loc.offset);
  if (ref.line !== loc.line || ref.col !== loc.col) return `${lc(loc)} but locAt says ${lc(ref)} for offset ${loc.offset}`;
  return undefined;
}

/** Every `loc`, `start` and `nameLoc` in an AST value. */
export function allLocs(value: unknown, out: Loc[] = []): Loc[] {
  if (Array.isArray(value)) {
    for (const v of value) allLocs(v, out);
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'loc' || k === 'start' || k === 'nameLoc') out.push(v as Loc);
      else allLocs(v, out);
    }
  }
  return out;
}
