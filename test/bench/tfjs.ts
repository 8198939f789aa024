// The TensorFlow.js peers (4.22): the same workloads written as a TF.js user
// would, run on the `cpu` backend (plain JS kernels), `wasm` (XNNPACK, SIMD;
// single-threaded in Node, where TF.js turns wasm threads off) or `webgpu`
// (in the GPU child process; it reads results back asynchronously only). In
// Node the full `@tensorflow/tfjs` package must be loaded for gradients.
import type * as TF from '@tensorflow/tfjs';
import type { Params } from './handwritten.js';

export type Tf = typeof TF;
export type Backend = 'cpu' | 'wasm' | 'webgpu';

/** Loads TF.js with the wasm backend registered, without its console greeting. */
export async function loadTf(): Promise<Tf> {
  const quiet = { log: console.log, warn: console.warn };
  console.log = console.warn = () => {};
  try {
    const tf = await import('@tensorflow/tfjs');
    await import('@tensorflow/tfjs-backend-wasm');
    tf.env().set('PROD', true); // no warnings (the CPU backend's greeting in Node)
    return tf;
  } finally {
    Object.assign(console, quiet);
  }
}

export async function useBackend(tf: Tf, name: Backend): Promise<void> {
  const quiet = console.warn;
  console.warn = () => {};
  try {
    if (!(await tf.setBackend(name))) throw new Error(`TF.js backend '${name}' did not start`);
    await tf.ready();
  } finally {
    console.warn = quiet;
  }
}

/** One workload in TF.js: what a timed call computes, and what is compared. */
export interface TfWorkload {
  /** One timed call: the loss tensor (gradients or the update done as a side effect, or returned in `also`). */
  run(): { loss: TF.Tensor; also: TF.Tensor[] };
  /** The result to compare: loss and named tensors. */
  result(): { loss: TF.Tensor; tensors: Record<string, TF.Tensor>; keep?: boolean };
  dispose(): void;
}

/** Synchronous readers (cpu, wasm). */
export function syncCalls(w: TfWorkload, tf: Tf) {
  return {
    run: () => {
      const { loss, also } = w.run();
      const v = loss.dataSync()[0]!;
      tf.dispose([loss, ...also]);
      return v;
    },
    result: () => {
      const r = w.result();
      const out = { loss: r.loss.dataSync()[0]!, tensors: Object.fromEntries(Object.entries(r.tensors).map(([k, t]) => [k, Float32Array.from(t.dataSync())])) };
      tf.dispose([r.loss, ...(r.keep ? [] : Object.values(r.tensors))]);
      return out;
    },
  };
}

/** Asynchronous readers (webgpu). */
export function asyncCalls(w: TfWorkload, tf: Tf) {
  return {
    run: async () => {
      const { loss, also } = w.run();
      const v = (await loss.data())[0]!;
      tf.dispose([loss, ...also]);
      return v;
    },
    result: async () => {
      const r = w.result();
      const tensors: Record<string, Float32Array> = {};
      for (const [k, t] of Object.entries(r.tensors)) tensors[k] = Float32Array.from(await t.data());
      const out = { loss: (await r.loss.data())[0]!, tensors };
      tf.dispose([r.loss, ...(r.keep ? [] : Object.values(r.tensors))]);
      return out;
    },
  };
}

/** A column [n, 1] (biases meet [n, N] as columns, as in gradc). */
const col = (tf: Tf, v: Float32Array) => tf.tensor2d(v, [v.length, 1]);

