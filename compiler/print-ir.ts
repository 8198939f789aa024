// The IR as text, one node a line: `%7 = matmul{ta}(%3, %5) : [4, 1]   # z`.
import { topoSort, type Node } from './ir/node.js';
import { Size, shapeKey } from './ir/size.js';
import type { Model } from './model.js';

function attrs(n: Node): string {
  const a = Object.entries(n.attrs).filter(([k, v]) => !(k === 'int' && v === false) && !(k === 'name'));
  if (!a.length) return '';
  return `{${a.map(([k, v]) => (typeof v === 'boolean' ? (v ? k : '') : `${k}=${v instanceof Size ? v.key : v}`)).filter(Boolean).join(', ')}}`;
}

export function printIr(model: Model, mode: 'train' | 'eval' = 'train'): string {
  const g = model[mode];
  const roots = [g.loss, ...g.outputs.values(), ...g.grads.values(), ...g.updates.values()];
  const order = topoSort(roots);
  const label = new Map<number, string[]>();
  const add = (n: Node, s: string) => label.set(n.id, [...(label.get(n.id) ?? []), s]);
  add(g.loss, `loss ${model.loss.name}`);
  for (const [k, n] of g.outputs) add(n, `output ${k}`);
  for (const [k, n] of g.grads) add(n, `∂${model.loss.name}/∂${k}`);
  for (const [k, n] of g.updates) add(n, `new ${k}`);
  const lines = order.map((n) => {
    const name = n.inputs.length === 0
      ? 'name' in n.attrs ? `${n.op} ${(n.attrs as { name: string }).name}` : `${n.op}${attrs(n)}`
      : `${n.op}${attrs(n)}(${n.inputs.map((i) => `%${i.id}`).join(', ')})`;
    const tags = [model.names.get(n.id), ...(label.get(n.id) ?? [])].filter(Boolean);
    return `%${n.id} = ${name} : ${shapeKey(n.shape)}${n.int ? ' int' : ''}${tags.length ? `   # ${tags.join(', ')}` : ''}`;
  });
  return `# ${mode} mode: ${order.length} nodes\n${lines.join('\n')}\n`;
}
