// Cycles among equations (`a = b + 1; b = a * 2`): found as strongly connected
// components, each reported once at its first equation in file order.
import type { Expr } from '../../grammar/ast.js';
import type { Scope } from './scope.js';

/** Every name an expression mentions (call names included: `W(x)` may be a product). */
export function namesIn(e: Expr, out: Set<string> = new Set()): Set<string> {
  switch (e.kind) {
    case 'num':
      break;
    case 'name':
      out.add(e.name);
      break;
    case 'binary':
    case 'matmul':
      namesIn(e.left, out);
      namesIn(e.right, out);
      break;
    case 'neg':
    case 'transpose':
    case 'norm':
      namesIn(e.operand, out);
      break;
    case 'index':
      namesIn(e.target, out);
      namesIn(e.columns, out);
      break;
    case 'call':
      out.add(e.callee);
      e.args.forEach((a) => namesIn(a, out));
      e.kwargs.forEach((k) => namesIn(k.value, out));
      break;
  }
  return out;
}

/** Reports each cycle; returns the names of every equation in one. */
export function findCycles(scope: Scope): Set<string> {
  const eqs = [...scope.bindings.values()].filter((b) => b.kind === 'equation');
  const deps = new Map(eqs.map((e) => [e.name, [...namesIn(e.expr)].filter((n) => scope.get(n)?.kind === 'equation')]));
  // Tarjan's algorithm, iterative over an explicit stack.
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const cyclic = new Set<string>();
  const visit = (root: string) => {
    const work: [string, number][] = [[root, 0]];
    index.set(root, counter);
    low.set(root, counter++);
    stack.push(root);
    onStack.add(root);
    while (work.length) {
      const top = work[work.length - 1]!;
      const [v, i] = top;
      const ds = deps.get(v)!;
      if (i < ds.length) {
        top[1]++;
        const w = ds[i]!;
        if (!index.has(w)) {
          index.set(w, counter);
          low.set(w, counter++);
          stack.push(w);
          onStack.add(w);
          work.push([w, 0]);
        } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
        continue;
      }
      work.pop();
      if (work.length) {
        const parent = work[work.length - 1]![0];
        low.set(parent, Math.min(low.get(parent)!, low.get(v)!));
      }
      if (low.get(v) === index.get(v)) {
        const comp: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          comp.push(w);
        } while (w !== v);
        if (comp.length > 1 || deps.get(v)!.includes(v)) report(comp);
      }
    }
  };
  const report = (comp: string[]) => {
    const members = comp.map((n) => scope.get(n)!).sort((a, b) => a.loc.offset - b.loc.offset);
    for (const m of members) cyclic.add(m.name);
    const names = members.map((m) => `'${m.name}'`).join(', ');
    scope.diags.error(members[0]!.loc, members.length === 1
      ? `'${members[0]!.name}' is defined in terms of itself (a cycle: a circular definition)`
      : `cycle: the equations ${names} depend on each other (a circular definition)`);
  };
  for (const e of eqs) if (!index.has(e.name)) visit(e.name);
  return cyclic;
}
