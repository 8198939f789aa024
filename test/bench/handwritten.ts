// The hand-written peer: what a careful programmer writes for each workload
// with Float32Arrays and nothing else. Forward, the hand-derived backward,
// matrix products register-blocked (4 × 3 outputs in locals while k runs) in
// the three orientations the workloads need, epilogues (bias, ReLU, ReLU's
// mask, weight decay) in the products' stores, softmax and cross-entropy in
// one pass per column, and every buffer allocated once.

// Blocks of 4 rows × 3 columns: 12 accumulators and 4 operands fit x64's 16
// float registers (4 × 4 spills; 4 × 3 measured 8–10% faster here).

/** C[M, N] = A[M, K] B[K, N] (+ bias[i]) (then ReLU). */
export function gemmNN(A: Float32Array, B: Float32Array, C: Float32Array, M: number, K: number, N: number, bias?: Float32Array, relu = false): void {
  const Mb = M - (M % 4);
  const Nb = N - (N % 3);
  for (let i = 0; i < Mb; i += 4) {
    const a0 = i * K, a1 = a0 + K, a2 = a1 + K, a3 = a2 + K;
    const z0 = bias ? bias[i]! : 0, z1 = bias ? bias[i + 1]! : 0, z2 = bias ? bias[i + 2]! : 0, z3 = bias ? bias[i + 3]! : 0;
    for (let j = 0; j < Nb; j += 3) {
      let c00 = z0, c01 = z0, c02 = z0, c10 = z1, c11 = z1, c12 = z1;
      let c20 = z2, c21 = z2, c22 = z2, c30 = z3, c31 = z3, c32 = z3;
      let q = j;
      for (let k = 0; k < K; k++) {
        const b0 = B[q]!, b1 = B[q + 1]!, b2 = B[q + 2]!;
        const x0 = A[a0 + k]!;
        c00 += x0 * b0; c01 += x0 * b1; c02 += x0 * b2;
        const x1 = A[a1 + k]!;
        c10 += x1 * b0; c11 += x1 * b1; c12 += x1 * b2;
        const x2 = A[a2 + k]!;
        c20 += x2 * b0; c21 += x2 * b1; c22 += x2 * b2;
        const x3 = A[a3 + k]!;
        c30 += x3 * b0; c31 += x3 * b1; c32 += x3 * b2;
        q += N;
      }
      const o0 = i * N + j, o1 = o0 + N, o2 = o1 + N, o3 = o2 + N;
      if (relu) {
        C[o0] = Math.max(c00, 0); C[o0 + 1] = Math.max(c01, 0); C[o0 + 2] = Math.max(c02, 0);
        C[o1] = Math.max(c10, 0); C[o1 + 1] = Math.max(c11, 0); C[o1 + 2] = Math.max(c12, 0);
        C[o2] = Math.max(c20, 0); C[o2 + 1] = Math.max(c21, 0); C[o2 + 2] = Math.max(c22, 0);
        C[o3] = Math.max(c30, 0); C[o3 + 1] = Math.max(c31, 0); C[o3 + 2] = Math.max(c32, 0);
      } else {
        C[o0] = c00; C[o0 + 1] = c01; C[o0 + 2] = c02;
        C[o1] = c10; C[o1 + 1] = c11; C[o1 + 2] = c12;
        C[o2] = c20; C[o2 + 1] = c21; C[o2 + 2] = c22;
        C[o3] = c30; C[o3 + 1] = c31; C[o3 + 2] = c32;
      }
    }
  }
  // Edges: one output at a time.
  for (let i = 0; i < M; i++) {
    for (let j = i < Mb ? Nb : 0; j < N; j++) {
      let c = bias ? bias[i]! : 0;
      for (let k = 0, q = j; k < K; k++, q += N) c += A[i * K + k]! * B[q]!;
      C[i * N + j] = relu ? Math.max(c, 0) : c;
    }
  }
}

