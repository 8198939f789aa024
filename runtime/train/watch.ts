// What `gradc train` measures at each epoch's end besides the losses, for the
// lectures' babysitting: the gradient norm (global and per param) on a fixed
// sample of training examples, the update/param ratios the loop measured, the
// accuracies and the rate, and (--stats) every equation's activation statistics.
import type { Model } from '../../compiler/model.js';
import type { EpochRecord } from './checkpoint.js';
import { Batcher, type Dataset, type Layout } from './data.js';
import type { Trainable } from './loop.js';
import type { LayerStats, StatsModel } from './stats.js';

type Inputs = Record<string, Float32Array | Float64Array | Int32Array>;
type Result = { loss: number; grad: Record<string, ArrayLike<number> | number> };

/** The module's `grad`, which every target has (synchronous or not). */
export interface Gradients {
  grad(inputs: Inputs): Result | Promise<Result>;
}

export interface EpochWatch {
  epoch: number;
  lr: number;
  train_accuracy: number | null;
  val_accuracy: number | null;
  /** ‖∇loss‖₂ over all params, and per param, on the sample. */
  grad_norm: number;
  grad_norms: Record<string, number>;
  /** √(Σ‖Δθ‖² / Σ‖θ‖²) over the epoch's steps, per param; null where the loop did not measure them. */
  update_ratios: Record<string, number> | null;
  activations?: LayerStats[];
}

/** How many training examples the gradient norm and the statistics are measured on. */
export const WATCH_EXAMPLES = 512;

/** The first examples of `idx` (at most WATCH_EXAMPLES) as batches: one of them, or one per example for a model without a batch dim. */
export function sampleBatches(data: Dataset, layout: Layout, idx: Int32Array, precision: 'f32' | 'f64' = 'f32'): Inputs[] {
  const batcher = new Batcher(data, layout, precision);
  if (layout.batchDim !== undefined) {
    const n = Math.min(WATCH_EXAMPLES, idx.length);
    return [{ ...batcher.batch(idx, 0, n) }];
  }
  const n = Math.min(layout.inputs.length ? 200 : 1, idx.length);
  return Array.from({ length: n }, (_, k) => Object.fromEntries(Object.entries(batcher.batch(idx, k, k + 1)).map(([name, a]) => [name, a.slice()])));
}

/** The mean gradient over the batches (each batch's loss is a mean already), flattened per param. */
export async function meanGradient(model: Model, m: Gradients, batches: Inputs[]): Promise<{ loss: number; grad: Map<string, Float64Array> }> {
  const grad = new Map<string, Float64Array>();
  let loss = 0;
  for (const b of batches) {
    const r = await m.grad(b);
    loss += r.loss / batches.length;
    for (const p of model.params) {
      const g = r.grad[p.name]!;
      const a = typeof g === 'number' ? [g] : g;
      const sum = grad.get(p.name) ?? new Float64Array(a.length);
      for (let k = 0; k < a.length; k++) sum[k] = sum[k]! + a[k]! / batches.length;
      grad.set(p.name, sum);
    }
  }
  return { loss, grad };
}

const norm = (a: ArrayLike<number>) => {
  let s = 0;
  for (let k = 0; k < a.length; k++) s += a[k]! ** 2;
  return Math.sqrt(s);
};

export class Watcher {
  readonly epochs: EpochWatch[] = [];

  constructor(
    private readonly model: Model,
    private readonly module: Trainable & Gradients,
    private readonly batches: Inputs[],
    private readonly stats?: { module: StatsModel; inputs: Inputs },
  ) {}

  async epoch(record: EpochRecord, ratios: Map<string, number> | undefined): Promise<EpochWatch> {
    const { grad } = await meanGradient(this.model, this.module, this.batches);
    const grad_norms = Object.fromEntries([...grad].map(([n, g]) => [n, norm(g)]));
    const w: EpochWatch = {
      epoch: record.epoch,
      lr: record.lr,
      train_accuracy: record.train_accuracy ?? null,
      val_accuracy: record.val_accuracy,
      grad_norm: Math.hypot(...Object.values(grad_norms)),
      grad_norms,
      update_ratios: ratios ? Object.fromEntries(ratios) : null,
    };
    if (this.stats) {
      this.stats.module.load(await this.module.state());
      w.activations = this.stats.module.activations(this.stats.inputs).layers;
    }
    this.epochs.push(w);
    return w;
  }
}
