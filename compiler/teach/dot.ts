// `--emit dot`: the forward and backward graph for Graphviz. Forward values are
// blue, the backward pass (adjoints, ∂loss/∂value) red and dashed, params and
// inputs are boxes, each gradient ends in a box of its own; every edge carries
// the shape of the value that flows along it.
import { topoSort, type Node, type Op } from '../ir/node.js';
import type { Model } from '../model.js';
import { formatNumber, printExpr, shapeText } from '../print.js';
import { isScalarShape } from '../ir/size.js';

const SYMBOL: { [O in Op]: string } = {
  param: 'param', input: 'input', state: 'state', const: 'const', size: 'size', mask: 'mask', mul: '⊙', matmul: 'A · B',
  add: '+', sub: '−', neg: '−x', div: '÷', pow: 'xᵖ', max: 'max', min: 'min', where: 'where', exp: 'exp', log: 'log',
  sqrt: '√', abs: '|x|', sign: 'sign', sin: 'sin', cos: 'cos', tanh: 'tanh', sigmoid: 'σ', relu: 'relu', softplus: 'softplus', erf: 'erf', gelu: 'gelu',
  lt: '<', le: '≤', gt: '>', ge: '≥', eq: '=', ne: '≠', transpose: 'ᵀ', reshape: 'reshape', broadcast: 'broadcast',
  sum: 'sum', rmax: 'max', logsumexp: 'logsumexp', onehot: 'onehot', pick: 'pick', gathercols: 'E[:, i]',
  scattercols: 'scatter', concat: 'concat', slice: 'slice',
};

function opLabel(n: Node): string {
  const a = n.attrs as Record<string, unknown>;
  if (n.op === 'mul') return n.inputs.some((x) => isScalarShape(x.shape)) ? '×' : '⊙';
  if (n.op === 'matmul') return `${a.ta ? 'Aᵀ' : 'A'} · ${a.tb ? 'Bᵀ' : 'B'}`;
  if (n.op === 'sum' || n.op === 'rmax' || n.op === 'logsumexp') return `${SYMBOL[n.op]}${a.axis === 'all' ? '' : ` (axis ${a.axis})`}`;
  return SYMBOL[n.op];
}

const q = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;

