// Symbolic reverse mode as a graph-to-graph transformation: from the loss node,
// walk the graph in reverse topological order, asking each op's VJP rule for
// the cotangents of its inputs and building them as IR. The driver alone
//   - sums the contributions where a value branches,
//   - fits each cotangent to its input's shape (reducing broadcasts),
//   - drops zero cotangents, and
//   - visits only nodes on a path from a wanted leaf to the loss.
import type { Builder } from './ir/builder.js';
import { topoSort, type Node } from './ir/node.js';
import { OPS } from './ops/index.js';

/**
 * The gradient of `loss` (a scalar node) with respect to each node in `wrt`.
 * `adjoints`, when given, receives the cotangent of every node visited (for
 * printing the derivation: the adjoint of z is ∂loss/∂z).
 */
export function gradients(b: Builder, loss: Node, wrt: readonly Node[], adjoints?: Map<number, Node>): Map<Node, Node> {
  const order = topoSort([loss]);
  // A node needs a cotangent when it depends on a wanted leaf.
  const wanted = new Set(wrt.map((n) => n.id));
  const needs = new Set<number>();
  for (const n of order) {
    if (n.int) continue;
    if (wanted.has(n.id) || n.inputs.some((i) => needs.has(i.id))) needs.add(n.id);
  }

  const contributions = new Map<number, Node[]>();
  const push = (n: Node, g: Node) => {
    if (b.isConst(g, 0)) return;
    const list = contributions.get(n.id);
    if (list) list.push(g);
    else contributions.set(n.id, [g]);
  };
  push(loss, b.const(1, loss.shape));

  const result = new Map<Node, Node>();
  for (let k = order.length - 1; k >= 0; k--) {
    const n = order[k]!;
    if (!needs.has(n.id)) continue;
    const parts = contributions.get(n.id);
    const at = b.origins.get(n.id)?.loc;
    // Sum at branches, in the order the contributions arrived.
    const g = parts && b.within(at && { loc: at, rule: 'the sum of gradients at a branch' }, () => parts.reduce((acc, x) => b.add(acc, x)));
    if (g && adjoints) adjoints.set(n.id, g);
    if (wanted.has(n.id)) result.set(n, g ?? b.zeros(n.shape));
    if (!g || n.inputs.length === 0) continue;
    const wants = n.inputs.map((i) => needs.has(i.id));
    b.within(at && { loc: at, rule: `the backward rule of ${n.op}` }, () => {
      const cts = OPS[n.op].vjp(b, n as never, g, wants);
      n.inputs.forEach((input, i) => {
        const ct = cts[i];
        if (wants[i] && ct) push(input, b.fit(ct, input.shape));
      });
    });
  }
  for (const w of wrt) if (!result.has(w)) result.set(w, b.zeros(w.shape));
  return result;
}
