// One program of the wasm module (forward or grad, in train or eval mode) as a
// WebAssembly function, from the same plan and fused schedule as the JS target.
// Every array is a pointer the host passes in (leaves, buffer slots, row
// slices, dropout masks, the packing scratch); run-time dims are i32
// parameters; scalars are f32 locals, and the scalars the caller reads are
// stored to the `out` area at the end.
import type { Node } from '../../compiler/ir/node.js';
import { Size } from '../../compiler/ir/size.js';
import type { Graph, Model } from '../../compiler/model.js';
import { printExpr } from '../../compiler/print.js';
import { Code } from '../code.js';
import { Names } from '../names.js';
import type { Plan } from '../plan.js';
import { programSchedule, type JsSchedule } from '../js/schedule.js';

type ProgramKind = 'forward' | 'grad' | 'predict';
import { emitStep, Fn, type WasmContext } from './kernels.js';
import { scalarSpelling } from './spelling.js';

/** What the host must pass for one pointer parameter. */
export type PointerArg =
  | { kind: 'leaf'; name: string }
  | { kind: 'slot'; slot: number }
  | { kind: 'slice'; base: PointerArg; start: Size }
  | { kind: 'mask'; id: number; p: number; size: Size }
  | { kind: 'scratch' }
  | { kind: 'out' };

export interface WasmProgram {
  fn: string;
  kind: ProgramKind;
  graph: Graph;
  plan: Plan;
  sched: JsSchedule;
  /** The function's parameters in order: pointers, then run-time dims (by model name). */
  args: ({ kind: 'ptr'; ptr: PointerArg; local: string } | { kind: 'dim'; dim: string; local: string })[];
  /** Element counts of the slots and of the packing scratch. */
  slotSizes: Size[];
  scratch: Size[];
  /** How the caller reads each root: a scalar at out[k], or an array at a pointer. */
  where(n: Node): { scalar: true; out: number } | { scalar: true; ptr: PointerArg } | { scalar: false; ptr: PointerArg; size: Size };
  text: string;
}

/** WebAssembly identifiers are ASCII: other characters are spelled by code point. */
export const ascii = (s: string) => s.replace(/[^A-Za-z0-9_]/g, (c) => `_${c.codePointAt(0)!.toString(16)}`);

const LOOP_VARS = ['i', 'j', 'k', 'c', 'ti', 'tj', 'lab', 'sa', 'qb', 'qend', 'bstep', 'acc', 'vacc', 'm', 's', 'vm', 'vs', 'lane', 'ak', 'pq', 'panels', 'apack'];

