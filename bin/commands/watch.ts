// The glue between `gradc train` and what it watches (runtime/train/watch.ts,
// stats.ts, critical.ts): the sample it measures on, the per-epoch line of
// --stats, and the words of --diagnose.
import type { Model } from '../../compiler/model.js';
import { diagnosePoint, type Diagnosis } from '../../runtime/train/critical.js';
import type { Dataset, Layout } from '../../runtime/train/data.js';
import type { EpochRecord } from '../../runtime/train/checkpoint.js';
import type { Trainable } from '../../runtime/train/loop.js';
import { statsModule } from '../../runtime/train/stats.js';
import { fmt } from '../../runtime/train/progress.js';
import { sampleBatches, Watcher, type EpochWatch, type Gradients } from '../../runtime/train/watch.js';
import { createModule } from './grad.js';

/** A plateau: the training loss has moved less than PLATEAU_CHANGE of itself over the last PLATEAU_EPOCHS epochs. */
export const PLATEAU_EPOCHS = 5;
export const PLATEAU_CHANGE = 1e-3;

export interface Watch {
  epochs: EpochWatch[];
  /** With --diagnose: the diagnosis at the first epoch of each plateau. */
  plateaus: { epoch: number; diagnosis: Diagnosis }[];
  epoch(record: EpochRecord, ratios: Map<string, number> | undefined, out: NodeJS.WritableStream | undefined): Promise<void>;
  diagnose(seed: number): Promise<Diagnosis>;
}

export async function startWatch(model: Model, module: Trainable, data: Dataset, layout: Layout, train: Int32Array, opts: { seed: number; stats: boolean; diagnose: boolean; maxMemory?: number }): Promise<Watch> {
  const batches = sampleBatches(data, layout, train);
  const exact = sampleBatches(data, layout, train, 'f64');
  const stats = opts.stats ? { module: await createModule(() => statsModule(model, { seed: opts.seed, maxMemory: opts.maxMemory })), inputs: exact[0]! } : undefined;
  const w = new Watcher(model, module as Trainable & Gradients, batches, stats);
  const losses: number[] = [];
  let onPlateau = false;
  const watch: Watch = {
    epochs: w.epochs,
    plateaus: [],
    async epoch(record, ratios, out) {
      const e = await w.epoch(record, ratios);
      if (out && e.activations) out.write(`  activations  ${e.activations.map((l) => `${l.name} μ ${fmt(l.mean, 3)} σ ${fmt(l.std, 3)}${l.dead !== undefined ? ` ${(100 * l.dead).toFixed(0)}% dead` : l.saturated !== undefined ? ` ${(100 * l.saturated).toFixed(0)}% saturated` : ''}`).join(' · ')}\n`);
      losses.push(record.train_loss);
      const last = losses.slice(-(PLATEAU_EPOCHS + 1));
      const flat = last.length === PLATEAU_EPOCHS + 1 && Math.max(...last) - Math.min(...last) <= PLATEAU_CHANGE * Math.abs(record.train_loss);
      // Diagnosed once as a plateau begins; again only after the loss has moved.
      if (opts.diagnose && flat && !onPlateau) {
        const diagnosis = await watch.diagnose(opts.seed);
        watch.plateaus.push({ epoch: record.epoch, diagnosis });
        out?.write(`  plateau: the training loss moved less than ${PLATEAU_CHANGE * 100} % in ${PLATEAU_EPOCHS} epochs; ${diagnosis.message}\n`);
      }
      onPlateau = flat;
    },
    async diagnose(seed) {
      const inputs = exact[0] ?? {};
      const n = layout.batchDim === undefined ? (layout.inputs.length ? 1 : 0) : (inputs[layout.inputs[0]!.name]!.length / layout.inputs[0]!.width);
      const dims = layout.batchDim === undefined ? {} : { [layout.batchDim]: n };
      return diagnosePoint(model, await module.state(), inputs, dims, seed, n);
    },
  };
  return watch;
}

export function diagnosisLines(d: Diagnosis): string[] {
  const on = d.examples ? ` on ${d.examples} training example${d.examples === 1 ? '' : 's'}` : '';
  return [
    `diagnosis at the final params${on}: loss ${fmt(d.loss)}, ‖gradient‖ ${fmt(d.grad_norm)}`,
    `  Hessian's extreme eigenvalues (Lanczos, ${d.lanczos_steps} Hessian-vector products): smallest ${d.smallest.map((x) => fmt(x)).join(', ')}; largest ${d.largest.map((x) => fmt(x)).join(', ')}`,
    `  the point is ${d.message}`,
  ];
}
