// The reference interpreter: evaluates IR nodes in float64, one op at a time,
// by the op table's `eval`. It is the executable definition of every op; the
// generated JS and WGSL are tested against it.
import { topoSort, type Node } from './ir/node.js';
import type { Tensor } from './ir/tensor.js';
import { tensor } from './ir/tensor.js';
import { OPS, type EvalContext } from './ops/index.js';
import { dropoutMask } from './random.js';

export interface InterpretOptions {
  /** Values of params, inputs and state, by name. */
  values: Readonly<Record<string, Tensor>>;
  /** Values of the run-time dims. */
  dims: Readonly<Record<string, number>>;
  /** Seed and step for dropout masks. */
  seed?: number;
  step?: number;
}

/** Evaluates `roots`; returns the value of every node evaluated, by node id. */
export function interpret(roots: readonly Node[], opts: InterpretOptions): Map<number, Tensor> {
  const ctx: EvalContext = {
    dims: opts.dims,
    leaf: (n) => {
      const name = (n.attrs as { name: string }).name;
      const v = Object.hasOwn(opts.values, name) ? opts.values[name] : undefined;
      if (!v) throw new Error(`no value for '${name}'`);
      return v;
    },
    mask: (id, p, rows, cols) => tensor(rows, cols, dropoutMask(opts.seed ?? 0, id, opts.step ?? 0, p, rows * cols)),
  };
  const values = new Map<number, Tensor>();
  for (const n of topoSort(roots)) {
    const inputs = n.inputs.map((i) => values.get(i.id)!);
    values.set(n.id, OPS[n.op].eval(inputs, n as never, ctx));
  }
  return values;
}
