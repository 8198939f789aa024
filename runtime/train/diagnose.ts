// Why a training step went non-finite, as one error line: the tensor and the
// place in the model where NaN or infinity first appears (the reference
// interpreter re-runs the step in float64), or the param the update broke.
import { describeNonFinite, findNonFinite, placed } from '../nan.js';
import type { Inputs, LoopConfig } from './loop.js';

/** The message for a step whose loss or params are not finite: which tensor, which step. */
export function diagnose(cfg: LoopConfig, before: Map<string, Float64Array>, inputs: Inputs, B: number, done: number, epoch: number, loss: number, good: number): string {
  const { model, modelFile } = cfg;
  const t = done + 1;
  const kept = `training stopped. The last good checkpoint (step ${good}) is kept in ${cfg.checkpointPath}`;
  const values: Record<string, Float64Array> = {};
  for (const [k, v] of before) values[k] = Float64Array.from(v);
  for (const [k, v] of Object.entries(inputs)) values[k] = Float64Array.from(v);
  const dims = cfg.layout.batchDim ? { [cfg.layout.batchDim]: B } : {};
  const f = cfg.checkEveryStep ? findNonFinite(model, model.train, values, dims, cfg.base.settings.seed, done) : undefined;
  if (f) return `${describeNonFinite(f, modelFile, cfg.modelSource, `at step ${t} (epoch ${epoch + 1}), `)}\n${kept}`;
  if (cfg.checkEveryStep && Number.isFinite(loss)) {
    for (const p of model.params) {
      const a = cfg.module.params[p.name]!;
      for (let k = 0; k < a.length; k++) {
        if (Number.isFinite(a[k])) continue;
        return placed(modelFile, cfg.modelSource, p.loc, `at step ${t} (epoch ${epoch + 1}), param '${p.name}' became ${a[k]} (element ${k}) in the optimizer's update, from a finite loss and gradient: the step is too large (lower the learning rate, or set clip)`) + `\n${kept}`;
      }
    }
  }
  const why = cfg.checkEveryStep ? ' in float32, though the same step is finite in float64 (an overflow?)' : '';
  return `${modelFile}: error: at step ${t} (epoch ${epoch + 1}), the loss is ${loss}${why}; ${kept}`;
}
