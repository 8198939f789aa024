// The targets every op-table test runs on, and the reference they are held to.
// A target is one entry of TARGETS_UNDER_TEST: how to open it here (or one line
// saying why it cannot run on this machine), how close to float64 it must come,
// and how to run a compiled model's forward and grad programs on bound values.
// A new target (targets/wasm/, …) is tested on every op by adding its entry.
import { randomInput } from '../../bin/commands/check.js';
import { interpret } from '../../compiler/interpret.js';
import { tensor, type Tensor } from '../../compiler/ir/tensor.js';
import type { Model } from '../../compiler/model.js';
import { nodeDevice } from '../../runtime/gpu/device.js';
import { instantiate, toArrays } from '../../runtime/instantiate.js';
import { importModule } from '../../runtime/load-module.js';
import type { GeneratedGpuModel, GeneratedModule, ResultValue } from '../../runtime/module-types.js';
import type { BoundValues } from '../../runtime/values.js';
import { emitJsModule } from '../../targets/js/module.js';
import { emitWgsl } from '../../targets/wgsl/index.js';

/** What a program returns, flattened: the loss, the outputs (forward) and the gradients (grad). */
export interface Results {
  loss: number;
  outputs: Record<string, number[]>;
  grad: Record<string, number[]>;
}

/** Runs `model` at `values` (params set to values.params, dropout drawn from `seed`). */
export type Runner = (model: Model, values: BoundValues, seed: number) => Promise<Results>;

export interface TargetUnderTest {
  name: string;
  /** Allowed difference from the float64 reference: |a − b| ≤ atol + rtol·|b|. */
  rtol: number;
  atol: number;
  /** The runner, or why this target cannot run on this machine (reported by the test, never skipped silently). */
  open(): Promise<Runner | string>;
}

const flat = (v: ResultValue) => (typeof v === 'number' ? [v] : Array.from(v));
const flatAll = (r: Record<string, ResultValue>) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, flat(v)]));

export const TARGETS_UNDER_TEST: TargetUnderTest[] = [
  {
    name: 'js',
    rtol: 1e-9,
    atol: 1e-12,
    open: async () => async (model, values, seed) => {
      const m = (await importModule<GeneratedModule>(emitJsModule(model, { precision: 'f64' }))).create({ seed, dims: values.dims });
      for (const [k, v] of Object.entries(values.params)) m.params[k]!.set(v);
      const inputs = toArrays(model, values.inputs, 'f64');
      const g = m.grad(inputs);
      return { loss: g.loss, outputs: flatAll(m.forward(inputs).outputs), grad: flatAll(g.grad) };
    },
  },
  {
    name: 'wasm',
    rtol: 1e-4,
    atol: 1e-5,
    open: async () => async (model, values, seed) => {
      const m = await instantiate(model, { target: 'wasm', seed, dims: values.dims });
      for (const [k, v] of Object.entries(values.params)) m.params[k]!.set(v);
      const inputs = toArrays(model, values.inputs, 'f32');
      // Results are views on the module's memory: copied (flatAll) before the next call.
      const g = await m.grad(inputs);
      const grad = flatAll(g.grad);
      const loss = g.loss;
      return { loss, grad, outputs: flatAll((await m.forward(inputs)).outputs) };
    },
  },
  {
    name: 'wgsl',
    rtol: 1e-4,
    atol: 1e-5,
    open: async () => {
      const probe = await nodeDevice();
      if (!probe.device) return probe.reason;
      const device = probe.device;
      return async (model, values, seed) => {
        const host = await importModule<{ create(d: GPUDevice, o: object): Promise<GeneratedGpuModel> }>(emitWgsl(model).host);
        const m = await host.create(device, { seed, dims: values.dims });
        for (const [k, v] of Object.entries(values.params)) m.params[k]!.set(v);
        const inputs = toArrays(model, values.inputs, 'f32');
        const g = await m.grad(inputs);
        return { loss: g.loss, outputs: flatAll((await m.forward(inputs)).outputs), grad: flatAll(g.grad) };
      };
    },
  },
];

const opened = new Map<string, Promise<Runner | string>>();
/** Each target opened once per test file. */
export function openTarget(t: TargetUnderTest): Promise<Runner | string> {
  if (!opened.has(t.name)) opened.set(t.name, t.open());
  return opened.get(t.name)!;
}

/** Values for every param too: those the model or `values` leave open drawn as check draws inputs (N(0, 1), seeded). */
export function withParams(model: Model, values: BoundValues, seed: number): BoundValues {
  const draw = randomInput(seed);
  const params = { ...values.params };
  for (const p of model.params) params[p.name] ??= draw({ ...p, int: false, used: true }, values.dims);
  return { ...values, params };
}

/** Leaf tensors for the interpreter: params and inputs from `values`, states at their initial value. */
export function leafValues(model: Model, values: BoundValues): Record<string, Tensor> {
  const leaves: Record<string, Tensor> = {};
  const at = (s: { eval(d: Record<string, number>): number }) => s.eval(values.dims);
  for (const t of [...model.params, ...model.inputs]) {
    const v = values.params[t.name] ?? values.inputs[t.name];
    if (v) leaves[t.name] = tensor(at(t.shape[0]), at(t.shape[1]), v);
  }
  for (const s of model.states) {
    leaves[s.name] = tensor(at(s.shape[0]), at(s.shape[1]), new Array(at(s.shape[0]) * at(s.shape[1])).fill(s.init));
  }
  return leaves;
}

/** The reference interpreter's results for the model's train graph (the mathematical graph, before any target pass). */
export function reference(model: Model, values: BoundValues, seed: number): Results {
  const g = model.train;
  const v = interpret([g.loss, ...g.outputs.values(), ...g.grads.values()], { values: leafValues(model, values), dims: values.dims, seed });
  const get = (id: number) => Array.from(v.get(id)!.data);
  const byName = (m: Map<string, { id: number }>) => Object.fromEntries([...m].map(([k, n]) => [k, get(n.id)]));
  return { loss: get(g.loss.id)[0]!, outputs: byName(g.outputs), grad: byName(g.grads) };
}

/** The first place where `a` and `b` differ by more than atol + rtol·|b| (NaN equals NaN), or undefined. */
export function firstDifference(a: Results, b: Results, rtol: number, atol: number): string | undefined {
  const same = (x: number | undefined, y: number) => (Number.isNaN(y) ? Number.isNaN(x) : x !== undefined && Math.abs(x - y) <= atol + rtol * Math.abs(y));
  if (!same(a.loss, b.loss)) return `loss: ${a.loss} vs ${b.loss}`;
  for (const part of ['outputs', 'grad'] as const) {
    const keys = Object.keys(b[part]);
    if (Object.keys(a[part]).sort().join() !== [...keys].sort().join()) return `${part}: names ${Object.keys(a[part])} vs ${keys}`;
    for (const k of keys) {
      const x = a[part][k]!, y = b[part][k]!;
      if (x.length !== y.length) return `${part}.${k}: ${x.length} values vs ${y.length}`;
      const i = y.findIndex((yi, i) => !same(x[i], yi));
      if (i >= 0) return `${part}.${k}[${i}]: ${x[i]} vs ${y[i]}`;
    }
  }
  return undefined;
}
