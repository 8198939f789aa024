// Helpers for the WGSL tests: the models every test runs over, a device (or one
// line saying why there is none), and the JS module and the WebGPU module of
// one model side by side.
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import type { Model } from '../../compiler/model.js';
import { nodeDevice } from '../../runtime/gpu/device.js';
import { importModule } from '../../runtime/load-module.js';
import type { GeneratedGpuModel, GeneratedModel, GeneratedModule } from '../../runtime/module-types.js';
import { emitJsModule } from '../../targets/js/module.js';
import { emitWgsl } from '../../targets/wgsl/index.js';

const root = resolve(import.meta.dirname, '../..');

/** A model from source text; its errors, if any, thrown with their places. */
import { compileOk as compile } from '../helpers/run.js';
export { compile };

/** The examples and the public conformance models that compile: name → source. */
export function corpus(): [string, string][] {
  const out: [string, string][] = [];
  for (const f of readdirSync(resolve(root, 'examples')).filter((f) => f.endsWith('.nn')).sort()) {
    out.push([`examples/${f}`, readFileSync(resolve(root, 'examples', f), 'utf8')]);
  }
  const cases = resolve(root, '../shared/conformance/public');
  if (existsSync(cases)) {
    for (const c of readdirSync(cases).sort()) {
      const file = resolve(cases, c, 'model.nn');
      const expected = resolve(cases, c, 'expected.json');
      if (!existsSync(file) || !existsSync(expected) || 'exit' in JSON.parse(readFileSync(expected, 'utf8'))) continue;
      out.push([`conformance/${basename(c)}`, readFileSync(file, 'utf8')]);
    }
  }
  return out;
}

/** Models that reach the ops and names the examples do not: dropout, batchnorm, lookups, concat, keywords. */
export const FEATURES: [string, string][] = [
  ['dropout and batchnorm', `
dim N
input X : [5, N]
input y : [N] int
param W : [6, 5] ~ he
param g : [6] ~ ones
param b : [6]
param V : [3, 6] ~ xavier
optimizer momentum(lr = 0.1)
H = dropout(relu(batchnorm(W X, g, b)), 0.3)
loss J = mean(softmax_cross_entropy(V H, y))
output p = softmax(V H)
`],
  ['lookups, concat, elementwise zoo', `
dim d = 3, V = 7, K = 4
input ids : [K] int
input i : int
param E : [d, V] ~ normal(1)
param u : [2*d + 1]
param a : [1]
optimizer adagrad(lr = 0.1)
w = concat(E[:, i], sum(tanh(E[:, ids]), axis = 1), a)
s = sigmoid(w) + softplus(-w) + abs(w) * sign(w) + sqrt(w * w + 1) + sin(w) * cos(w)
r = max(w, 0.2) - min(w, -0.1) + where(w > 0, exp(-w), log(1 + w * w)) + (w - 1)^3 + leaky_relu(w) + elu(w)
loss L = uᵀ (s + r) + logsumexp(w) + max(w, axis = 0) + 0.1 * ‖E‖^2
`],
  ['a loss that is a param', 'param x = 3\nloss x\n'],
  ['gradients that are leaves, shared values and slices', `
param a : [2] = [0.5, -1.5]
param b : [3] = [1, 2, -0.5]
param c
param d
input v : [5] = [0.1, 0.2, -0.3, 0.4, 0.5]
wrt v
z = concat(a, b)
loss s = vᵀ tanh(z) + sum(v) * c + sum(v) * d + c * d
`],
  ['transposes, row and column reductions', `
dim N
input X : [3, N]
param W : [N, 3] ~ normal(1)
param u : [3]
optimizer rmsprop(lr = 0.01, clip = 0.5)
schedule cosine(period = 10)
A = W' * X + u
m = max(A, axis = 1) + mean(A, axis = 1)
k = sum(logsumexp(A, axis = 1)) - sum(logsumexp(Aᵀ, axis = 1))
loss L = sum(m * m) + k + max(A) + sum(max(A, axis = 0))
`],
  ['keyword names', `
param fn : [2] = [0.5, -0.25]
param let = 2
param loop : [2, 2] = [[1, 2], [3, 4]]
param λ = 0.3
input var : [2] = [1, -1]
wrt var
loss return = sum(loop fn * var) * let + λ * sum(fn^2)
`],
];

/** Why no device here (undefined when there is one), printed once as one line. */
let said = false;
export async function gpuOrReason(what: string): Promise<{ device?: GPUDevice; reason?: string }> {
  const probe = await nodeDevice();
  if (probe.device) return { device: probe.device };
  if (!said) console.log(`${what}: skipped: ${probe.reason}`);
  said = true;
  return { reason: probe.reason };
}

export interface Pair {
  js: GeneratedModel;
  gpu: GeneratedGpuModel;
}

/** The CPU module and the WebGPU module of one model, created with the same seed and dims. */
export async function pair(device: GPUDevice, model: Model, seed = 0, dims: Record<string, number> = {}): Promise<Pair> {
  const js = (await importModule<GeneratedModule>(emitJsModule(model))).create({ seed, dims });
  const host = await importModule<{ create(d: GPUDevice, o: object): Promise<GeneratedGpuModel> }>(emitWgsl(model).host);
  return { js, gpu: await host.create(device, { seed, dims }) };
}

/** The worst |a − b| / (atol + rtol·|b|) over two results: ≤ 1 means equal within float32 tolerance. */
export function worst(a: unknown, b: unknown, rtol = 1e-4, atol = 1e-5, path = ''): { ratio: number; at: string } {
  if (typeof b === 'number') {
    const x = a as number;
    const r = Number.isNaN(b) && Number.isNaN(x) ? 0 : Math.abs(x - b) / (atol + rtol * Math.abs(b));
    return { ratio: Number.isNaN(r) ? Infinity : r, at: path };
  }
  if (ArrayBuffer.isView(b) || Array.isArray(b)) {
    const bs = b as ArrayLike<number>;
    const as = a as ArrayLike<number>;
    if (!as || as.length !== bs.length) return { ratio: Infinity, at: `${path} (length ${as?.length} vs ${bs.length})` };
    let w = { ratio: 0, at: path };
    for (let k = 0; k < bs.length; k++) {
      const r = worst(as[k], bs[k], rtol, atol, `${path}[${k}]`);
      if (r.ratio > w.ratio) w = r;
    }
    return w;
  }
  let w = { ratio: 0, at: path };
  const keys = Object.keys(b as object);
  if (Object.keys(a as object).sort().join() !== [...keys].sort().join()) return { ratio: Infinity, at: `${path} (keys differ)` };
  for (const k of keys) {
    const r = worst((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], rtol, atol, `${path}.${k}`);
    if (r.ratio > w.ratio) w = r;
  }
  return w;
}
