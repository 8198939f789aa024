// The jax-js peer (@jax-js/jax, the TypeScript JAX whose CPU backend
// synthesizes WebAssembly kernels): the same workloads written as a JAX user
// would, `jit(valueAndGrad(loss))` plus the optimizer update, on the `wasm`
// device. jax-js moves arrays into the functions they are passed to (`.ref`
// keeps one alive), so every call hands over references and disposes what it
// gets back.
import type { Params } from './handwritten.js';
import type { Instance, Result } from './workloads.js';

type Jax = typeof import('@jax-js/jax');
type Arr = import('@jax-js/jax').Array;
type Tree = Record<string, Arr>;

let jaxPromise: Promise<Jax> | undefined;
/** jax-js with the wasm device as the default. */
export function loadJax(): Promise<Jax> {
  return (jaxPromise ??= (async () => {
    const jax = await import('@jax-js/jax');
    const ok = await jax.init('wasm');
    if (!ok.includes('wasm')) throw new Error('jax-js: the wasm device did not start');
    jax.defaultDevice('wasm');
    return jax;
  })());
}

const refs = (t: Tree): Tree => Object.fromEntries(Object.entries(t).map(([k, v]) => [k, v.ref]));
const dispose = (t: Tree) => Object.values(t).forEach((v) => v.dispose());

/** Params as jax arrays; vectors as columns [n, 1], so that they broadcast along the batch. */
function arrays(jax: Jax, p: Params, shapes: Record<string, number[]>): Tree {
  return Object.fromEntries(Object.entries(p).map(([k, v]) => [k, jax.numpy.array(v, { shape: shapes[k]!.length === 1 ? [shapes[k]![0]!, 1] : shapes[k] })]));
}

/**
 * An instance of a workload: `loss(params, …data)` differentiated with respect
 * to the params; with `update`, a timed call also applies it (the params are
 * replaced), and `result()` compares the params after one step instead of the
 * gradients.
 */
function instance(jax: Jax, params: Tree, data: Arr[], loss: (p: Tree, ...d: Arr[]) => Arr, update?: (p: Tree, g: Tree, state: Tree) => [Tree, Tree], state: Tree = {}): Instance {
  const vg = jax.jit(jax.valueAndGrad(loss));
  const upd = update && jax.jit((p: Tree, g: Tree, s: Tree) => update(p, g, s));
  let p = params;
  let s = state;
  const call = (): [Arr, Tree] => vg(refs(p), ...data.map((d) => d.ref)) as unknown as [Arr, Tree];
  return {
    run() {
      const [v, g] = call();
      if (upd) [p, s] = upd(p, g, s) as unknown as [Tree, Tree];
      else dispose(g);
      return v.dataSync()[0];
    },
    result(): Result {
      const [v, g] = call();
      const loss = v.dataSync()[0]!;
      if (upd) {
        [p, s] = upd(p, g, s) as unknown as [Tree, Tree];
        return { loss, tensors: Object.fromEntries(Object.entries(p).map(([k, a]) => [k, Float32Array.from(a.ref.dataSync() as Float32Array)])) };
      }
      return { loss, tensors: Object.fromEntries(Object.entries(g).map(([k, a]) => [k, Float32Array.from(a.dataSync() as Float32Array)])) };
    },
    dispose() {
      dispose(p);
      dispose(s);
      data.forEach((d) => d.dispose());
      vg.dispose();
      upd?.dispose();
    },
  };
}

