// What training measures besides the loss: which output scores classes (for
// accuracy), the accuracy and mean loss over a split in eval mode, and the
// relative size of an epoch's update.
import type { Model } from '../../compiler/model.js';
import type { Batcher, Layout } from './data.js';
import type { Trainable } from './loop.js';

/** The output that scores classes, for accuracy: [C, N] (or [N, C], or [C] per example) with C the labels' bound. */
export function scoreOutput(model: Model, layout: Layout): { output: string; label: string; classes: number; classesAreRows: boolean } | undefined {
  const label = layout.inputs.find((i) => i.int && i.width === 1 && i.bound !== undefined);
  if (!label) return undefined;
  const C = label.bound!;
  const isBatch = (d: { linearIn(): { dim: string; factor: number } | undefined }) => layout.batchDim !== undefined && d.linearIn()?.dim === layout.batchDim && d.linearIn()?.factor === 1;
  for (const o of model.outputs) {
    const d = o.type.dims;
    if (layout.batchDim === undefined && d.length === 1 && d[0]!.constant === C) return { output: o.name, label: label.name, classes: C, classesAreRows: true };
    if (d.length !== 2) continue;
    if (d[0]!.constant === C && isBatch(d[1]!)) return { output: o.name, label: label.name, classes: C, classesAreRows: true };
    if (isBatch(d[0]!) && d[1]!.constant === C) return { output: o.name, label: label.name, classes: C, classesAreRows: false };
  }
  return undefined;
}

/** The lectures' band around the ~1e-3 rule of thumb for ‖update‖ / ‖param‖: outside it a ratio is flagged (and drawn so). */
export const RATIO_BAND = [1e-4, 1e-2] as const;

/** Adds ‖θ_new − θ_old‖² and ‖θ_old‖² to `sums`: the epoch's ratio is √(Σ‖Δθ‖² / Σ‖θ‖²). */
export function addRatio(sums: [number, number], old: ArrayLike<number>, now: ArrayLike<number>): void {
  for (let k = 0; k < old.length; k++) {
    sums[0] += (now[k]! - old[k]!) ** 2;
    sums[1] += old[k]! ** 2;
  }
}

/** Mean loss (weighted by chunk size) and accuracy over examples `idx`, in eval mode. */
export async function evaluate(m: Trainable, batcher: Batcher, idx: Int32Array, chunk: number, score: ReturnType<typeof scoreOutput>): Promise<{ loss: number; accuracy: number | null }> {
  m.eval();
  let lossSum = 0;
  let right = 0;
  try {
    for (let from = 0; from < idx.length; from += chunk) {
      const to = Math.min(from + chunk, idx.length);
      const inputs = batcher.batch(idx, from, to);
      const r = await m.forward(inputs);
      lossSum += r.loss * (to - from);
      if (score) right += correct(r.outputs[score.output]!, inputs[score.label]!, score.classes, to - from, score.classesAreRows);
    }
  } finally {
    m.train();
  }
  return { loss: lossSum / idx.length, accuracy: score ? right / idx.length : null };
}

/** How many columns (examples) of a score matrix have their largest entry at the label. */
export function correct(out: ArrayLike<number> | number, labels: ArrayLike<number>, C: number, B: number, classesAreRows: boolean): number {
  if (typeof out === 'number') return 0;
  let right = 0;
  for (let j = 0; j < B; j++) {
    let arg = 0;
    let max = -Infinity;
    for (let c = 0; c < C; c++) {
      const v = classesAreRows ? out[c * B + j]! : out[j * C + c]!;
      if (v > max) [max, arg] = [v, c];
    }
    if (arg === labels[j]) right++;
  }
  return right;
}
