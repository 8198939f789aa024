// `gradc explain`: the lecture's slide-by-slide walk through backprop, on the
// user's model and numbers. Forward values in topological order; then, from
// the loss back, at each node: the upstream gradient (summed where the value
// branches), each input's local gradient, and downstream = upstream × local.
//
// The numbers come from the op table itself: a node's downstream is its VJP
// rule applied to the upstream (a named leaf, so that the rule prints as math),
// and for an elementwise node the local gradient is the VJP of a 1. So the
// trace is the same computation as the compiled gradient, one node at a time.
import { interpret } from '../interpret.js';
import type { Builder } from '../ir/builder.js';
import { isElementwise, isLeaf, topoSort, type Node } from '../ir/node.js';
import { shapeEquals } from '../ir/size.js';
import { tensor, type Tensor } from '../ir/tensor.js';
import type { Graph, Model } from '../model.js';
import { OPS } from '../ops/index.js';
import { printExpr, type Namer } from '../print.js';
import { columns, fmt, showTensor } from './format.js';

export interface TraceOptions {
  /** Values of every param and input, by name. */
  values: Readonly<Record<string, Tensor>>;
  dims: Readonly<Record<string, number>>;
  seed?: number;
  mode?: 'train' | 'eval';
}

export interface ForwardStep {
  name: string;
  /** The math of the node; absent for a leaf. */
  expr?: string;
  value: Tensor;
  /** For a value the user never named (t1, t2, …): where in the model it is computed. */
  about?: string;
}

export interface Flow {
  /** The input's name as the trace shows it. */
  input: string;
  /** The local gradient ∂node/∂input, for elementwise nodes (elementwise in turn). */
  local?: { expr: string; value: Tensor };
  /** What flows to the input: the VJP of the upstream, as math and as numbers. */
  downstream: { expr: string; value: Tensor };
  /** Whether the downstream was summed over broadcast axes to fit the input. */
  reduced: boolean;
}

export interface BackwardStep {
  name: string;
  expr: string;
  /** The intuition of the node's op (+ distributes, max routes, …). */
  note: string;
  /** The contributions of every use, in the order they arrived, and their sum. */
  upstream: { parts: Tensor[]; value: Tensor };
  flows: Flow[];
}

export interface TraceGradient {
  name: string;
  parts: Tensor[];
  value: Tensor;
}

export interface Trace {
  loss: string;
  forward: ForwardStep[];
  backward: BackwardStep[];
  gradients: TraceGradient[];
}

export const COPY_ADDS = 'a copy adds: a value used more than once gets the sum of its uses’ gradients';

/** Pass-through ops shown inline (`uᵀ`) rather than named. */
const trivial = (n: Node) => (n.op === 'reshape' || n.op === 'broadcast' || n.op === 'transpose') && n.inputs[0]!.inputs.length === 0;

