// Forward mode, built from the op table's VJPs: the lectures' "one pass per
// input dimension". A node's VJP is linear in its cotangent g, so its JVP is
// the transpose of that linear map: for input x with tangent ẋ,
//   JVP(ẋ) = ∂/∂g ⟨VJP_x(g), ẋ⟩,
// one small reverse-mode call on the node's own rule (g a fresh leaf). The
// tangents then flow forward through the graph, as in forward-mode AD.
import { gradients } from '../autodiff.js';
import type { Builder } from '../ir/builder.js';
import { topoSort, type Node } from '../ir/node.js';
import { OPS } from '../ops/index.js';

export const tangentName = (leaf: string) => `@t.${leaf}`;

/**
 * The tangent of every node reachable from `root` along directions given to
 * `leaves` (one `input` leaf per leaf, named by `tangentName`). Nodes that do
 * not depend on the leaves have no entry (their tangent is zero).
 */
export function tangents(b: Builder, root: Node, leaves: readonly Node[]): Map<number, Node> {
  const tangent = new Map<number, Node>();
  for (const l of leaves) tangent.set(l.id, b.input(tangentName((l.attrs as { name: string }).name), l.shape));
  for (const n of topoSort([root])) {
    if (!n.inputs.length || tangent.has(n.id)) continue;
    const parts: Node[] = [];
    n.inputs.forEach((x, i) => {
      const tx = tangent.get(x.id);
      if (!tx || x.int) return;
      const g = b.input(`@g.${n.id}`, n.shape);
      const ct = OPS[n.op].vjp(b, n as never, g, n.inputs.map((_, j) => j === i))[i];
      if (!ct) return;
      const pairing = b.sum(b.mul(b.fit(ct, x.shape), tx));
      const jv = gradients(b, pairing, [g]).get(g)!;
      if (!b.isConst(jv, 0)) parts.push(jv);
    });
    if (parts.length) tangent.set(n.id, parts.reduce((a, c) => b.add(a, c)));
  }
  return tangent;
}
