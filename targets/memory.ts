// How much memory a generated module plans to hold: params, their gradients
// and optimizer slots, and the buffers of the grad program, as a size over the
// run-time dims. Checked against a limit at compile time (when the dims are
// known) and again by the module's create() and at each new set of run-time
// sizes, so `dim d = 100000` with `param W : [d, d]` is refused with a message
// instead of failing deep inside an allocation.
import { numel, Size } from '../compiler/ir/size.js';
import type { Model, ParamInfo } from '../compiler/model.js';
import { programGraph } from '../compiler/program.js';
import { OPTIMIZER_SLOTS } from './optimizer.js';
import { plan } from './plan.js';

/** The default limit of `--max-memory` and of create({ maxMemory }): 4 GiB. */
export const DEFAULT_MAX_MEMORY = 2 ** 32;

/** Elements held for the params: each with its gradient and optimizer slots. */
export function paramElements(model: Model): Size {
  const copies = 2 + (OPTIMIZER_SLOTS[model.optimizer.name]?.length ?? 0);
  return model.params.reduce((a, p) => a.add(numel(p.shape).mul(Size.of(copies))), Size.of(0));
}

/** Elements of the grad program's buffers (the program every target compiles: compiler/program.ts). */
export function bufferElements(model: Model): Size {
  const g = plan(programGraph(model, model.train, 'grad').roots);
  return g.slotSizes.reduce((a, s) => a.add(s[0].mul(s[1])), Size.of(0));
}

/** The planned bytes when every size is fixed at compile time; undefined otherwise. */
export function plannedBytes(model: Model, bytesPerElement: number): number | undefined {
  const n = paramElements(model).add(bufferElements(model)).constant;
  return n === undefined ? undefined : n * bytesPerElement;
}

/** The param that holds the most, for pointing at the place of a too-large model. */
export function largestParam(model: Model): ParamInfo | undefined {
  return [...model.params].sort((a, b) => (numel(b.shape).constant ?? 0) - (numel(a.shape).constant ?? 0))[0];
}

export function formatBytes(n: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];
  let k = 0;
  for (; n >= 1024 && k < units.length - 1; k++) n /= 1024;
  return `${k ? n.toPrecision(3) : n} ${units[k]}`;
}