/** W1: one SGD step of the 784-128-10 network (softmax cross-entropy, L2 on the weights). */
export async function mlpSmall(p: Params, X: Float32Array, y: Int32Array, N: number): Promise<Instance> {
  const jax = await loadJax();
  const np = jax.numpy;
  const params = arrays(jax, p, { W1: [128, 784], b1: [128], W2: [10, 128], b2: [10] });
  const Xa = np.array(X, { shape: [784, N] });
  // One-hot labels as [C, N] floats, built once (data, not part of the model).
  const onehot = new Float32Array(10 * N);
  y.forEach((c, j) => (onehot[c * N + j] = 1));
  const Y = np.array(onehot, { shape: [10, N] });
  const loss = (q: Tree, x: Arr, t: Arr) => {
    const H = jax.nn.relu(np.matmul(q.W1!.ref, x).add(q.b1!));
    const F = np.matmul(q.W2!.ref, H).add(q.b2!);
    const ce = np.sum(jax.nn.logSoftmax(F, 0).mul(t)).mul(-1 / N);
    return ce.add(np.sum(np.square(q.W1!)).add(np.sum(np.square(q.W2!))).mul(1e-4));
  };
  const sgd = (q: Tree, g: Tree, s: Tree): [Tree, Tree] => [Object.fromEntries(Object.entries(q).map(([k, v]) => [k, v.sub(g[k]!.mul(0.1))])), s];
  const inst = instance(jax, params, [Xa, Y], loss, sgd);
  // The comparison is on gradients (as gradc's W1 result): a separate instance without the update.
  const grads = instance(jax, arrays(jax, p, { W1: [128, 784], b1: [128], W2: [10, 128], b2: [10] }), [np.array(X, { shape: [784, N] }), np.array(onehot, { shape: [10, N] })], loss);
  return { run: inst.run, result: grads.result, dispose: () => (inst.dispose?.(), grads.dispose?.()) };
}

/** W2: s = uᵀ relu(W x + b), gradients for W, b, u and x. */
export async function window(p: Params, xv: Float32Array): Promise<Instance> {
  const jax = await loadJax();
  const np = jax.numpy;
  const params = arrays(jax, p, { W: [8, 250], b: [8], u: [8] });
  params.x = np.array(xv, { shape: [250, 1] });
  const loss = (q: Tree) => np.sum(q.u!.mul(jax.nn.relu(np.matmul(q.W!, q.x!).add(q.b!))));
  return instance(jax, params, [], loss);
}

/** W3: forward + backward of 1024 → 1024 → 1024 on a batch of 256. */
export async function mlpLarge(p: Params, X: Float32Array, N: number): Promise<Instance> {
  const jax = await loadJax();
  const np = jax.numpy;
  const params = arrays(jax, p, { W1: [1024, 1024], b1: [1024], W2: [1024, 1024], b2: [1024] });
  const loss = (q: Tree, x: Arr) => {
    const H = jax.nn.relu(np.matmul(q.W1!, x).add(q.b1!));
    const Y = np.matmul(q.W2!, H).add(q.b2!);
    return np.sum(np.square(Y)).mul(0.5);
  };
  return instance(jax, params, [np.array(X, { shape: [1024, N] })], loss);
}

/** W4: the loss gᵀP and one Adam step (lr 1e-3, β 0.9 / 0.999, ε 1e-8) of 10⁶ params. */
export async function adam(P0: Float32Array, g0: Float32Array): Promise<Instance> {
  const jax = await loadJax();
  const np = jax.numpy;
  const n = P0.length;
  const params = { P: np.array(P0, { shape: [n] }) };
  const state = { m: np.zeros([n]), v: np.zeros([n]), t: np.zeros([]) };
  const loss = (q: Tree, g: Arr) => np.sum(q.P!.mul(g));
  const step = (q: Tree, g: Tree, s: Tree): [Tree, Tree] => {
    const t = s.t!.add(1);
    const gg = g.P!;
    const m = s.m!.mul(0.9).add(gg.ref.mul(0.1));
    const v = s.v!.mul(0.999).add(np.square(gg).mul(0.001));
    const c1 = np.power(0.9, t.ref).mul(-1).add(1);
    const c2 = np.power(0.999, t.ref).mul(-1).add(1);
    const P = q.P!.sub(m.ref.div(c1).mul(1e-3).div(np.sqrt(v.ref.div(c2)).add(1e-8)));
    return [{ P }, { m, v, t }];
  };
  return instance(jax, params, [np.array(g0, { shape: [n] })], loss, step, state);
}
