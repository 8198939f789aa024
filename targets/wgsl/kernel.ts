// What every kernel shares: the names inside it, where its tensors live (one
// `let X_at = …;` offset per tensor), the values it keeps in registers, and the
// epilogue that computes the tail steps and writes what others read. Also the
// `map` kernel: one thread per element (grid-stride), for elementwise steps and
// the other ops whose elements are independent.
import type { Node, OpAttrs } from '../../compiler/ir/node.js';
import { isScalarShape, numel, type Shape, type Size } from '../../compiler/ir/size.js';
import type { Model } from '../../compiler/model.js';
import { maskStreamBase } from '../../compiler/random.js';
import { elementIndex, valueAt, type ExprContext, type Index, type Spelling } from '../expr.js';
import type { Plan, Storage } from '../plan.js';
import type { Group } from './fuse.js';
import type { BufferName, ProgramLayout } from './layout.js';
import type { WgslNames } from './names.js';
import { wgslComment } from '../escape.js';

/** Workgroup size of one-dimensional kernels (the WebGPU default limit). */
export const WG = 256;

/** Names every kernel may use for itself: user names are kept clear of them. */
export const KERNEL_OWN = [
  'i', 'j', 'k', 'n', 'o', 'r', 'c', 'e', 'v', 'a', 's', 'g', 'm', 't', 'acc', 'total', 'partial', 'tileA', 'tileB', 'lane', 'seg', 'first', 'outs', 'top',
  'rows', 'cols', 'inner', 'row0', 'col0', 'k0', 'kk', 'ar', 'ak', 'bk', 'bc', 'gid', 'wg', 'lid', 'groups', 'count',
  'lr', 'c1', 'c2', 'scale', 'stream',
];

/** What a program gives its kernels. */
export interface ProgramEnv {
  model: Model;
  plan: Plan;
  layout: ProgramLayout;
  spell: Spelling;
  /** A size as a u32 expression: `64u`, `64 * run.N`. */
  size(s: Size): string;
  /** The name a node is shown by in comments and chosen from for identifiers. */
  display(n: Node): string;
  /** The math a step computes, for the comment above its kernel. */
  describe(n: Node): string;
}

/** One workgroup count: ceil(count / per), capped at 65535 for grid-stride loops. */
export interface GroupCount {
  count: Size;
  per: number;
  cap: boolean;
}

export interface Kernel {
  entry: string;
  /** The entry point's WGSL, comments first. */
  text: string;
  /** Workgroups along x (and y). */
  dispatch: GroupCount[];
}

export class KernelCx {
  readonly names: WgslNames;
  private readonly offsetVar = new Map<number, string>();
  private readonly offsetLines: string[] = [];
  /** Values computed in this kernel by this thread, by node id → local name. */
  readonly locals = new Map<number, string>();

  constructor(readonly env: ProgramEnv, moduleNames: WgslNames, readonly group: Group) {
    this.names = moduleNames.child();
    this.names.claim(...KERNEL_OWN);
  }

  /** The `let X_at = …;` lines: where each tensor the kernel touches starts in its buffer. */
  get offsets(): string[] {
    return this.offsetLines;
  }

  buffer(n: Node): BufferName {
    return this.env.layout.region(n)!.buffer;
  }

  offset(n: Node): string {
    let v = this.offsetVar.get(n.id);
    if (!v) {
      const r = this.env.layout.region(n);
      if (!r) throw new Error(`internal: ${this.env.display(n)} has no memory`);
      v = this.names.fresh(`${this.env.display(n)}_at`);
      this.offsetVar.set(n.id, v);
      this.offsetLines.push(`let ${v} = ${this.env.size(r.at)}; // ${this.env.display(n)} in ${r.buffer}`);
    }
    return v;
  }

  /** The context valueAt reads with: locals as registers, `force` computed here rather than loaded. */
  expr(force?: Node): ExprContext {
    const storage = new Map<number, Storage>(this.env.plan.storage);
    for (const id of this.locals.keys()) storage.set(id, 'scalar');
    if (force) storage.set(force.id, 'inline');
    return {
      plan: { ...this.env.plan, storage },
      spell: this.env.spell,
      name: (n) => this.locals.get(n.id) ?? this.buffer(n),
      offset: (n) => this.offset(n),
    };
  }

  /** The value of node `x` at `at` (a load, a register, or an inline expression). */
  read(x: Node, at: Index): string {
    return valueAt(this.expr(), x, at);
  }

  /** An integer input's element `index`, as a u32. */
  label(y: Node, index: string): string {
    const scalar = isScalarShape(y.shape);
    return this.env.spell.loadInt(this.buffer(y), scalar ? this.offset(y) : `${this.offset(y)} + ${index}`);
  }

  /** Element index of a value of `shape` at `at`, as a flat index. */
  flat(shape: Shape, at: Index): string {
    return elementIndex(this.expr(), shape, at);
  }

  /**
   * The epilogue at one element: binds the main step's value, computes the tail
   * steps from registers, and stores what the group must store.
   */
  finish(mainValue: string, at: Index, out: string[]): void {
    const [main, ...tails] = this.group.steps;
    this.define(main!, mainValue, at, out);
    for (const t of tails) this.define(t, this.elementValue(t, at), at, out);
  }

