// The four workloads, each for every system: the same data and the same
// initial params (gradc's, copied into the others), and a result (gradients,
// or params after one update) to compare before anything is timed.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { compileSource } from '../../compiler/compile.js';
import type { Model } from '../../compiler/model.js';
import { uniform } from '../../compiler/random.js';
import { importModule } from '../../runtime/load-module.js';
import type { GeneratedModel, GeneratedModule } from '../../runtime/module-types.js';
import { emitJsModule } from '../../targets/js/module.js';
import { emitWasm } from '../../targets/wasm/index.js';
import * as hand from './handwritten.js';
import * as jaxjs from './jaxjs.js';
import * as tfw from './tfjs.js';

export const SYSTEMS = ['gradc-js', 'gradc-wasm', 'handwritten', 'jax-js', 'tfjs-cpu', 'tfjs-wasm', 'gradc-wgsl', 'tfjs-webgpu'] as const;
export type SystemName = (typeof SYSTEMS)[number];

/** What a system computes from the initial state: the loss and tensors to compare. */
export interface Result {
  loss: number;
  tensors: Record<string, ArrayLike<number>>;
}

export interface Instance {
  /** One timed call (synchronous, finished when it returns). */
  run(): unknown;
  /** The result to compare; called on a fresh instance, before `run`. */
  result(): Result;
  dispose?(): void;
}

export interface Workload {
  name: 'W1' | 'W2' | 'W3' | 'W4';
  title: string;
  /** What one timed call does. */
  call: string;
  /** The model file under test/bench/models/. */
  file: string;
  model: Model;
  /** gradc's module, for the memory report. */
  dims: Record<string, number>;
  /** Instances of each CPU system, fresh from the initial params at each call. */
  systems: Partial<Record<SystemName, () => Promise<Instance>>>;
  /** Flops of one timed call's matrix products (W1, W3), for GFLOP/s. */
  flops?: number;
  /** What result() holds (with the loss): the gradients, or the params after one step. */
  compares: 'gradients' | 'params after one step';
  /** For modules with gradc's interface (the GPU one): the method timed, its inputs, and the initial state. */
  method: 'step' | 'grad';
  inputs: Record<string, Float32Array | Int32Array>;
  initial: Record<string, Float32Array | Float64Array>;
  /** The workload in TF.js, on whatever backend is active. */
  tfjs: (tf: tfw.Tf) => tfw.TfWorkload;
}

export const modelsDir = (root: string) => resolve(root, 'test/bench/models');

/** Seeded data: k-th value of stream `s`, uniform in [lo, hi). */
function data(n: number, stream: number, lo = 0, hi = 1): Float32Array {
  const out = new Float32Array(n);
  for (let k = 0; k < n; k++) out[k] = lo + (hi - lo) * uniform(12345, stream, k);
  return out;
}
function labels(n: number, classes: number, stream: number): Int32Array {
  const out = new Int32Array(n);
  for (let k = 0; k < n; k++) out[k] = Math.floor(classes * uniform(12345, stream, k));
  return out;
}

export function compileModel(root: string, file: string): Model {
  const r = compileSource(readFileSync(resolve(modelsDir(root), file), 'utf8'));
  if (!r.model) throw new Error(`${file}: ${r.diagnostics.sorted().map((d) => d.message).join('; ')}`);
  return r.model;
}

/** gradc's module for a model, and a fresh instance holding the initial params. */
async function gradcJs(model: Model, file: string) {
  const mod = await importModule<GeneratedModule>(emitJsModule(model, { source: file }));
  const initial = mod.create({ seed: 0 }).state();
  const fresh = (): GeneratedModel => {
    const m = mod.create({ seed: 0 });
    m.load(initial);
    return m;
  };
  const params = (): hand.Params => Object.fromEntries(Object.entries(fresh().params).map(([k, v]) => [k, Float32Array.from(v)]));
  // The wasm module of the same model, from the same initial state.
  const wasm = await importModule<GeneratedModule>(emitWasm(model, { source: file }).host);
  const freshWasm = (): GeneratedModel => {
    const m = wasm.create({ seed: 0 });
    m.load(initial);
    return m;
  };
  return { fresh, freshWasm, params, initial };
}

