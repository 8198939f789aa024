// Seeded orders of the examples: the holdout split and each epoch's order are
// pure functions of (seed, epoch), drawn from the counter-based generator that
// initializes params, so a run resumed at (epoch, position) sees exactly the
// batches an uninterrupted run would. The streams are negative numbers, apart
// from the initializers' (1, 2, …) and the dropout masks' (≥ 1000003).
import { uniform } from '../../compiler/random.js';

const SPLIT_STREAM = -1;
const epochStream = (epoch: number) => -2 - epoch;

/** A Fisher–Yates shuffle of `items` by stream (seed, stream). */
export function shuffle(items: Int32Array, seed: number, stream: number): Int32Array {
  const a = items.slice();
  for (let k = a.length - 1; k > 0; k--) {
    const j = Math.floor(uniform(seed, stream, k) * (k + 1));
    const t = a[k]!;
    a[k] = a[j]!;
    a[j] = t;
  }
  return a;
}

export interface Split {
  train: Int32Array;
  val: Int32Array;
}

/** Holds out round(n·fraction) examples, chosen by the seed; both parts keep file order. */
export function split(n: number, fraction: number, seed: number): Split {
  const all = Int32Array.from({ length: n }, (_, k) => k);
  const nVal = Math.round(n * fraction);
  if (nVal === 0) return { train: all, val: new Int32Array(0) };
  const order = shuffle(all, seed, SPLIT_STREAM);
  return { train: order.slice(nVal).sort(), val: order.slice(0, nVal).sort() };
}

/** The order of the training examples in epoch `epoch` (from 0). */
export function epochOrder(train: Int32Array, seed: number, epoch: number): Int32Array {
  return shuffle(train, seed, epochStream(epoch));
}