/** C[M, N] = A[K, M]ᵀ B[K, N], then (with `mask`) times 1[mask > 0]: the ReLU backward. */
export function gemmTN(A: Float32Array, B: Float32Array, C: Float32Array, M: number, K: number, N: number, mask?: Float32Array): void {
  const Mb = M - (M % 4);
  const Nb = N - (N % 3);
  for (let i = 0; i < Mb; i += 4) {
    for (let j = 0; j < Nb; j += 3) {
      let c00 = 0, c01 = 0, c02 = 0, c10 = 0, c11 = 0, c12 = 0;
      let c20 = 0, c21 = 0, c22 = 0, c30 = 0, c31 = 0, c32 = 0;
      let p = i;
      let q = j;
      for (let k = 0; k < K; k++) {
        const b0 = B[q]!, b1 = B[q + 1]!, b2 = B[q + 2]!;
        const x0 = A[p]!;
        c00 += x0 * b0; c01 += x0 * b1; c02 += x0 * b2;
        const x1 = A[p + 1]!;
        c10 += x1 * b0; c11 += x1 * b1; c12 += x1 * b2;
        const x2 = A[p + 2]!;
        c20 += x2 * b0; c21 += x2 * b1; c22 += x2 * b2;
        const x3 = A[p + 3]!;
        c30 += x3 * b0; c31 += x3 * b1; c32 += x3 * b2;
        p += M;
        q += N;
      }
      const o0 = i * N + j, o1 = o0 + N, o2 = o1 + N, o3 = o2 + N;
      if (mask) {
        C[o0] = mask[o0]! > 0 ? c00 : 0; C[o0 + 1] = mask[o0 + 1]! > 0 ? c01 : 0; C[o0 + 2] = mask[o0 + 2]! > 0 ? c02 : 0;
        C[o1] = mask[o1]! > 0 ? c10 : 0; C[o1 + 1] = mask[o1 + 1]! > 0 ? c11 : 0; C[o1 + 2] = mask[o1 + 2]! > 0 ? c12 : 0;
        C[o2] = mask[o2]! > 0 ? c20 : 0; C[o2 + 1] = mask[o2 + 1]! > 0 ? c21 : 0; C[o2 + 2] = mask[o2 + 2]! > 0 ? c22 : 0;
        C[o3] = mask[o3]! > 0 ? c30 : 0; C[o3 + 1] = mask[o3 + 1]! > 0 ? c31 : 0; C[o3 + 2] = mask[o3 + 2]! > 0 ? c32 : 0;
      } else {
        C[o0] = c00; C[o0 + 1] = c01; C[o0 + 2] = c02;
        C[o1] = c10; C[o1 + 1] = c11; C[o1 + 2] = c12;
        C[o2] = c20; C[o2 + 1] = c21; C[o2 + 2] = c22;
        C[o3] = c30; C[o3 + 1] = c31; C[o3 + 2] = c32;
      }
    }
  }
  for (let i = 0; i < M; i++) {
    for (let j = i < Mb ? Nb : 0; j < N; j++) {
      let c = 0;
      for (let k = 0; k < K; k++) c += A[k * M + i]! * B[k * N + j]!;
      C[i * N + j] = mask && !(mask[i * N + j]! > 0) ? 0 : c;
    }
  }
}

/** C[M, N] = A[M, K] B[N, K]ᵀ (+ decay · W): a weight gradient with its L2 term. */
export function gemmNT(A: Float32Array, B: Float32Array, C: Float32Array, M: number, K: number, N: number, W?: Float32Array, decay = 0): void {
  const Mb = M - (M % 4);
  const Nb = N - (N % 3);
  for (let i = 0; i < Mb; i += 4) {
    const a0 = i * K, a1 = a0 + K, a2 = a1 + K, a3 = a2 + K;
    for (let j = 0; j < Nb; j += 3) {
      const b0 = j * K, b1 = b0 + K, b2 = b1 + K;
      let c00 = 0, c01 = 0, c02 = 0, c10 = 0, c11 = 0, c12 = 0;
      let c20 = 0, c21 = 0, c22 = 0, c30 = 0, c31 = 0, c32 = 0;
      for (let k = 0; k < K; k++) {
        const y0 = B[b0 + k]!, y1 = B[b1 + k]!, y2 = B[b2 + k]!;
        const x0 = A[a0 + k]!;
        c00 += x0 * y0; c01 += x0 * y1; c02 += x0 * y2;
        const x1 = A[a1 + k]!;
        c10 += x1 * y0; c11 += x1 * y1; c12 += x1 * y2;
        const x2 = A[a2 + k]!;
        c20 += x2 * y0; c21 += x2 * y1; c22 += x2 * y2;
        const x3 = A[a3 + k]!;
        c30 += x3 * y0; c31 += x3 * y1; c32 += x3 * y2;
      }
      const o0 = i * N + j, o1 = o0 + N, o2 = o1 + N, o3 = o2 + N;
      if (W) {
        C[o0] = c00 + decay * W[o0]!; C[o0 + 1] = c01 + decay * W[o0 + 1]!; C[o0 + 2] = c02 + decay * W[o0 + 2]!;
        C[o1] = c10 + decay * W[o1]!; C[o1 + 1] = c11 + decay * W[o1 + 1]!; C[o1 + 2] = c12 + decay * W[o1 + 2]!;
        C[o2] = c20 + decay * W[o2]!; C[o2 + 1] = c21 + decay * W[o2 + 1]!; C[o2 + 2] = c22 + decay * W[o2 + 2]!;
        C[o3] = c30 + decay * W[o3]!; C[o3 + 1] = c31 + decay * W[o3 + 1]!; C[o3 + 2] = c32 + decay * W[o3 + 2]!;
      } else {
        C[o0] = c00; C[o0 + 1] = c01; C[o0 + 2] = c02;
        C[o1] = c10; C[o1 + 1] = c11; C[o1 + 2] = c12;
        C[o2] = c20; C[o2 + 1] = c21; C[o2 + 2] = c22;
        C[o3] = c30; C[o3 + 1] = c31; C[o3 + 2] = c32;
      }
    }
  }
  for (let i = 0; i < M; i++) {
    for (let j = i < Mb ? Nb : 0; j < N; j++) {
      let c = 0;
      for (let k = 0; k < K; k++) c += A[i * K + k]! * B[j * K + k]!;
      C[i * N + j] = W ? c + decay * W[i * N + j]! : c;
    }
  }
}