export function dotGraph(model: Model, title: string, mode: 'train' | 'eval' = 'train'): string {
  const g = model[mode];
  const loss = model.loss.name;
  const forwardRoots = [g.loss, ...g.outputs.values()];
  const forward = new Set(topoSort(forwardRoots).map((n) => n.id));
  const all = topoSort([...forwardRoots, ...g.grads.values()]);
  const adjointOf = new Map<number, string>();
  for (const [fwd, adj] of g.adjoints) {
    const name = model.names.get(fwd);
    if (name && !adjointOf.has(adj.id) && !forward.has(adj.id)) adjointOf.set(adj.id, name);
  }
  const id = (n: Node) => `n${n.id}`;
  // Inside labels, named values and adjoints go by name: `Wᵀ ∂s/∂z`.
  const namer = (n: Node) => model.names.get(n.id) ?? (adjointOf.has(n.id) ? `∂${loss}/∂${adjointOf.get(n.id)}` : undefined);
  const math = (n: Node) => {
    const s = printExpr(n, namer);
    return s.length <= 24 ? s : '';
  };
  const fwdLines: string[] = [];
  const bwdLines: string[] = [];
  // One cluster per equation: its forward nodes, and the backward nodes its rules made.
  const equationAt = new Map<number, string>();
  for (const n of all) {
    const o = model.origins.get(n.id);
    const m = o && /^the equation for (.+)$/u.exec(o.rule);
    if (m && !equationAt.has(o.loc.line)) equationAt.set(o.loc.line, m[1]!);
  }
  const clusters = new Map<string, { label: string; lines: string[]; backward: boolean }>();
  const intoCluster = (n: Node, line: string): boolean => {
    const o = model.origins.get(n.id);
    const eq = o && equationAt.get(o.loc.line);
    if (!eq || n.inputs.length === 0) return false;
    const back = !forward.has(n.id);
    const key = `${back ? 'b' : 'f'}${o.loc.line}`;
    if (!clusters.has(key)) clusters.set(key, { label: back ? `∂ through ${eq} (line ${o.loc.line})` : `${eq} (line ${o.loc.line})`, lines: [], backward: back });
    clusters.get(key)!.lines.push(line);
    return true;
  };
  // Constants are drawn once per use, beside it: one shared node would pull long edges across the graph.
  const isConst = (n: Node) => n.op === 'const' || n.op === 'size';
  for (const n of all) {
    if (isConst(n)) continue;
    const into = forward.has(n.id) ? fwdLines : bwdLines;
    const a = n.attrs as Record<string, unknown>;
    let attrs: string;
    if (n.op === 'param') attrs = `shape=box, style="filled,bold", fillcolor="#fff3c4", label=${q(`${a.name}\nparam ${shapeText(n)}`)}`;
    else if (n.op === 'input') attrs = `shape=box, style=filled, fillcolor="#e8e8e8", label=${q(`${a.name}\ninput ${shapeText(n)}`)}`;
    else if (n.op === 'state') attrs = `shape=box, style=filled, fillcolor="#e8e8e8", label=${q(`${a.name}\nstate`)}`;
    else if (n.op === 'mask') attrs = `shape=box, style=dotted, label=${q(`dropout mask (p = ${formatNumber(a.p as number)})`)}`;
    else if (forward.has(n.id)) {
      const name = model.names.get(n.id);
      const tag = n === g.loss ? `${name ?? math(n)} (loss)` : name ?? math(n);
      attrs = `shape=ellipse, style=filled, fillcolor="#dbe9ff", color="#2b5fad", label=${q(tag ? `${opLabel(n)}\n${tag}` : opLabel(n))}`;
    } else {
      const adj = adjointOf.get(n.id);
      attrs = `shape=ellipse, style="filled,dashed", fillcolor="#ffe0dc", color="#c0392b", fontcolor="#7b241c", label=${q(adj ? `${opLabel(n)}\n∂${loss}/∂${adj}` : [opLabel(n), math(n)].filter(Boolean).join('\n'))}`;
    }
    const line = `    ${id(n)} [${attrs}];`;
    if (!intoCluster(n, `  ${line}`)) into.push(line);
  }
  const edges: string[] = [];
  for (const n of all) {
    n.inputs.forEach((x, k) => {
      const back = !forward.has(n.id);
      const style = back ? ', color="#c0392b", fontcolor="#c0392b", style=dashed' : '';
      if (isConst(x)) {
        const c = `${id(x)}_${id(n)}_${k}`;
        const label = x.op === 'const' ? formatNumber((x.attrs as { value: number }).value) : String((x.attrs as { size: unknown }).size);
        const line = `    ${c} [shape=plaintext, fontsize=11, label=${q(label)}];`;
        if (!intoCluster(n, `  ${line}`)) (forward.has(n.id) ? fwdLines : bwdLines).push(line);
        edges.push(`  ${c} -> ${id(n)} [arrowsize=0.5${style}];`);
        return;
      }
      edges.push(`  ${id(x)} -> ${id(n)} [label=${q(shapeText(x))}${style}];`);
    });
  }
  const clusterLines = (backward: boolean) =>
    [...clusters].filter(([, c]) => c.backward === backward).flatMap(([key, c]) => [
      `    subgraph cluster_eq_${key} {`,
      `      label=${q(c.label)}; style="rounded${backward ? ',dashed' : ''}"; color="${backward ? '#e6b0aa' : '#aac4ea'}"; fontsize=11;`,
      ...c.lines,
      '    }',
    ]);
  const results: string[] = [];
  for (const [name, n] of g.grads) {
    results.push(`  grad_${id(n)}_${results.length} [shape=box, style="rounded,filled,bold", fillcolor="#ffd0c8", color="#c0392b", label=${q(`∂${loss}/∂${name}`)}];`);
    edges.push(`  ${id(n)} -> grad_${id(n)}_${results.length - 1} [label=${q(shapeText(n))}, color="#c0392b", fontcolor="#c0392b", style=dashed];`);
  }
  return [
    `// Generated by gradc (--emit dot) from ${title}: render with \`dot -Tsvg\`, or use --emit svg.`,
    'digraph gradc {',
    `  graph [rankdir=TB, fontname="Helvetica", label=${q(`${title}: forward (blue) and backward (red, dashed), one box per equation; edges carry shapes`)}, labelloc=t, fontsize=16, nodesep=0.3, ranksep=0.45];`,
    '  node [fontname="Helvetica", fontsize=12];',
    '  edge [fontname="Helvetica", fontsize=10, arrowsize=0.7];',
    '  subgraph cluster_forward {',
    '    label="forward"; color="#2b5fad"; style=rounded; fontcolor="#2b5fad";',
    ...fwdLines,
    ...clusterLines(false),
    '  }',
    '  subgraph cluster_backward {',
    '    label="backward"; color="#c0392b"; style="rounded,dashed"; fontcolor="#c0392b";',
    ...bwdLines,
    ...clusterLines(true),
    ...results.map((r) => `  ${r}`),
    '  }',
    ...edges,
    '}',
    '',
  ].join('\n');
}
