// The one-core limit the wasm target is measured against: the target's own
// f32x4 product kernel (4 × 8 register block, packed panels) on a product that
// fits in the caches, in GFLOP/s. The best of the timed samples, since the
// limit is what the kernel reaches when nothing else interferes.
import { compileSource } from '../../compiler/compile.js';
import { importModule } from '../../runtime/load-module.js';
import type { GeneratedModule } from '../../runtime/module-types.js';
import { emitWasm } from '../../targets/wasm/index.js';
import { timeTogether, type TimingOptions } from './timing.js';

export const PEAK_SHAPE = [192, 256, 192] as const;

export async function kernelPeak(opts: TimingOptions): Promise<number> {
  const [m, k, n] = PEAK_SHAPE;
  const r = compileSource(`dim m = ${m}, k = ${k}, n = ${n}\nparam A : [m, k] ~ normal(1)\ninput B : [k, n]\noutput C = A B\nloss L = sum(A)\n`);
  if (!r.model) throw new Error('peak: the product model does not compile');
  const mod = await importModule<GeneratedModule>(emitWasm(r.model).host);
  const model = mod.create({ seed: 0 });
  const B = Float32Array.from({ length: k * n }, (_, i) => Math.sin(i));
  const [s] = timeTogether([{ run: () => model.forward({ B }) }], opts);
  return (2 * m * k * n) / s!.min_ms / 1e6;
}