/** gradc's module (JS or wasm) as a system: `call` is what is timed, `result` what is compared. */
function gradcSystem(make: () => GeneratedModel, run: (m: GeneratedModel) => unknown, result: (m: GeneratedModel) => Result) {
  return async (): Promise<Instance> => {
    const m = make();
    return { run: () => run(m), result: () => result(m) };
  };
}

const gradResult = (r: { loss: number; grad: Record<string, ArrayLike<number> | number> }): Result => ({
  loss: r.loss,
  tensors: Object.fromEntries(Object.entries(r.grad).map(([k, v]) => [k, typeof v === 'number' ? [v] : Float32Array.from(v)])),
});

let tfPromise: Promise<tfw.Tf> | undefined;
const tf = () => (tfPromise ??= tfw.loadTf());

/** The tfjs systems of a workload, on both CPU backends (webgpu is in gpu-child.ts). */
function tfjsSystems(make: (tf: tfw.Tf) => tfw.TfWorkload): Partial<Record<SystemName, () => Promise<Instance>>> {
  const on = (backend: 'cpu' | 'wasm') => async (): Promise<Instance> => {
    const t = await tf();
    await tfw.useBackend(t, backend);
    const w = make(t);
    return { ...tfw.syncCalls(w, t), dispose: w.dispose };
  };
  return { 'tfjs-cpu': on('cpu'), 'tfjs-wasm': on('wasm') };
}

export const loadTf = tf;