  /** An elementwise step (or a dropout mask) computed at `at`. */
  elementValue(n: Node, at: Index): string {
    if (n.op === 'mask') {
      const { p, id } = n.attrs as OpAttrs['mask'];
      // The stream of mask `id` at step t, as the CPU module computes it (mod 2³²).
      const base = maskStreamBase(id);
      const below = Math.ceil(p * 16777216);
      return `dropout(${base}u + run.t, ${this.flat(n.shape, at)}, ${below}u, ${this.env.spell.num(1 / (1 - p))})`;
    }
    return valueAt(this.expr(n), n, at);
  }

  private define(n: Node, value: string, at: Index, out: string[]): void {
    const v = this.names.fresh(this.env.display(n));
    out.push(`let ${v} = ${value};`);
    this.locals.set(n.id, v);
    if (this.group.stored.has(n.id)) {
      const idx = elementIndex(this.expr(), n.shape, at);
      const off = this.offset(n);
      out.push(`${this.buffer(n)}[${idx === '0' ? off : `${off} + ${idx}`}] = ${v};`);
    }
  }
}

/** Comment lines for a group: the math of each step. */
export function groupComment(env: ProgramEnv, group: Group): string[] {
  return group.steps.flatMap((n) => {
    const [math, ...more] = env.describe(n).split('\n');
    return [`// ${wgslComment(math!)}${group.stored.has(n.id) ? '' : '   (not stored: only this kernel reads it)'}`, ...more.map((l) => `// ${wgslComment(l)}`)];
  });
}

/** Indents lines by `depth` levels. */
export function indent(lines: string[], depth = 1): string[] {
  return lines.map((l) => (l ? '  '.repeat(depth) + l : l));
}

/** The index of a one-element-per-thread loop over `shape`: flat k, and (i, j) when reads need them. */
function elementAt(shape: Shape): Index {
  const [r, c] = shape;
  if (r.isOne()) return { i: '0', j: 'k', flat: 'k', shape };
  if (c.isOne()) return { i: 'k', j: '0', flat: 'k', shape };
  return { i: 'i', j: 'j', flat: 'k', shape };
}

/** The main step's value at one element, for ops whose elements are independent. */
function mapValue(cx: KernelCx, n: Node, at: Index, pre: string[]): string {
  const size = cx.env.size;
  switch (n.op) {
    case 'transpose': {
      const x = n.inputs[0]!;
      return cx.read(x, { i: at.j, j: at.i, shape: x.shape });
    }
    case 'pick': {
      // pick(p, y)[0, j] = p[y_j, j]
      const [p, y] = n.inputs as [Node, Node];
      return cx.read(p, { i: cx.label(y, at.j), j: at.j, shape: p.shape });
    }
    case 'gathercols': {
      // Column c of the result is column ids[c] of E.
      const [e, ids] = n.inputs as [Node, Node];
      return cx.read(e, { i: at.i, j: cx.label(ids, at.j), shape: e.shape });
    }
    case 'scattercols': {
      // Column v of the result adds up the columns c of g with ids[c] = v (no atomics: each thread owns an element).
      const [g, ids] = n.inputs as [Node, Node];
      pre.push('var acc = 0.0;');
      pre.push(`for (var c = 0u; c < ${size(g.shape[1])}; c++) {`);
      pre.push(`  if (${cx.label(ids, 'c')} == ${at.j}) {`);
      pre.push(`    acc += ${cx.read(g, { i: at.i, j: 'c', shape: g.shape })};`);
      pre.push('  }');
      pre.push('}');
      return 'acc';
    }
    case 'concat': {
      // Row i comes from the input whose rows cover it.
      pre.push('var v: f32;');
      let start: Size | undefined;
      n.inputs.forEach((x, idx) => {
        const end = start ? start.add(x.shape[0]) : x.shape[0];
        const row = start ? `${at.i} - ${size(start)}` : at.i;
        const value = cx.read(x, { i: `(${row})`, j: at.j, shape: x.shape });
        const last = idx === n.inputs.length - 1;
        const head = idx === 0 ? `if (${at.i} < ${size(end)}) {` : last ? '} else {' : `} else if (${at.i} < ${size(end)}) {`;
        pre.push(n.inputs.length === 1 ? '{' : head, `  v = ${value};`);
        start = end;
      });
      pre.push('}');
      return 'v';
    }
    default:
      // Elementwise ops, dropout masks, and broadcasts, one-hots or constants that must be materialized.
      return cx.elementValue(n, at);
  }
}

export function emitMap(cx: KernelCx, entry: string): Kernel {
  const main = cx.group.steps[0]!;
  const shape = main.shape;
  const count = numel(shape);
  const at = elementAt(shape);
  const body: string[] = [];
  const pre: string[] = [];
  const value = mapValue(cx, main, at, pre);
  body.push(...pre);
  cx.finish(value, at, body);
  const text = body.join('\n');
  const cols = cx.env.size(shape[1]);
  const ij = at.i !== 'i' ? [] : [
    ...(/\bi\b/.test(text) ? [`let i = k / ${cols};`] : []),
    ...(/\bj\b/.test(text) ? [`let j = k % ${cols};`] : []),
  ];
  const lines = [
    ...groupComment(cx.env, cx.group),
    `@compute @workgroup_size(${WG})`,
    `fn ${entry}(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {`,
    ...indent(cx.offsets),
    `  let n = ${cx.env.size(count)};`,
    `  for (var k = gid.x; k < n; k += groups.x * ${WG}u) {`,
    ...indent([...ij, ...body], 2),
    '  }',
    '}',
  ];
  return { entry, text: lines.join('\n'), dispatch: [{ count, per: WG, cap: true }] };
}