/** W1: one SGD step of the mlp; logits as [N, C] rows, the layout TF.js's losses want. */
export function mlpSmall(tf: Tf, p: Params, X: Float32Array, y: Int32Array, N: number): TfWorkload {
  const W1 = tf.variable(tf.tensor2d(p.W1!, [128, 784]), true, 'W1');
  const b1 = tf.variable(col(tf, p.b1!), true, 'b1');
  const W2 = tf.variable(tf.tensor2d(p.W2!, [10, 128]), true, 'W2');
  const b2 = tf.variable(tf.tensor1d(p.b2!), true, 'b2');
  const x = tf.tensor2d(X, [784, N]);
  const labels = tf.oneHot(tf.tensor1d(y, 'int32'), 10);
  const opt = tf.train.sgd(0.1);
  const loss = () =>
    tf.tidy(() => {
      const H = tf.relu(tf.add(tf.matMul(W1, x), b1));
      const logits = tf.add(tf.matMul(H, W2, true, true), b2); // [N, 10]
      const ce = tf.losses.softmaxCrossEntropy(labels, logits);
      return tf.add(ce, tf.mul(1e-4, tf.add(tf.sum(tf.square(W1)), tf.sum(tf.square(W2))))) as TF.Scalar;
    });
  return {
    run: () => ({ loss: opt.minimize(loss, true, [W1, b1, W2, b2])!, also: [] }),
    result: () => {
      const { value, grads } = tf.variableGrads(loss, [W1, b1, W2, b2]);
      return { loss: value, tensors: grads };
    },
    dispose: () => {
      opt.dispose();
      tf.dispose([W1, b1, W2, b2, x, labels]);
    },
  };
}

/** W2: the window classifier's gradients with respect to W, b, u and x. */
export function window(tf: Tf, p: Params, xv: Float32Array): TfWorkload {
  const W = tf.tensor2d(p.W!, [8, 250]);
  const b = col(tf, p.b!);
  const u = col(tf, p.u!);
  const x = col(tf, xv);
  const f = tf.valueAndGrads((W: TF.Tensor, b: TF.Tensor, u: TF.Tensor, x: TF.Tensor) =>
    tf.sum(tf.mul(u, tf.relu(tf.add(tf.matMul(W as TF.Tensor2D, x as TF.Tensor2D), b)))));
  return {
    run: () => {
      const { value, grads } = f([W, b, u, x]);
      return { loss: value, also: grads };
    },
    result: () => {
      const { value, grads: [gW, gb, gu, gx] } = f([W, b, u, x]);
      return { loss: value, tensors: { W: gW!, b: gb!, u: gu!, x: gx! } };
    },
    dispose: () => tf.dispose([W, b, u, x]),
  };
}

/** W3: forward + backward of 1024 → 1024 → 1024 with loss ½‖Y‖². */
export function mlpLarge(tf: Tf, p: Params, X: Float32Array, N: number): TfWorkload {
  const W1 = tf.tensor2d(p.W1!, [1024, 1024]);
  const b1 = col(tf, p.b1!);
  const W2 = tf.tensor2d(p.W2!, [1024, 1024]);
  const b2 = col(tf, p.b2!);
  const x = tf.tensor2d(X, [1024, N]);
  const f = tf.valueAndGrads((W1: TF.Tensor, b1: TF.Tensor, W2: TF.Tensor, b2: TF.Tensor) => {
    const H = tf.relu(tf.add(tf.matMul(W1 as TF.Tensor2D, x), b1));
    const Y = tf.add(tf.matMul(W2 as TF.Tensor2D, H), b2);
    return tf.mul(0.5, tf.sum(tf.square(Y)));
  });
  return {
    run: () => {
      const { value, grads } = f([W1, b1, W2, b2]);
      return { loss: value, also: grads };
    },
    result: () => {
      const { value, grads: [gW1, gb1, gW2, gb2] } = f([W1, b1, W2, b2]);
      return { loss: value, tensors: { W1: gW1!, b1: gb1!, W2: gW2!, b2: gb2! } };
    },
    dispose: () => tf.dispose([W1, b1, W2, b2, x]),
  };
}

/** W4: the loss gᵀP, then Adam (bias-corrected) applied to P with the given gradient g. */
export function adam(tf: Tf, P0: Float32Array, g0: Float32Array): TfWorkload {
  const P = tf.variable(tf.tensor1d(P0), true, 'P');
  const g = tf.tensor1d(g0);
  const opt = tf.train.adam(1e-3, 0.9, 0.999, 1e-8);
  const step = () => {
    const loss = tf.tidy(() => tf.sum(tf.mul(g, P)));
    opt.applyGradients([{ name: P.name, tensor: g }]);
    return loss;
  };
  return {
    run: () => ({ loss: step(), also: [] }),
    result: () => ({ loss: step(), tensors: { P }, keep: true }),
    dispose: () => {
      opt.dispose();
      tf.dispose([P, g]);
    },
  };
}
