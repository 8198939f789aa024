// How deep a model's expressions nest once equations and defs are substituted:
// the passes that follow (lowering, differentiation, printing, the
// interpreter, the emitters) walk the graph recursively, so a model deeper
// than MAX_DEPTH is refused here, at the statement that goes too deep, with
// the limit, instead of overflowing the stack somewhere later. Everything
// here is iterative, so any depth can be measured.
import type { Expr, Program, Stmt } from '../../grammar/ast.js';
import type { Loc } from '../../grammar/diagnostics.js';

/**
 * The deepest nesting gradc compiles. A second derivative (hessian) nests
 * about three times deeper than the model, and each level costs a few stack
 * frames in each recursive pass; test/hostile/limits.test.ts runs every
 * command at this depth.
 */
export const MAX_DEPTH = 800;

export interface TooDeep {
  loc: Loc;
  depth: number;
}

type Named = { expr: Expr; loc: Loc; params?: Set<string> };

/** The first statement (in dependency order) whose expression nests deeper than MAX_DEPTH. */
export function tooDeep(program: Program, limit = MAX_DEPTH): TooDeep | undefined {
  const byName = new Map<string, Named>();
  for (const s of program.statements) {
    const n = named(s);
    if (n && !byName.has(n[0])) byName.set(n[0], n[1]);
  }
  const depth = new Map<string, number>();
  // Kahn's order over the names: a statement is measured once everything it uses is.
  const deps = new Map([...byName].map(([k, v]) => [k, uses(v.expr, byName, v.params)]));
  const waiting = new Map([...deps].map(([k, d]) => [k, d.size]));
  const users = new Map<string, string[]>();
  for (const [k, d] of deps) for (const u of d) users.set(u, [...(users.get(u) ?? []), k]);
  const ready = [...waiting].filter(([, n]) => n === 0).map(([k]) => k);
  while (ready.length) {
    const k = ready.pop()!;
    const n = byName.get(k)!;
    const d = exprDepth(n.expr, (name) => (n.params?.has(name) ? 0 : depth.get(name) ?? 0));
    if (d > limit) return { loc: n.loc, depth: d };
    depth.set(k, d);
    for (const u of users.get(k) ?? []) {
      const left = waiting.get(u)! - 1;
      waiting.set(u, left);
      if (left === 0) ready.push(u);
    }
  }
  // Statements that bind no name (a bare `loss s`) and those in cycles (reported elsewhere).
  for (const s of program.statements) {
    const e = s.kind === 'loss' && !s.name ? s.expr : undefined;
    if (!e) continue;
    const d = exprDepth(e, (name) => depth.get(name) ?? 0);
    if (d > limit) return { loc: s.loc, depth: d };
  }
  return undefined;
}

function named(s: Stmt): [string, Named] | undefined {
  if (s.kind === 'equation') return [s.name.name, { expr: s.expr, loc: s.name.loc }];
  if (s.kind === 'loss' && s.name) return [s.name.name, { expr: s.expr, loc: s.name.loc }];
  if (s.kind === 'output' && s.expr) return [s.name.name, { expr: s.expr, loc: s.name.loc }];
  if (s.kind === 'def') return [s.name.name, { expr: s.body, loc: s.name.loc, params: new Set(s.params.map((p) => p.name)) }];
  return undefined;
}

/** The sub-expressions of an expression. */
function children(e: Expr): Expr[] {
  switch (e.kind) {
    case 'num':
    case 'name':
      return [];
    case 'binary':
    case 'matmul':
      return [e.left, e.right];
    case 'neg':
    case 'transpose':
    case 'norm':
      return [e.operand];
    case 'call':
      return [...e.args, ...e.kwargs.map((k) => k.value)];
    case 'index':
      return [e.target, e.columns];
  }
}

/** The names (of other statements) an expression refers to. */
function uses(e: Expr, byName: Map<string, Named>, params?: Set<string>): Set<string> {
  const out = new Set<string>();
  const stack = [e];
  while (stack.length) {
    const x = stack.pop()!;
    const ref = x.kind === 'name' ? x.name : x.kind === 'call' ? x.callee : undefined;
    if (ref !== undefined && byName.has(ref) && !params?.has(ref)) out.add(ref);
    stack.push(...children(x));
  }
  return out;
}

/** The nesting depth of `e`, where a name weighs `weight(name)` and a call to a def adds the def's depth. */
function exprDepth(e: Expr, weight: (name: string) => number): number {
  const depth = new Map<Expr, number>();
  const stack: [Expr, boolean][] = [[e, false]];
  while (stack.length) {
    const [x, done] = stack.pop()!;
    const kids = children(x);
    if (!done) {
      stack.push([x, true]);
      for (const k of kids) stack.push([k, false]);
      continue;
    }
    const below = Math.max(0, ...kids.map((k) => depth.get(k)!));
    // A named equation stands for its graph; a def's body replaces the call, its arguments at the leaves.
    const own = x.kind === 'name' ? weight(x.name) : x.kind === 'call' ? weight(x.callee) : 0;
    depth.set(x, own > 0 ? own + below : 1 + below);
  }
  return depth.get(e)!;
}
