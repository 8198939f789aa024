// Measures the Hessian view's eigensolver (compiler/teach/eigen.ts: Householder
// tridiagonalization + implicit QL) against mathjs's general eigs, which the
// hessian command used before: `npm run build && node dist/test/bench/eigen.js`.
import { eigs } from 'mathjs';
import { symmetricEigenvalues } from '../../compiler/teach/eigen.js';
import { normal } from '../../compiler/random.js';

const time = (f: () => unknown) => {
  const t = performance.now();
  f();
  return performance.now() - t;
};

for (const n of [50, 100, 200, 400, 837]) {
  const a = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) a[i]![j] = a[j]![i] = normal(1, 3, i * n + j);
  symmetricEigenvalues(a); // warm up the JIT
  const ours = time(() => symmetricEigenvalues(a));
  // mathjs grows past a minute above a few hundred: measured up to 200.
  const theirs = n <= 200 ? time(() => eigs(a)) : NaN;
  console.log(`n = ${String(n).padStart(4)}: tridiagonal QL ${ours.toFixed(0).padStart(6)} ms   mathjs eigs ${Number.isNaN(theirs) ? '   (not run)' : `${theirs.toFixed(0).padStart(6)} ms`}`);
}
