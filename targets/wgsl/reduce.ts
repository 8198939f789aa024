// Reductions as workgroup tree reductions: sum, max and log-sum-exp over all
// elements, a row or a column, and matrix products with a vector result (each
// output a dot product). A workgroup of 256 threads is split into segments of
// L lanes, one output per segment (L = 256 for long or run-time extents; a
// small fixed extent such as the 10 classes of a softmax gets L = 16, so that
// 16 columns share a workgroup). Lanes stride over the extent, then halve the
// partial results in workgroup memory until lane 0 holds the value.
import type { Axis, Node, OpAttrs } from '../../compiler/ir/node.js';
import { numel, ONE, type Size } from '../../compiler/ir/size.js';
import type { Index } from '../expr.js';
import { groupComment, indent, KernelCx, WG, type Kernel } from './kernel.js';

interface Reduction {
  /** Number of outputs, and the extent each reduces over. */
  outs: Size;
  extent: Size;
  /** The element folded for output `o` at position `r` of its extent. */
  element(o: string, r: string): string;
  /** Where output `o` is, for the epilogue. */
  at(o: string): Index;
  fold: 'sum' | 'max' | 'logsumexp';
}

function lanes(extent: Size): number {
  const c = extent.constant;
  if (c === undefined || c >= WG) return WG;
  let l = 1;
  while (l < c) l *= 2;
  return l;
}

/** The outputs of a reduction along `axis` of x, as a flat index `o` → (i, j) of the result. */
function reduction(cx: KernelCx, n: Node): Reduction {
  const size = cx.env.size;
  if (n.op === 'matmul') {
    // A matrix product with one row or one column: each output a dot product over k.
    const [a, b] = n.inputs as [Node, Node];
    const { ta, tb } = n.attrs as OpAttrs['matmul'];
    const column = n.shape[1].isOne();
    const A = (i: string, k: string) => cx.read(a, ta ? { i: k, j: i, shape: a.shape } : { i, j: k, shape: a.shape });
    const B = (k: string, j: string) => cx.read(b, tb ? { i: j, j: k, shape: b.shape } : { i: k, j, shape: b.shape });
    return {
      outs: numel(n.shape),
      extent: ta ? a.shape[0] : a.shape[1],
      element: (o, r) => (column ? `${A(o, r)} * ${B(r, '0')}` : `${A('0', r)} * ${B(r, o)}`),
      at: (o) => (column ? { i: o, j: '0', flat: o, shape: n.shape } : { i: '0', j: o, flat: o, shape: n.shape }),
      fold: 'sum',
    };
  }
  const x = n.inputs[0]!;
  const axis = (n.attrs as { axis: Axis }).axis;
  const [rows, cols] = x.shape;
  const fold = n.op === 'sum' ? 'sum' : n.op === 'rmax' ? 'max' : 'logsumexp';
  if (axis === 'all') {
    const ij = (r: string) =>
      rows.isOne() ? { i: '0', j: r } : cols.isOne() ? { i: r, j: '0' } : { i: `(${r} / ${size(cols)})`, j: `(${r} % ${size(cols)})` };
    return {
      outs: ONE,
      extent: numel(x.shape),
      element: (_, r) => cx.read(x, { ...ij(r), flat: r, shape: x.shape }),
      at: () => ({ i: '0', j: '0', flat: '0', shape: n.shape }),
      fold,
    };
  }
  if (axis === 1) {
    return {
      outs: rows,
      extent: cols,
      element: (o, r) => cx.read(x, { i: o, j: r, shape: x.shape }),
      at: (o) => ({ i: o, j: '0', flat: o, shape: n.shape }),
      fold,
    };
  }
  return {
    outs: cols,
    extent: rows,
    element: (o, r) => cx.read(x, { i: r, j: o, shape: x.shape }),
    at: (o) => ({ i: '0', j: o, flat: o, shape: n.shape }),
    fold,
  };
}

/** Lanes combine their partial results: after it, lane 0 of each segment holds the segment's total. */
function tree(L: number, combine: (a: string, b: string) => string): string[] {
  if (L === 1) return [];
  return [
    `for (var s = ${L / 2}u; s > 0u; s >>= 1u) {`,
    '  if (lane < s) {',
    `    partial[lid] = ${combine('partial[lid]', 'partial[lid + s]')};`,
    '  }',
    '  workgroupBarrier();',
    '}',
  ];
}

/** Each lane folds its share of the extent into `v`; the partial results go to workgroup memory. */
function strided(red: Reduction, extent: string, L: number, v: string, init: string, fold: (acc: string, x: string) => string): string[] {
  return [
    `var ${v} = ${init};`,
    'if (o < outs) {',
    `  for (var r = lane; r < ${extent}; r += ${L}u) {`,
    `    ${v} = ${fold(v, red.element('o', 'r'))};`,
    '  }',
    '}',
    `partial[lid] = ${v};`,
    'workgroupBarrier();',
  ];
}

export function emitReduce(cx: KernelCx, entry: string): Kernel {
  const main = cx.group.steps[0]!;
  const red = reduction(cx, main);
  const L = lanes(red.extent);
  const G = WG / L;
  const extent = cx.env.size(red.extent);
  const add = (a: string, b: string) => `${a} + ${b}`;
  const max = (a: string, b: string) => `max(${a}, ${b})`;
  const body: string[] = [];
  const epilogue: string[] = [];
  if (red.fold === 'logsumexp') {
    // Two trees: the maximum first, then Σ exp(x − max), so that exp never overflows.
    body.push(...strided(red, extent, L, 'acc', '-inf()', max), ...tree(L, max));
    body.push(`let top = partial[seg * ${L}u];`, 'workgroupBarrier();');
    body.push(...strided(red, extent, L, 'total', '0.0', (acc, x) => `${acc} + exp(${x} - top)`), ...tree(L, add));
    cx.finish('select(top + log(partial[lid]), top, top == -inf())', red.at('o'), epilogue);
  } else {
    const fold = red.fold === 'sum' ? add : max;
    body.push(...strided(red, extent, L, 'acc', red.fold === 'sum' ? '0.0' : '-inf()', fold), ...tree(L, fold));
    cx.finish('partial[lid]', red.at('o'), epilogue);
  }
  body.push('if (lane == 0u && o < outs) {', ...indent(epilogue), '}');
  body.push('workgroupBarrier(); // partial[] is reused by the next block of outputs');
  const lines = [
    ...groupComment(cx.env, cx.group),
    `// A tree reduction: ${G === 1 ? 'one output' : `${G} outputs`} per workgroup, ${L} lanes each.`,
    `@compute @workgroup_size(${WG})`,
    `fn ${entry}(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) lid: u32, @builtin(num_workgroups) groups: vec3u) {`,
    ...indent(cx.offsets),
    `  let outs = ${cx.env.size(red.outs)};`,
    `  let lane = lid % ${L}u;`,
    `  let seg = lid / ${L}u;`,
    `  for (var first = wg.x * ${G}u; first < outs; first += groups.x * ${G}u) {`,
    '    let o = first + seg;',
    ...indent(body, 2),
    '  }',
    '}',
  ];
  return { entry, text: lines.join('\n'), dispatch: [{ count: red.outs, per: G, cap: true }] };
}
