// Second order, symbolically: the backward graph is itself IR, so reverse mode
// can run on it again. With a direction v_θ (a new leaf per param),
//   s = Σ_θ sum(∂L/∂θ ⊙ v_θ)   and   ∂s/∂θ = (H v)_θ,
// a Hessian-vector product that costs a small multiple of one gradient. The
// full Hessian is H·e_k for every basis vector e_k, evaluated in float64 by
// the op table's reference semantics (only the nodes that depend on v are
// evaluated again for each k).
import { gradients } from '../autodiff.js';
import { interpret } from '../interpret.js';
import { dropoutMask } from '../random.js';
import { topoSort, type Node } from '../ir/node.js';
import { tensor, type Tensor } from '../ir/tensor.js';
import type { Graph, InputInfo, Model, ParamInfo } from '../model.js';
import { OPS, type EvalContext } from '../ops/index.js';

export interface HvpGraph {
  params: ParamInfo[];
  /** The direction: one `input` leaf per param, named `@v.NAME` (a name no model can use). */
  v: InputInfo[];
  /** (H v)_θ for each param, by name. */
  hv: Map<string, Node>;
  graph: Graph;
}

export const directionName = (param: string) => `@v.${param}`;

/** The Hessian-vector product as IR: the gradient of ⟨∇L, v⟩. */
export function hvpGraph(model: Model, mode: 'train' | 'eval' = 'train'): HvpGraph {
  const b = model.builder;
  const g = model[mode];
  const leaves = model.params.map((p) => b.param(p.name, p.shape));
  const v: InputInfo[] = model.params.map((p) => ({ name: directionName(p.name), type: p.type, shape: p.shape, loc: p.loc, int: false, used: true }));
  let s: Node = b.const(0);
  model.params.forEach((p, k) => {
    s = b.add(s, b.sum(b.mul(g.grads.get(p.name)!, b.input(v[k]!.name, p.shape))));
  });
  const second = gradients(b, s, leaves);
  const hv = new Map(model.params.map((p, k) => [p.name, second.get(leaves[k]!)!]));
  return { params: model.params, v, hv, graph: { loss: g.loss, outputs: new Map(), grads: hv, updates: new Map(), adjoints: new Map() } };
}

export interface HessianOptions {
  values: Readonly<Record<string, Tensor>>;
  dims: Readonly<Record<string, number>>;
  seed?: number;
  mode?: 'train' | 'eval';
  /** Compute only these columns (H·e_k); the others are left NaN. Default: all. */
  columns?: number[];
}

export interface Hessian {
  /** Param names, one per row: `W[0,1]` for an element of a tensor. */
  params: string[];
  loss: number;
  /** The gradient at the point, flattened like the rows. */
  gradient: number[];
  /** Symmetric (the average of H and Hᵀ); `asymmetry` is how far the computed H was from it. */
  hessian: number[][];
  asymmetry: number;
}

/** Elements of a param, in row-major order, as the rows of the Hessian name them. */
function elementNames(p: ParamInfo, dims: Readonly<Record<string, number>>): string[] {
  const r = p.shape[0].eval(dims);
  const c = p.shape[1].eval(dims);
  if (p.type.dims.length === 0) return [p.name];
  if (p.type.dims.length === 1) return Array.from({ length: r * c }, (_, k) => `${p.name}[${k}]`);
  return Array.from({ length: r * c }, (_, k) => `${p.name}[${Math.floor(k / c)},${k % c}]`);
}

/** The number of scalars in all params at these dims. */
export function paramCount(model: Model, dims: Readonly<Record<string, number>>): number {
  return model.params.reduce((n, p) => n + p.shape[0].mul(p.shape[1]).eval(dims), 0);
}

