// Eigenvalues of the symmetric matrices the Hessian views produce. mathjs's
// general `eigs` is far too slow at the sizes a Hessian reaches (measured in
// test/bench/eigen.ts), so: Householder reduction to tridiagonal form, then
// the implicit QL algorithm with Wilkinson shifts (O(n³) once, then O(n²)),
// the method of LAPACK's dsterf. And Lanczos on matrix-vector products for the
// extreme eigenvalues of a matrix too large to form.

/** Eigenvalues of a symmetric matrix (only the lower triangle is read), ascending. */
export function symmetricEigenvalues(a: readonly (readonly number[])[]): number[] {
  const n = a.length;
  if (!n) return [];
  const { d, e } = tridiagonalize(a);
  return tridiagonalEigenvalues(d, e);
}

/** Householder reduction A = Q T Qᵀ; returns T's diagonal d and subdiagonal e (e[0] unused). */
function tridiagonalize(a: readonly (readonly number[])[]): { d: Float64Array; e: Float64Array } {
  const n = a.length;
  const m = a.map((row) => Float64Array.from(row));
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) m[j]![i] = m[i]![j]!; // symmetric from the lower triangle
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  const p = new Float64Array(n);
  for (let i = n - 1; i > 0; i--) {
    const l = i - 1;
    const row = m[i]!;
    let scale = 0;
    for (let k = 0; k <= l; k++) scale += Math.abs(row[k]!);
    if (l === 0 || scale === 0) {
      e[i] = row[l]!;
      continue;
    }
    let h = 0;
    for (let k = 0; k <= l; k++) {
      row[k]! /= scale;
      h += row[k]! * row[k]!;
    }
    const f = row[l]!;
    const g = f >= 0 ? -Math.sqrt(h) : Math.sqrt(h);
    e[i] = scale * g;
    h -= f * g;
    row[l] = f - g;
    // p = A u / h, then K = uᵀ p / 2h, q = p − K u; A ← A − u qᵀ − q uᵀ (lower triangle).
    let uAu = 0;
    for (let j = 0; j <= l; j++) {
      let s = 0;
      const mj = m[j]!;
      for (let k = 0; k <= j; k++) s += mj[k]! * row[k]!;
      for (let k = j + 1; k <= l; k++) s += m[k]![j]! * row[k]!;
      p[j] = s / h;
      uAu += p[j]! * row[j]!;
    }
    const K = uAu / (2 * h);
    for (let j = 0; j <= l; j++) p[j] = p[j]! - K * row[j]!;
    for (let j = 0; j <= l; j++) {
      const mj = m[j]!;
      const uj = row[j]!;
      const qj = p[j]!;
      for (let k = 0; k <= j; k++) mj[k] = mj[k]! - (uj * p[k]! + qj * row[k]!);
    }
  }
  for (let i = 0; i < n; i++) d[i] = m[i]![i]!;
  return { d, e };
}

/** Eigenvalues of the symmetric tridiagonal matrix (d, e[1..n-1]), ascending: implicit QL with shifts. */
export function tridiagonalEigenvalues(diag: ArrayLike<number>, sub: ArrayLike<number>): number[] {
  const n = diag.length;
  const d = Float64Array.from(diag);
  const e = new Float64Array(n);
  for (let i = 1; i < n; i++) e[i - 1] = sub[i]!;
  for (let l = 0; l < n; l++) {
    for (let iter = 0; ; iter++) {
      let m = l;
      for (; m < n - 1; m++) {
        const dd = Math.abs(d[m]!) + Math.abs(d[m + 1]!);
        if (Math.abs(e[m]!) <= Number.EPSILON * dd) break;
      }
      if (m === l) break;
      if (iter > 60) throw new Error('symmetricEigenvalues: no convergence');
      let g = (d[l + 1]! - d[l]!) / (2 * e[l]!);
      let r = Math.hypot(g, 1);
      g = d[m]! - d[l]! + e[l]! / (g + (g >= 0 ? r : -r));
      let s = 1;
      let c = 1;
      let p = 0;
      let i = m - 1;
      for (; i >= l; i--) {
        let f = s * e[i]!;
        const b = c * e[i]!;
        r = Math.hypot(f, g);
        e[i + 1] = r;
        if (r === 0) {
          d[i + 1] = d[i + 1]! - p;
          e[m] = 0;
          break;
        }
        s = f / r;
        c = g / r;
        g = d[i + 1]! - p;
        r = (d[i]! - g) * s + 2 * c * b;
        p = s * r;
        d[i + 1] = g + p;
        g = c * r - b;
        f = 0;
      }
      if (r === 0 && i >= l) continue;
      d[l] = d[l]! - p;
      e[l] = g;
      e[m] = 0;
    }
  }
  return [...d].sort((x, y) => x - y);
}

export interface LanczosResult {
  /** Ritz values, ascending: the extreme ones converge first. */
  values: number[];
  steps: number;
}

/**
 * Lanczos with full reorthogonalization on y = A x (`times`), from a seeded
 * start: `steps` products give the Ritz values of A on a Krylov space, whose
 * smallest and largest approximate A's extreme eigenvalues.
 */
export async function lanczos(n: number, times: (x: Float64Array) => Float64Array | Promise<Float64Array>, steps: number, start: (k: number) => number): Promise<LanczosResult> {
  const m = Math.min(n, steps);
  const q: Float64Array[] = [];
  const alpha: number[] = [];
  const beta: number[] = [0];
  let v = Float64Array.from({ length: n }, (_, k) => start(k));
  let norm = Math.hypot(...v);
  for (let j = 0; j < m; j++) {
    if (norm === 0) break;
    const qj = v.map((x) => x / norm);
    q.push(qj);
    const w = Float64Array.from(await times(qj));
    const a = dot(w, qj);
    alpha.push(a);
    // Orthogonalize against every earlier vector (twice: enough in floating point).
    for (let pass = 0; pass < 2; pass++) for (const qi of q) axpy(w, -dot(w, qi), qi);
    norm = Math.hypot(...w);
    if (j < m - 1) beta.push(norm);
    v = w;
  }
  const k = alpha.length;
  return { values: tridiagonalEigenvalues(alpha, beta.slice(0, k)), steps: k };
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function axpy(y: Float64Array, a: number, x: Float64Array): void {
  for (let i = 0; i < y.length; i++) y[i] = y[i]! + a * x[i]!;
}
