// Memory of gradc's CPU module for one workload: what it plans (params,
// optimizer state, and the grad program's buffers at the run's sizes) against
// the least any implementation needs: params + optimizer state + the gradients
// it must return (a gradient that is an input or param itself needs no memory)
// + the forward values the backward pass reads.
import { topoSort, type Node } from '../../compiler/ir/node.js';
import { numel } from '../../compiler/ir/size.js';
import type { Model } from '../../compiler/model.js';
import { OPTIMIZER_SLOTS } from '../../targets/optimizer.js';
import { programSchedule } from '../../targets/js/schedule.js';

export interface Memory {
  planned_bytes: number;
  minimum_bytes: number;
  detail: string;
}

const F32 = 4;

export function memoryReport(model: Model, dims: Record<string, number>): Memory {
  const count = (n: { shape: Node['shape'] }) => numel(n.shape).eval(dims);
  const params = model.params.reduce((s, p) => s + count(p), 0);
  const slots = (OPTIMIZER_SLOTS[model.optimizer.name] ?? []).length * params;
  const states = model.states.reduce((s, x) => s + count(x), 0);
  const { graph, plan, schedule } = programSchedule(model, model.train, 'grad');
  const buffers = schedule.slotSizes.reduce((s, shape) => s + numel(shape).eval(dims), 0);

  const leaf = (n: Node) => plan.storage.get(n.id) === 'leaf';
  const gradNodes = new Set([...graph.grads.values()].filter((n) => !leaf(n)));
  const grads = [...gradNodes].reduce((s, n) => s + count(n), 0);
  // Forward values read by the steps of the backward pass.
  const forward = new Set(topoSort([graph.loss]).map((n) => n.id));
  const base = (x: Node) => (plan.storage.get(x.id) === 'view' ? plan.viewOf.get(x.id)! : x);
  const needed = new Set<Node>();
  const visit = (n: Node) => {
    for (const x of n.inputs) {
      if (plan.storage.get(x.id) === 'inline') visit(x);
      else if (forward.has(base(x).id) && plan.storage.get(base(x).id) === 'buffer' && !gradNodes.has(base(x))) needed.add(base(x));
    }
  };
  for (const s of schedule.steps) {
    if (forward.has(s.node.id)) continue;
    visit(s.node);
    if (s.product) visit(s.product);
  }
  const activations = [...needed].reduce((s, n) => s + count(n), 0);
  const planned = (params + slots + states + buffers) * F32;
  const minimum = (params + slots + states + grads + activations) * F32;
  const kib = (n: number) => `${((n * F32) / 1024).toFixed(n * F32 < 10240 ? 1 : 0)} KiB`;
  return {
    planned_bytes: planned,
    minimum_bytes: minimum,
    detail: `params ${kib(params)}${slots ? ` + optimizer ${kib(slots)}` : ''} + buffers ${kib(buffers)}; minimum: gradients ${kib(grads)}, activations ${kib(activations)}`,
  };
}