export function emitProgram(model: Model, graph: Graph, fn: string, kind: ProgramKind, withUpdates: boolean, source: string): WasmProgram {
  const { graph: g, plan: p, schedule: sched } = programSchedule(model, graph, kind, withUpdates);
  const names = new Names(new Set(LOOP_VARS));
  for (let r = 0; r < 8; r++) names.claim(`pa${r}`, `bk${r}`, `sbk${r}`, ...[0, 1, 2, 3, 4, 5, 6, 7].flatMap((c) => [`acc${r}${c}`, `sacc${r}${c}`]));
  names.claim('sak', 'lane');
  const dimNames = new Map(model.dims.filter((d) => d.value === undefined).map((d) => [d.name, names.fresh(`d_${ascii(d.name)}`)]));
  const size = (s: Size) => s.toCode((d) => dimNames.get(d) ?? d);
  const base = (n: Node): Node => (p.storage.get(n.id) === 'view' || (n.op === 'reshape' && p.viewOf.has(n.id)) ? base(p.viewOf.get(n.id)!) : n);

  const args: WasmProgram['args'] = [];
  const ptrLocal = new Map<string, string>();
  const pointer = (key: string, wanted: string, ptr: PointerArg) => {
    let v = ptrLocal.get(key);
    if (!v) {
      v = names.fresh(wanted);
      ptrLocal.set(key, v);
      args.push({ kind: 'ptr', ptr, local: v });
    }
    return `$${v}`;
  };
  const gradOf = new Map([...g.grads].map(([k, n]) => [n.id, k]));
  const named = (n: Node) => (p.storage.get(n.id) === 'leaf' ? (n.attrs as { name: string }).name : model.names.get(n.id) ?? (gradOf.has(n.id) ? `d${gradOf.get(n.id)}` : `t${n.id}`));
  const label = (n: Node) => ascii(named(n));
  const ptrArg = (n: Node): PointerArg => {
    const st = p.storage.get(n.id)!;
    if (st === 'leaf') return { kind: 'leaf', name: (n.attrs as { name: string }).name };
    if (st === 'view') return { kind: 'slice', base: ptrArg(p.viewOf.get(n.id)!), start: (n.attrs as { start: Size }).start.mul(n.shape[1]) };
    return { kind: 'slot', slot: sched.slot.get(n.id)! };
  };
  const scalarLocal = new Map<number, string>();
  const fnParams = new Set<string>();
  // The local of a scalar node, or the pointer of an array node.
  const ref = (n0: Node): string => {
    const n = n0.op === 'reshape' ? base(n0) : n0;
    const st = p.storage.get(n.id)!;
    if (st === 'scalar') {
      let v = scalarLocal.get(n.id);
      if (!v) scalarLocal.set(n.id, (v = `$${names.fresh(`s_${label(n)}`)}`));
      return v;
    }
    if (st === 'leaf') return `(local.get ${pointer(`leaf:${(n.attrs as { name: string }).name}`, `p_${ascii((n.attrs as { name: string }).name)}`, ptrArg(n))})`;
    if (st === 'view') return `(local.get ${pointer(`view:${n.id}`, `v_${label(n)}`, ptrArg(n))})`;
    const slot = sched.slot.get(n.id)!;
    return `(local.get ${pointer(`slot:${slot}`, `buf${slot}`, { kind: 'slot', slot })})`;
  };
  const name = (n: Node) => {
    const r = ref(n);
    return r.startsWith('$') ? `(local.get ${r})` : r;
  };
  const code = new Code();
  const body = new Code();
  const wfn = new Fn(fnParams);
  const cx: WasmContext = {
    plan: p,
    spell: scalarSpelling(size, wfn.temp),
    name,
    ref,
    offset: () => '0',
    fn: wfn,
    describe: (n) => {
      const math = `${named(n)} = ${printExpr(n, (m) => (m === n || p.storage.get(m.id) === 'inline' || p.storage.get(m.id) === 'view' ? undefined : named(m)))}`;
      const o = model.origins.get(n.id);
      return o ? `${math}\n  ← ${source}:${o.loc.line}, ${o.rule}` : math;
    },
    maskPtr: (id) => {
      const m = p.order.find((n) => n.op === 'mask' && (n.attrs as { id: number }).id === id)!;
      const a = m.attrs as { id: number; p: number };
      return `(local.get ${pointer(`mask:${id}`, `mask${id}`, { kind: 'mask', id, p: a.p, size: m.shape[0].mul(m.shape[1]) })})`;
    },
    scratch: '',
  };
  const scratch: Size[] = [];
  Object.defineProperty(cx, 'scratch', {
    get: () => `(local.get ${pointer('scratch', 'scratch', { kind: 'scratch' })})`,
  });
  // The scalars the caller reads go to the out area.
  const roots = kind === 'predict' ? [...g.outputs.values()] : [g.loss, ...(kind === 'forward' ? g.outputs.values() : [...g.grads.values(), ...(withUpdates ? g.updates.values() : [])])];
  const outIndex = new Map<number, number>();
  for (const r of roots) {
    const b = r.op === 'reshape' ? base(r) : r;
    if (p.storage.get(b.id) !== 'scalar' || outIndex.has(b.id)) continue;
    outIndex.set(b.id, outIndex.size);
  }
  body.indent(() => body.indent(() => {
  for (const s of sched.steps) {
    const m = s.product ?? s.node;
    if (m.op === 'matmul' && p.storage.get(m.id) !== 'scalar') {
      // Packed panels of op(B) [K, N] and four packed rows of op(A).
      const [a] = m.inputs as [Node];
      const K = (m.attrs as { ta: boolean }).ta ? a.shape[0] : a.shape[1];
      scratch.push(K.mul(m.shape[1]).add(K.mul(Size.of(4))));
    }
    emitStep(body, cx, s.node, s.product);
  }
  if (outIndex.size) {
    const out = pointer('out', 'out', { kind: 'out' });
    for (const [id, k] of outIndex) body.line(`(f32.store offset=${4 * k} (local.get ${out}) (local.get ${scalarLocal.get(id)}))`);
  }
  }));
  for (const [d, v] of dimNames) args.push({ kind: 'dim', dim: d, local: v });
  // The function: parameters in the order of args, then the locals the kernels declared.
  const params = args.map((a) => `$${a.local}`);
  params.forEach((x) => fnParams.add(x.slice(1)));
  for (const x of params) wfn.locals.delete(x.slice(1));
  for (const v of scalarLocal.values()) wfn.locals.set(v.slice(1), 'f32');
  code.indent(() => code.line(`(func $${fn} (export "${fn}")`));
  code.indent(() => code.indent(() => {
    if (params.length) code.line(params.map((x) => `(param ${x} i32)`).join(' '));
    const locals = [...wfn.locals].filter(([l]) => !fnParams.has(l));
    for (let k = 0; k < locals.length; k += 8) code.line(locals.slice(k, k + 8).map(([l, t]) => `(local $${l} ${t})`).join(' '));
  }));
  // The body is appended as text (indented as it was written), not split and re-indented: it is most of the module.

  const slotSizes = sched.slotSizes.map((s) => s[0].mul(s[1]));
  const where: WasmProgram['where'] = (r) => {
    const b = r.op === 'reshape' ? base(r) : r;
    if (outIndex.has(b.id)) return { scalar: true, out: outIndex.get(b.id)! };
    const scalar = r.shape[0].isOne() && r.shape[1].isOne();
    return scalar ? { scalar: true, ptr: ptrArg(b) } : { scalar: false, ptr: ptrArg(b), size: r.shape[0].mul(r.shape[1]) };
  };
  return { fn, kind, graph: g, plan: p, sched, args, slotSizes, scratch, where, text: `${code.toString()}${body.toString()}  )\n` };
}