/** out[i] = Σ_j X[i, j] over the columns of X [M, N]. */
export function rowSums(X: Float32Array, out: Float32Array, M: number, N: number): void {
  for (let i = 0; i < M; i++) {
    let s0 = 0, s1 = 0;
    const o = i * N;
    let j = 0;
    for (; j + 1 < N; j += 2) {
      s0 += X[o + j]!;
      s1 += X[o + j + 1]!;
    }
    if (j < N) s0 += X[o + j]!;
    out[i] = s0 + s1;
  }
}

/** Σ x², four partial sums. */
export function sumSquares(x: Float32Array): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  const n = x.length;
  let k = 0;
  for (; k + 3 < n; k += 4) {
    const a = x[k]!, b = x[k + 1]!, c = x[k + 2]!, d = x[k + 3]!;
    s0 += a * a; s1 += b * b; s2 += c * c; s3 += d * d;
  }
  for (; k < n; k++) s0 += x[k]! * x[k]!;
  return s0 + s1 + s2 + s3;
}

export type Params = Record<string, Float32Array>;

/** W1 mlp-small: 784 → 128 (ReLU) → 10, mean softmax cross-entropy + λ(ΣW1² + ΣW2²), SGD. */
export function mlpSmall(p: Params, N: number, lr = 0.1, lambda = 1e-4) {
  const [d, h, C] = [784, 128, 10];
  const { W1, b1, W2, b2 } = p as Record<'W1' | 'b1' | 'W2' | 'b2', Float32Array>;
  const H = new Float32Array(h * N), F = new Float32Array(C * N), dF = new Float32Array(C * N), dH = new Float32Array(h * N);
  const grad = { W1: new Float32Array(h * d), b1: new Float32Array(h), W2: new Float32Array(C * h), b2: new Float32Array(C) };
  function gradient(X: Float32Array, y: Int32Array): number {
    gemmNN(W1, X, H, h, d, N, b1, true); // H = relu(W1 X + b1)
    gemmNN(W2, H, F, C, h, N, b2); // F = W2 H + b2
    // Per column: log-sum-exp, the loss, and ∂/∂F = (softmax − onehot) / N.
    let loss = 0;
    for (let j = 0; j < N; j++) {
      let m = -Infinity;
      for (let i = 0; i < C; i++) m = Math.max(m, F[i * N + j]!);
      let s = 0;
      for (let i = 0; i < C; i++) s += Math.exp(F[i * N + j]! - m);
      const lse = m + Math.log(s);
      const label = y[j]!;
      loss += lse - F[label * N + j]!;
      for (let i = 0; i < C; i++) dF[i * N + j] = (Math.exp(F[i * N + j]! - lse) - (i === label ? 1 : 0)) / N;
    }
    loss = loss / N + lambda * (sumSquares(W1) + sumSquares(W2));
    gemmNT(dF, H, grad.W2, C, N, h, W2, 2 * lambda); // ∂W2 = dF Hᵀ + 2λ W2
    rowSums(dF, grad.b2, C, N);
    gemmTN(W2, dF, dH, h, C, N, H); // dH = W2ᵀ dF ⊙ 1[H > 0]
    gemmNT(dH, X, grad.W1, h, N, d, W1, 2 * lambda); // ∂W1 = dH Xᵀ + 2λ W1
    rowSums(dH, grad.b1, h, N);
    return loss;
  }
  function step(X: Float32Array, y: Int32Array): number {
    const loss = gradient(X, y);
    for (const k of ['W1', 'b1', 'W2', 'b2'] as const) {
      const w = p[k]!, g = grad[k];
      for (let i = 0; i < w.length; i++) w[i] = w[i]! - lr * g[i]!;
    }
    return loss;
  }
  return { gradient, step, grad };
}

