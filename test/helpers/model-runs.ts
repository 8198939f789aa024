// Runs one model on every target with the same values: the reference
// interpreter (float64), the JS module in f64 and f32, and the WebGPU module
// when there is a device. The property, differential and regression tests
// compare what they return elementwise. (The op-table tests use the target
// registry of targets.ts; folding the two runners into one is still to do.)
import { randomInput } from '../../bin/commands/check.js';
import { interpret } from '../../compiler/interpret.js';
import { tensor, type Tensor } from '../../compiler/ir/tensor.js';
import type { JsonValue, Model } from '../../compiler/model.js';
import { instantiate, toArrays } from '../../runtime/instantiate.js';
import { importModule } from '../../runtime/load-module.js';
import type { GeneratedGpuModel } from '../../runtime/module-types.js';
import { bindValues } from '../../runtime/values.js';
import { emitWgsl } from '../../targets/wgsl/index.js';

/** What a target computes for one set of values, every tensor flat. */
export interface Result {
  loss: number;
  outputs: Record<string, number[]>;
  grad: Record<string, number[]>;
}

/** One set of values for a model: params (from the module's seeded init unless given), inputs, run-time dims. */
export interface Values {
  params: Record<string, Float64Array>;
  inputs: Record<string, Float64Array>;
  dims: Record<string, number>;
}

const flat = (v: number | ArrayLike<number>) => (typeof v === 'number' ? [v] : Array.from(v));
const flatAll = (r: Record<string, number | ArrayLike<number>>) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, flat(v)]));

/** Values for `model`: given ones, seeded random inputs otherwise, run-time dims as `dims` says. */
export async function drawValues(model: Model, seed: number, dims: Record<string, number> = {}, given: Record<string, number | number[] | number[][]> = {}): Promise<Values> {
  const bound = bindValues(model, 'values', given, dims, randomInput(seed));
  const m = await instantiate(model, { precision: 'f64', seed, dims: bound.dims });
  const params: Record<string, Float64Array> = {};
  for (const p of model.params) params[p.name] = bound.params[p.name] ?? Float64Array.from(m.params[p.name]!);
  return { params, inputs: bound.inputs, dims: bound.dims };
}

/** The reference interpreter's loss, outputs and gradients (training mode, step 0). */
export function reference(model: Model, v: Values, seed = 0): Result {
  const leaves: Record<string, Tensor> = {};
  const shaped = (shape: Model['params'][number]['shape'], data: ArrayLike<number>) => tensor(shape[0].eval(v.dims), shape[1].eval(v.dims), Float64Array.from(data));
  for (const p of model.params) leaves[p.name] = shaped(p.shape, v.params[p.name]!);
  for (const i of model.inputs) if (v.inputs[i.name]) leaves[i.name] = shaped(i.shape, v.inputs[i.name]!);
  for (const s of model.states) {
    const n = s.shape[0].eval(v.dims) * s.shape[1].eval(v.dims);
    leaves[s.name] = shaped(s.shape, new Array<number>(n).fill(s.init));
  }
  const g = model.train;
  const got = interpret([g.loss, ...g.outputs.values(), ...g.grads.values()], { values: leaves, dims: v.dims, seed });
  const of = (n: { id: number }) => Array.from(got.get(n.id)!.data);
  return {
    loss: got.get(g.loss.id)!.data[0]!,
    outputs: Object.fromEntries([...g.outputs].map(([k, n]) => [k, of(n)])),
    grad: Object.fromEntries([...g.grads].map(([k, n]) => [k, of(n)])),
  };
}

/** The JS module's results, in float64 or float32 (or the WebAssembly module's, float32). */
export async function js(model: Model, v: Values, precision: 'f32' | 'f64', seed = 0, target: 'js' | 'wasm' = 'js'): Promise<Result> {
  const m = await instantiate(model, { precision, seed, dims: v.dims, target });
  for (const [k, x] of Object.entries(v.params)) m.params[k]!.set(x);
  const inputs = toArrays(model, v.inputs, precision);
  const r = m.grad(inputs);
  return { loss: r.loss, grad: flatAll(r.grad), outputs: flatAll(m.forward(inputs).outputs) };
}

/** The WebGPU module's results on `device` (float32). */
export async function wgsl(device: GPUDevice, model: Model, v: Values, seed = 0): Promise<Result> {
  const host = await importModule<{ create(d: GPUDevice, o: object): Promise<GeneratedGpuModel> }>(emitWgsl(model).host);
  const m = await host.create(device, { seed, dims: v.dims });
  // load() sets the params and writes them to the device.
  await m.load(Object.fromEntries(Object.entries(v.params).map(([k, x]) => [k, Array.from(x)])));
  const inputs = toArrays(model, v.inputs, 'f32');
  const r = await m.grad(inputs);
  return { loss: r.loss, grad: flatAll(r.grad), outputs: flatAll((await m.forward(inputs)).outputs) };
}

/**
 * The worst disagreement of `got` with `want`, each element measured against
 * rtol times the larger of itself and its tensor's largest element (float32
 * rounds relative to the values a sum combines, not to the result), plus atol.
 * ≤ 1 is agreement.
 */
export function disagreement(got: Result, want: Result, rtol: number, atol = 1e-12): { ratio: number; at: string } {
  let w = { ratio: 0, at: '' };
  const tensors: [string, number[] | undefined, number[]][] = [
    ['loss', [got.loss], [want.loss]],
    ...Object.entries(want.outputs).map(([k, x]): [string, number[] | undefined, number[]] => [`output ${k}`, got.outputs[k], x]),
    ...Object.entries(want.grad).map(([k, x]): [string, number[] | undefined, number[]] => [`∂/∂${k}`, got.grad[k], x]),
  ];
  for (const [what, a, b] of tensors) {
    if (!a || a.length !== b.length) return { ratio: Infinity, at: `${what}: ${a ? `length ${a.length}, want ${b.length}` : 'missing'}` };
    const scale = b.reduce((m, y) => Math.max(m, Math.abs(y)), 0);
    b.forEach((y, k) => {
      const x = a[k]!;
      const r = Number.isNaN(x) && Number.isNaN(y) ? 0 : Math.abs(x - y) / (atol + rtol * Math.max(Math.abs(y), scale));
      const ratio = Number.isNaN(r) ? Infinity : r;
      if (ratio > w.ratio) w = { ratio, at: `${what}[${k}]: got ${x}, want ${y}` };
    });
  }
  return w;
}

/** Values as a values file holds them (nested rows), for `gradc check`'s finite differences. */
export function asJson(model: Model, v: Values): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {};
  for (const t of [...model.params, ...model.inputs]) {
    const data = v.params[t.name] ?? v.inputs[t.name];
    if (!data) continue;
    const x = Array.from(data);
    if (t.type.dims.length === 0) out[t.name] = x[0]!;
    else if (t.type.dims.length === 1) out[t.name] = x;
    else {
      const cols = t.shape[1].eval(v.dims);
      out[t.name] = Array.from({ length: x.length / cols }, (_, i) => x.slice(i * cols, (i + 1) * cols));
    }
  }
  return out;
}