/** The full Hessian over every param (flattened in declaration order). */
export function hessian(model: Model, opts: HessianOptions): Hessian {
  const h = hvpGraph(model, opts.mode);
  const g = model[opts.mode ?? 'train'];
  const { dims } = opts;
  const names = model.params.flatMap((p) => elementNames(p, dims));
  const n = names.length;
  const sizes = model.params.map((p) => [p.shape[0].eval(dims), p.shape[1].eval(dims)] as const);
  const hvRoots = [...h.hv.values()];
  const gradRoots = model.params.map((p) => g.grads.get(p.name)!);

  // Everything that does not depend on v is evaluated once.
  const order = topoSort([g.loss, ...gradRoots, ...hvRoots]);
  const vNames = new Set(h.v.map((x) => x.name));
  const onV = new Set<number>();
  for (const x of order) {
    if ((x.op === 'input' && vNames.has((x.attrs as { name: string }).name)) || x.inputs.some((i) => onV.has(i.id))) onV.add(x.id);
  }
  const fixedRoots = order.filter((x) => !onV.has(x.id));
  const base = interpret(fixedRoots, { values: opts.values, dims, seed: opts.seed });
  const varying = order.filter((x) => onV.has(x.id));

  const columns: number[][] = Array.from({ length: n }, () => new Array<number>(n).fill(NaN));
  for (const k of opts.columns ?? columns.keys()) {
    // v = e_k, split into one tensor per param.
    const direction: Record<string, Tensor> = {};
    let offset = 0;
    model.params.forEach((p, j) => {
      const [r, c] = sizes[j]!;
      const t = tensor(r, c);
      if (k >= offset && k < offset + r * c) t.data[k - offset] = 1;
      direction[directionName(p.name)] = t;
      offset += r * c;
    });
    const ctx: EvalContext = {
      dims,
      leaf: (x) => direction[(x.attrs as { name: string }).name]!,
      mask: (id, p, r, c) => tensor(r, c, dropoutMask(opts.seed ?? 0, id, 0, p, r * c)),
    };
    const vals = new Map(base);
    for (const x of varying) vals.set(x.id, OPS[x.op].eval(x.inputs.map((i) => vals.get(i.id)!), x as never, ctx));
    columns[k] = hvRoots.flatMap((r) => [...(vals.get(r.id) ?? base.get(r.id)!).data]);
  }
  // Symmetrized where both H·e_i and H·e_j were computed.
  const H = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => {
    const [a, c] = [columns[j]![i]!, columns[i]![j]!];
    return Number.isNaN(c) ? a : Number.isNaN(a) ? NaN : (a + c) / 2;
  }));
  let asymmetry = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
    const d = Math.abs(columns[j]![i]! - columns[i]![j]!);
    if (!Number.isNaN(d)) asymmetry = Math.max(asymmetry, d);
  }
  return {
    params: names,
    loss: base.get(g.loss.id)!.data[0]!,
    gradient: gradRoots.flatMap((r) => [...base.get(r.id)!.data]),
    hessian: H,
    asymmetry,
  };
}

export type Critical = 'minimum' | 'maximum' | 'saddle' | 'none';

export interface Classification {
  critical: Critical;
  /** A critical point with a zero eigenvalue: the second-order test cannot decide. */
  degenerate: boolean;
  gradientNorm: number;
}

/**
 * Where the gradient vanishes (relative to the scale of the problem), the signs
 * of the eigenvalues decide: all positive, a minimum; all negative, a maximum;
 * both, a saddle. With zero eigenvalues the point is reported as the nonzero
 * ones suggest and marked degenerate (w⁴ and w³ both have H = 0 at 0).
 */
export function classify(gradient: number[], eigenvalues: number[], params: number[] = []): Classification {
  const big = Math.max(0, ...eigenvalues.map(Math.abs));
  const scale = Math.max(1, ...params.map(Math.abs));
  const gradientNorm = Math.max(0, ...gradient.map(Math.abs));
  const tol = 1e-9 * Math.max(1, big);
  if (gradientNorm > 1e-8 * Math.max(1, big * scale)) return { critical: 'none', degenerate: false, gradientNorm };
  const pos = eigenvalues.some((l) => l > tol);
  const neg = eigenvalues.some((l) => l < -tol);
  const degenerate = eigenvalues.some((l) => Math.abs(l) <= tol);
  const critical: Critical = pos && neg ? 'saddle' : neg ? 'maximum' : 'minimum';
  return { critical, degenerate: degenerate && critical !== 'saddle', gradientNorm };
}
