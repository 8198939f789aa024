// Matrix products as tiled kernels. A 16×16 workgroup computes a BM×BN block of
// the result, each thread TM×TN outputs (rows lid.y + 16r, columns lid.x + 16c).
// The block's rows of op(A) and columns of op(B) pass through workgroup memory
// 16 at a time. Transposed operands (Wᵀδ, δxᵀ) are read in place from their
// stored layout. The epilogue (bias, activation, ...) runs on the registers.
import type { Node, OpAttrs } from '../../compiler/ir/node.js';
import type { Size } from '../../compiler/ir/size.js';
import { groupComment, indent, KernelCx, type Kernel } from './kernel.js';

/** Depth of a tile along the inner dimension, and the side of the thread grid. */
const BK = 16;
const SIDE = 16;

/** Outputs per thread along an axis: fewer when the result is small, so threads are not idle. */
function perThread(s: Size): number {
  const c = s.constant;
  if (c !== undefined && c <= SIDE) return 1;
  if (c !== undefined && c <= 2 * SIDE) return 2;
  return 4;
}

/** Workgroup memory for the tiles: the largest (4 outputs per thread) is 64×16 floats each. */
export const TILE_DECLARATIONS = [
  `var<workgroup> tileA: array<f32, ${4 * SIDE * BK}>; // rows of op(A) for a tiled product`,
  `var<workgroup> tileB: array<f32, ${BK * 4 * SIDE}>; // columns of op(B) for a tiled product`,
];

export function emitTiled(cx: KernelCx, entry: string): Kernel {
  const n = cx.group.steps[0]!;
  const [a, b] = n.inputs as [Node, Node];
  const { ta, tb } = n.attrs as OpAttrs['matmul'];
  const size = cx.env.size;
  const TM = perThread(n.shape[0]);
  const TN = perThread(n.shape[1]);
  const BM = SIDE * TM;
  const BN = SIDE * TN;
  // Element (i, k) of op(A) and (k, j) of op(B), read where they are stored.
  const A = (i: string, k: string) => cx.read(a, ta ? { i: k, j: i, shape: a.shape } : { i, j: k, shape: a.shape });
  const B = (k: string, j: string) => cx.read(b, tb ? { i: j, j: k, shape: b.shape } : { i: k, j, shape: b.shape });
  // Reads first: they declare the offsets the kernel's prologue lists.
  const loadA = A('ar', 'ak');
  const loadB = B('bk', 'bc');
  const epilogue: string[] = [];
  cx.finish(`acc[${TN === 1 ? 'r' : `r * ${TN}u + c`}]`, { i: 'i', j: 'j', shape: n.shape }, epilogue);
  const lines = [
    ...groupComment(cx.env, cx.group),
    `// A tiled product: ${BM}×${BN} outputs per workgroup, ${TM}×${TN} per thread.`,
    `@compute @workgroup_size(${SIDE}, ${SIDE})`,
    `fn ${entry}(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {`,
    ...indent(cx.offsets),
    `  let rows = ${size(n.shape[0])};`,
    `  let cols = ${size(n.shape[1])};`,
    `  let inner = ${size(ta ? a.shape[0] : a.shape[1])};`,
    `  let row0 = wg.y * ${BM}u;`,
    `  let col0 = wg.x * ${BN}u;`,
    `  let t = lid.y * ${SIDE}u + lid.x;`,
    `  var acc: array<f32, ${TM * TN}>;`,
    `  for (var k0 = 0u; k0 < inner; k0 += ${BK}u) {`,
    `    // Stage op(A)[row0 .. row0 + ${BM}, k0 .. k0 + ${BK}] and op(B)[k0 .. k0 + ${BK}, col0 .. col0 + ${BN}]; zeros past the edges.`,
    `    for (var e = t; e < ${BM * BK}u; e += ${SIDE * SIDE}u) {`,
    `      let ar = row0 + e / ${BK}u;`,
    `      let ak = k0 + e % ${BK}u;`,
    '      var v = 0.0;',
    '      if (ar < rows && ak < inner) {',
    `        v = ${loadA};`,
    '      }',
    '      tileA[e] = v;',
    '    }',
    `    for (var e = t; e < ${BK * BN}u; e += ${SIDE * SIDE}u) {`,
    `      let bk = k0 + e / ${BN}u;`,
    `      let bc = col0 + e % ${BN}u;`,
    '      var v = 0.0;',
    '      if (bk < inner && bc < cols) {',
    `        v = ${loadB};`,
    '      }',
    '      tileB[e] = v;',
    '    }',
    '    workgroupBarrier();',
    `    for (var kk = 0u; kk < ${BK}u; kk++) {`,
    `      for (var r = 0u; r < ${TM}u; r++) {`,
    `        let a = tileA[(lid.y + ${SIDE}u * r) * ${BK}u + kk];`,
    `        for (var c = 0u; c < ${TN}u; c++) {`,
    `          acc[r * ${TN}u + c] += a * tileB[kk * ${BN}u + lid.x + ${SIDE}u * c];`,
    '        }',
    '      }',
    '    }',
    '    workgroupBarrier(); // the tiles are overwritten next round',
    '  }',
    `  for (var r = 0u; r < ${TM}u; r++) {`,
    `    for (var c = 0u; c < ${TN}u; c++) {`,
    `      let i = row0 + lid.y + ${SIDE}u * r;`,
    `      let j = col0 + lid.x + ${SIDE}u * c;`,
    '      if (i < rows && j < cols) {',
    ...indent(epilogue, 4),
    '      }',
    '    }',
    '  }',
    '}',
  ];
  return {
    entry,
    text: lines.join('\n'),
    dispatch: [
      { count: n.shape[1], per: BN, cap: false },
      { count: n.shape[0], per: BM, cap: false },
    ],
  };
}