/** W2 window: s = uᵀ relu(W x + b), W [8, 250]; gradients for W, b, u and x. */
export function window(p: Params) {
  const [n, D] = [8, 250];
  const { W, b, u } = p as Record<'W' | 'b' | 'u', Float32Array>;
  const z = new Float32Array(n);
  const grad = { W: new Float32Array(n * D), b: new Float32Array(n), u: new Float32Array(n), x: new Float32Array(D) };
  function gradient(x: Float32Array): number {
    // z = W x + b, four rows at a time.
    for (let i = 0; i < n; i += 4) {
      let s0 = b[i]!, s1 = b[i + 1]!, s2 = b[i + 2]!, s3 = b[i + 3]!;
      const o0 = i * D, o1 = o0 + D, o2 = o1 + D, o3 = o2 + D;
      for (let k = 0; k < D; k++) {
        const xk = x[k]!;
        s0 += W[o0 + k]! * xk; s1 += W[o1 + k]! * xk; s2 += W[o2 + k]! * xk; s3 += W[o3 + k]! * xk;
      }
      z[i] = s0; z[i + 1] = s1; z[i + 2] = s2; z[i + 3] = s3;
    }
    let s = 0;
    for (let i = 0; i < n; i++) {
      const h = Math.max(z[i]!, 0);
      s += u[i]! * h;
      grad.u[i] = h;
      grad.b[i] = z[i]! > 0 ? u[i]! : 0; // δ
    }
    // ∂W = δ xᵀ and ∂x = Wᵀ δ in one pass over W, four rows at a time.
    const dx = grad.x, dW = grad.W, d = grad.b;
    for (let i = 0; i < n; i += 4) {
      const d0 = d[i]!, d1 = d[i + 1]!, d2 = d[i + 2]!, d3 = d[i + 3]!;
      const o0 = i * D, o1 = o0 + D, o2 = o1 + D, o3 = o2 + D;
      const first = i === 0;
      for (let k = 0; k < D; k++) {
        const xk = x[k]!;
        dW[o0 + k] = d0 * xk; dW[o1 + k] = d1 * xk; dW[o2 + k] = d2 * xk; dW[o3 + k] = d3 * xk;
        const t = W[o0 + k]! * d0 + W[o1 + k]! * d1 + W[o2 + k]! * d2 + W[o3 + k]! * d3;
        dx[k] = first ? t : dx[k]! + t;
      }
    }
    return s;
  }
  return { gradient, grad };
}

/** W3 mlp-large: 1024 → 1024 (ReLU) → 1024, loss ½‖Y‖²; forward + backward. */
export function mlpLarge(p: Params, N: number) {
  const [d, h, o] = [1024, 1024, 1024];
  const { W1, b1, W2, b2 } = p as Record<'W1' | 'b1' | 'W2' | 'b2', Float32Array>;
  const H = new Float32Array(h * N), Y = new Float32Array(o * N), dH = new Float32Array(h * N);
  const grad = { W1: new Float32Array(h * d), b1: new Float32Array(h), W2: new Float32Array(o * h), b2: new Float32Array(o) };
  function gradient(X: Float32Array): number {
    gemmNN(W1, X, H, h, d, N, b1, true); // H = relu(W1 X + b1)
    gemmNN(W2, H, Y, o, h, N, b2); // Y = W2 H + b2; ∂L/∂Y = Y
    const loss = 0.5 * sumSquares(Y);
    gemmNT(Y, H, grad.W2, o, N, h); // ∂W2 = Y Hᵀ
    rowSums(Y, grad.b2, o, N);
    gemmTN(W2, Y, dH, h, o, N, H); // dH = W2ᵀ Y ⊙ 1[H > 0]
    gemmNT(dH, X, grad.W1, h, N, d); // ∂W1 = dH Xᵀ
    rowSums(dH, grad.b1, h, N);
    return loss;
  }
  return { gradient, grad };
}

/** W4 adam-1M: loss gᵀP and a bias-corrected Adam update of P, in one pass. */
export function adam(P: Float32Array, lr = 1e-3, beta1 = 0.9, beta2 = 0.999, eps = 1e-8) {
  const m = new Float32Array(P.length), v = new Float32Array(P.length);
  let t = 0;
  function step(g: Float32Array): number {
    t += 1;
    const c1 = 1 - Math.pow(beta1, t), c2 = 1 - Math.pow(beta2, t);
    const a = lr / c1, r = 1 / c2;
    let loss = 0;
    for (let k = 0; k < P.length; k++) {
      const gk = g[k]!, pk = P[k]!;
      loss += gk * pk;
      const mk = beta1 * m[k]! + (1 - beta1) * gk;
      const vk = beta2 * v[k]! + (1 - beta2) * gk * gk;
      m[k] = mk;
      v[k] = vk;
      P[k] = pk - (a * mk) / (Math.sqrt(vk * r) + eps);
    }
    return loss;
  }
  return { step, state: { m, v } };
}