export function trace(model: Model, opts: TraceOptions): Trace {
  const g: Graph = model[opts.mode ?? 'train'];
  const b: Builder = model.builder;
  const loss = g.loss;
  const order = topoSort([loss]);
  const lossName = model.loss.name;

  // Names: the user's, leaves' own, and t1, t2, … for the rest, in order.
  const names = new Map<number, string>();
  const taken = new Set([...model.names.values(), ...model.params.map((p) => p.name), ...model.inputs.map((i) => i.name)]);
  let k = 0;
  const generated = new Set<number>();
  for (const n of order) {
    const own = model.names.get(n.id) ?? (isLeaf(n.op) && 'name' in n.attrs ? (n.attrs as { name: string }).name : undefined);
    if (own !== undefined) names.set(n.id, own);
    else if (!isLeaf(n.op) && !trivial(n)) {
      let t: string;
      do t = `t${++k}`; while (taken.has(t));
      names.set(n.id, t);
      generated.add(n.id);
    }
  }
  const namer: Namer = (n) => names.get(n.id);
  const label = (n: Node) => names.get(n.id) ?? printExpr(n, namer);
  const upName = (n: Node) => {
    const l = label(n);
    return `∂${lossName}/∂${/^[\p{L}_][\p{L}\p{N}_]*$/u.test(l) ? l : `(${l})`}`;
  };

  const run = (roots: Node[], extra: Record<string, Tensor> = {}) =>
    interpret(roots, { values: { ...opts.values, ...extra }, dims: opts.dims, seed: opts.seed });
  const fwd = run([loss]);

  const forward: ForwardStep[] = order
    .filter((n) => n.op !== 'const' && n.op !== 'size' && !trivial(n))
    .map((n) => {
      const step: ForwardStep = { name: label(n), expr: n.inputs.length ? printExpr(n, namer) : undefined, value: fwd.get(n.id)! };
      const o = model.origins.get(n.id);
      if (generated.has(n.id)) step.about = o ? `a part of ${o.rule} (line ${o.loc.line})` : 'a step gradc added';
      return step;
    });

  // Which nodes need a gradient: those that depend on a param or a wrt input.
  const wanted = new Set<number>();
  const leaves = new Map<number, string>();
  for (const n of order) {
    const name = isLeaf(n.op) && 'name' in n.attrs ? (n.attrs as { name: string }).name : undefined;
    if (name !== undefined && g.grads.has(name) && (n.op === 'param' || n.op === 'input')) {
      wanted.add(n.id);
      leaves.set(n.id, name);
    }
  }
  const needs = new Set<number>();
  for (const n of order) if (!n.int && (wanted.has(n.id) || n.inputs.some((i) => needs.has(i.id)))) needs.add(n.id);

  const parts = new Map<number, Tensor[]>();
  const push = (n: Node, t: Tensor) => parts.set(n.id, [...(parts.get(n.id) ?? []), t]);
  push(loss, ones(fwd.get(loss.id)!));

  const backward: BackwardStep[] = [];
  const gradients = new Map<string, TraceGradient>();
  for (let i = order.length - 1; i >= 0; i--) {
    const n = order[i]!;
    if (!needs.has(n.id) || trivial(n)) continue;
    const got = parts.get(n.id) ?? [];
    const upstream = got.length ? got.reduce(addTensors) : zerosLike(fwd.get(n.id)!);
    if (leaves.has(n.id)) {
      gradients.set(leaves.get(n.id)!, { name: leaves.get(n.id)!, parts: got, value: upstream });
      continue;
    }
    const wants = n.inputs.map((x) => needs.has(x.id));
    // The upstream as a named leaf, so that the VJP prints as math.
    const up = b.input(upName(n), n.shape);
    const down = OPS[n.op].vjp(b, n as never, up, wants);
    const local = isElementwise(n.op) ? OPS[n.op].vjp(b, n as never, b.const(1, n.shape), wants) : [];
    const fitted = n.inputs.map((x, j) => (wants[j] && down[j] ? b.fit(down[j]!, x.shape) : undefined));
    const localVals = run(local.filter((x): x is Node => !!x));
    const flows: Flow[] = [];
    n.inputs.forEach((x, j) => {
      if (!wants[j]) return;
      // A reshape or transpose of a leaf is shown as the leaf: its VJP is applied here.
      let target = x;
      let d = fitted[j];
      while (trivial(target) && d) {
        d = b.fit(OPS[target.op].vjp(b, target as never, d, [true])[0]!, target.inputs[0]!.shape);
        target = target.inputs[0]!;
      }
      const vals = run(d ? [d] : [], { [upName(n)]: upstream });
      const value = d ? vals.get(d.id)! : zerosLike(fwd.get(target.id)!);
      const l = local[j];
      flows.push({
        input: label(target),
        local: l ? { expr: namer(l) ?? printExpr(l, namer), value: localVals.get(l.id)! } : undefined,
        downstream: { expr: d ? printExpr(d, (m) => (m === up ? upName(n) : namer(m))) : '0', value },
        reduced: !!down[j] && !shapeEquals(down[j]!.shape, x.shape),
      });
      push(target, value);
    });
    backward.push({ name: label(n), expr: printExpr(n, namer), note: OPS[n.op].note, upstream: { parts: got, value: upstream }, flows });
  }
  // In the order `gradc grad` lists them; a leaf the loss does not reach gets zeros.
  const grads = [...g.grads.keys()].map((name) => {
    const v = opts.values[name];
    return gradients.get(name) ?? { name, parts: [], value: v ? zerosLike(v) : tensor(1, 1) };
  });
  return { loss: lossName, forward, backward, gradients: grads };
}

