// Finding where a NaN or an infinity first appears: the reference interpreter
// evaluates the graph in order and stops at the first node whose value is not
// finite while its inputs are.
import { formatDiagnostic, type Loc } from '../grammar/diagnostics.js';
import { interpret } from '../compiler/interpret.js';
import { topoSort, type Node } from '../compiler/ir/node.js';
import { tensor, type Tensor } from '../compiler/ir/tensor.js';
import type { Graph, Model } from '../compiler/model.js';
import { printExpr } from '../compiler/print.js';

export interface NonFinite {
  /** The math of the node, e.g. `log(z)`. */
  expr: string;
  /** The equation it belongs to, when one can be named. */
  equation?: string;
  loc?: Loc;
  /** 'NaN', 'Infinity' or '-Infinity', and the flat index of the first such element. */
  value: string;
  index: number;
  /** Whether it is in the backward pass. */
  backward: boolean;
}

export function findNonFinite(model: Model, graph: Graph, values: Record<string, Float64Array>, dims: Record<string, number>, seed = 0, step = 0): NonFinite | undefined {
  const leaves: Record<string, Tensor> = {};
  const all = [...model.params, ...model.inputs];
  for (const t of all) {
    const v = Object.hasOwn(values, t.name) ? values[t.name] : undefined;
    if (v) leaves[t.name] = tensor(t.shape[0].eval(dims), t.shape[1].eval(dims), v);
  }
  for (const s of model.states) leaves[s.name] = tensor(s.shape[0].eval(dims), s.shape[1].eval(dims), new Array(s.shape[0].eval(dims) * s.shape[1].eval(dims)).fill(s.init));
  const roots = [graph.loss, ...graph.outputs.values(), ...graph.grads.values()];
  let computed: Map<number, Tensor>;
  try {
    computed = interpret(roots, { values: leaves, dims, seed, step });
  } catch {
    return undefined;
  }
  const forward = new Set(topoSort([graph.loss, ...graph.outputs.values()]).map((n) => n.id));
  const order = topoSort(roots);
  const bad = (n: Node) => computed.get(n.id)!.data.findIndex((x) => !Number.isFinite(x));
  for (const n of order) {
    const k = bad(n);
    if (k < 0 || n.inputs.some((i) => bad(i) >= 0)) continue;
    const v = computed.get(n.id)!.data[k]!;
    // Name the equation: this node's, or the first named node that uses it.
    let named: Node | undefined = model.names.has(n.id) ? n : undefined;
    if (!named) named = order.find((m) => model.names.has(m.id) && topoSort([m]).some((x) => x.id === n.id));
    return {
      expr: printExpr(n, (m) => (m === n ? undefined : model.names.get(m.id))),
      equation: named ? model.names.get(named.id) : undefined,
      // A backward node has no equation of its own: its origin is the .nn line (and rule) it came from.
      loc: (named ? model.places.get(named.id) : undefined) ?? model.origins.get(n.id)?.loc,
      value: String(v),
      index: k,
      backward: !forward.has(n.id),
    };
  }
  return undefined;
}

/** The message, as every other error: file:line:col, the source line and a caret (when the place is known). */
export function describeNonFinite(f: NonFinite, file: string, source?: string, prefix = ''): string {
  const eq = f.equation ? ` (in the equation for '${f.equation}')` : '';
  const message = `${prefix}${f.value} first appears in the ${f.backward ? 'backward' : 'forward'} pass at ${f.expr}${eq}, element ${f.index}`;
  return placed(file, source, f.loc, message);
}

/** `file:line:col: error: message` with the source line and a caret, or `file: error: message` without a place. */
export function placed(file: string, source: string | undefined, loc: Loc | undefined, message: string): string {
  if (!loc) return `${file}: error: ${message}`;
  if (source === undefined) return `${file}:${loc.line}:${loc.col}: error: ${message}`;
  return formatDiagnostic(file, source, { severity: 'error', loc, message });
}