export async function workloads(root: string): Promise<Workload[]> {
  const out: Workload[] = [];

  {
    // W1 mlp-small: one SGD step on a batch of 64.
    const N = 64;
    const file = 'mlp-small.nn';
    const model = compileModel(root, file);
    const g = await gradcJs(model, file);
    const X = data(784 * N, 1);
    const y = labels(N, 10, 2);
    const tfjs = (t: tfw.Tf) => tfw.mlpSmall(t, g.params(), X, y, N);
    out.push({
      name: 'W1', title: 'mlp-small', call: 'one SGD step, X [784, 64]', file, model, dims: { N }, compares: 'gradients',
      // W1 X and δ₁ Xᵀ (784 × 128 × 64), W2 H, W2ᵀ δ₂ and δ₂ Hᵀ (128 × 10 × 64); no Xᵀ δ (X is not differentiated).
      flops: 2 * N * (2 * 784 * 128 + 3 * 128 * 10),
      method: 'step', inputs: { X, y }, initial: g.initial, tfjs,
      systems: {
        'gradc-js': async () => {
          const m = g.fresh();
          return { run: () => m.step({ X, y }), result: () => gradResult(m.grad({ X, y })) };
        },
        'gradc-wasm': gradcSystem(g.freshWasm, (m) => m.step({ X, y }), (m) => gradResult(m.grad({ X, y }))),
        'jax-js': () => jaxjs.mlpSmall(g.params(), X, y, N),
        handwritten: async () => {
          const h = hand.mlpSmall(g.params(), N);
          return { run: () => h.step(X, y), result: () => ({ loss: h.gradient(X, y), tensors: h.grad }) };
        },
        ...tfjsSystems(tfjs),
      },
    });
  }

  {
    // W2 window: s = uᵀ relu(W x + b); gradients for W, b, u and x.
    const file = 'window.nn';
    const model = compileModel(root, file);
    const g = await gradcJs(model, file);
    const x = data(250, 3, -1, 1);
    const tfjs = (t: tfw.Tf) => tfw.window(t, g.params(), x);
    out.push({
      name: 'W2', title: 'window', call: 'gradients for W, b, u, x', file, model, dims: {}, compares: 'gradients',
      method: 'grad', inputs: { x }, initial: g.initial, tfjs,
      systems: {
        'gradc-js': async () => {
          const m = g.fresh();
          return { run: () => m.grad({ x }), result: () => gradResult(m.grad({ x })) };
        },
        'gradc-wasm': gradcSystem(g.freshWasm, (m) => m.grad({ x }), (m) => gradResult(m.grad({ x }))),
        'jax-js': () => jaxjs.window(g.params(), x),
        handwritten: async () => {
          const h = hand.window(g.params());
          return { run: () => h.gradient(x), result: () => ({ loss: h.gradient(x), tensors: h.grad }) };
        },
        ...tfjsSystems(tfjs),
      },
    });
  }

  {
    // W3 mlp-large: forward + backward, 1024 → 1024 → 1024 on a batch of 256.
    const N = 256;
    const file = 'mlp-large.nn';
    const model = compileModel(root, file);
    const g = await gradcJs(model, file);
    const X = data(1024 * N, 4, -1, 1);
    const tfjs = (t: tfw.Tf) => tfw.mlpLarge(t, g.params(), X, N);
    out.push({
      name: 'W3', title: 'mlp-large', call: 'forward + backward, X [1024, 256]', file, model, dims: { N }, compares: 'gradients',
      // Five products of 1024 × 1024 × 256: W1 X, W2 H, W2ᵀ δ, δ Hᵀ, δ₁ Xᵀ.
      flops: 5 * 2 * 1024 * 1024 * N,
      method: 'grad', inputs: { X }, initial: g.initial, tfjs,
      systems: {
        'gradc-js': async () => {
          const m = g.fresh();
          return { run: () => m.grad({ X }), result: () => gradResult(m.grad({ X })) };
        },
        'gradc-wasm': gradcSystem(g.freshWasm, (m) => m.grad({ X }), (m) => gradResult(m.grad({ X }))),
        'jax-js': () => jaxjs.mlpLarge(g.params(), X, N),
        handwritten: async () => {
          const h = hand.mlpLarge(g.params(), N);
          return { run: () => h.gradient(X), result: () => ({ loss: h.gradient(X), tensors: h.grad }) };
        },
        ...tfjsSystems(tfjs),
      },
    });
  }

  {
    // W4 adam-1M: the loss gᵀP and one Adam step of 1,000,000 params.
    const file = 'adam-1m.nn';
    const model = compileModel(root, file);
    const g = await gradcJs(model, file);
    const grad = data(1_000_000, 5, -0.01, 0.01);
    const tfjs = (t: tfw.Tf) => tfw.adam(t, g.params().P!, grad);
    out.push({
      name: 'W4', title: 'adam-1M', call: 'Adam step of 10⁶ params, gradient given', file, model, dims: {}, compares: 'params after one step',
      method: 'step', inputs: { g: grad }, initial: g.initial, tfjs,
      systems: {
        'gradc-js': async () => {
          const m = g.fresh();
          return { run: () => m.step({ g: grad }), result: () => ({ loss: m.step({ g: grad }), tensors: { P: Float32Array.from(m.params.P!) } }) };
        },
        'gradc-wasm': gradcSystem(g.freshWasm, (m) => m.step({ g: grad }), (m) => ({ loss: m.step({ g: grad }), tensors: { P: Float32Array.from(m.params.P!) } })),
        'jax-js': () => jaxjs.adam(g.params().P!, grad),
        handwritten: async () => {
          const P = g.params().P!;
          const h = hand.adam(P);
          return { run: () => h.step(grad), result: () => ({ loss: h.step(grad), tensors: { P: Float32Array.from(P) } }) };
        },
        ...tfjsSystems(tfjs),
      },
    });
  }
  return out;
}

/** Largest |a − b| over the largest |a| (the reference's scale), per tensor; and the loss's relative error. */
export function compare(ref: Result, got: Result): { worst: number; detail: string } {
  let worst = Math.abs(got.loss - ref.loss) / Math.max(Math.abs(ref.loss), 1e-12);
  const parts = [`loss ${worst.toExponential(1)}`];
  for (const [k, a] of Object.entries(ref.tensors)) {
    const b = got.tensors[k];
    if (!b || b.length !== a.length) {
      parts.push(`${k} missing or of length ${b?.length}`);
      worst = Infinity;
      continue;
    }
    let scale = 0;
    let diff = 0;
    for (let i = 0; i < a.length; i++) {
      scale = Math.max(scale, Math.abs(a[i]!));
      diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    }
    const e = diff / Math.max(scale, 1e-30);
    worst = Math.max(worst, Number.isNaN(e) ? Infinity : e);
    parts.push(`${k} ${e.toExponential(1)}`);
  }
  return { worst, detail: parts.join(', ') };
}