function ones(t: Tensor): Tensor {
  return tensor(t.rows, t.cols, new Array(t.data.length).fill(1));
}
function zerosLike(t: Tensor): Tensor {
  return tensor(t.rows, t.cols);
}
function addTensors(a: Tensor, c: Tensor): Tensor {
  const out = tensor(a.rows, a.cols, a.data);
  for (let i = 0; i < out.data.length; i++) out.data[i]! += c.data[i]!;
  return out;
}

const one = (t: Tensor) => t.data.length === 1;

/** The trace as the lectures write it. */
export function formatTrace(t: Trace, header?: string): string {
  const out: string[] = [];
  const d = `∂${t.loss}/∂`;
  if (header) out.push(header, '');
  out.push('forward, in topological order');
  const unnamed = t.forward.filter((s) => s.about).map((s) => s.name);
  if (unnamed.length) out.push(`  (${unnamed.length === 1 ? unnamed[0] : `${unnamed[0]}…${unnamed[unnamed.length - 1]}`}: values inside your equations that have no name in the model; named here to follow them)`);
  out.push(...columns(t.forward.map((s) => [`  ${s.name} = ${s.expr ? `${s.expr} = ` : ''}${showTensor(s.value)}`, s.about ? `# ${s.about}` : ''])));
  out.push('', 'backward, from the loss: downstream = upstream × local');
  for (const s of t.backward) {
    out.push('');
    out.push(...columns([[`  ${s.name} = ${s.expr}`, s.note]]));
    out.push(`    upstream ${d}${wrap(s.name)} = ${sumText(s.upstream.parts, s.upstream.value)}`);
    if (s.upstream.parts.length > 1) out.push(`      (${s.name} is used ${s.upstream.parts.length} times: ${COPY_ADDS})`);
    const rows: [string, string][] = [];
    for (const f of s.flows) {
      const scalar = one(f.downstream.value) && one(s.upstream.value) && f.local && one(f.local.value);
      if (f.local && scalar) {
        const l = f.local.expr === fmt(f.local.value.data[0]!) ? f.local.expr : `${f.local.expr} = ${showTensor(f.local.value)}`;
        rows.push([`    → ${f.input}: local ∂${s.name}/∂${wrap(f.input)} = ${l}`, `downstream ${showTensor(s.upstream.value)} × ${showTensor(f.local.value)} = ${showTensor(f.downstream.value)}`]);
      } else if (f.local) {
        const l = f.local.expr === showTensor(f.local.value) || /^-?[\d.]+$/.test(f.local.expr) ? f.local.expr : `${f.local.expr} = ${showTensor(f.local.value)}`;
        rows.push([`    → ${f.input}: local ∂${s.name}/∂${wrap(f.input)} = ${l}`, '']);
        rows.push([`        downstream = upstream ⊙ local${f.reduced ? ', summed over the broadcast axis' : ''} = ${showTensor(f.downstream.value)}`, '']);
      } else {
        rows.push([`    → ${f.input}: downstream ${f.downstream.expr}`, `= ${showTensor(f.downstream.value)}`]);
      }
    }
    out.push(...columns(rows));
  }
  out.push('', 'gradients');
  for (const g of t.gradients) {
    out.push(`  ${d}${wrap(g.name)} = ${sumText(g.parts, g.value)}${g.parts.length > 1 ? `   (${g.name} is used ${g.parts.length} times: a copy adds)` : ''}`);
  }
  return out.join('\n') + '\n';
}

const wrap = (s: string) => (/^[\p{L}_][\p{L}\p{N}_]*$/u.test(s) ? s : `(${s})`);

/** `3 + 2 = 5` for scalars used twice, the value otherwise. */
function sumText(parts: Tensor[], value: Tensor): string {
  if (parts.length > 1 && parts.every(one)) return `${parts.map((p) => fmt(p.data[0]!)).join(' + ').replace(/\+ -/g, '- ')} = ${showTensor(value)}`;
  return showTensor(value);
}
