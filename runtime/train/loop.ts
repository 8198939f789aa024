// The training loop: seeded batches through the module's fused `step`,
// validation in eval mode, early stopping, checkpoints at every epoch's end,
// and a stop at the first NaN or infinity that names the tensor and the step.
// It works on any module with the generated API, synchronous (JS) or not (WebGPU).
// Accuracy and the update ratio are measured in metrics.ts; a NaN step is explained by diagnose.ts.
import type { Model } from '../../compiler/model.js';
import { rate } from '../../compiler/schedule.js';
import { diagnose } from './diagnose.js';
import { addRatio, evaluate, scoreOutput } from './metrics.js';
import { plainState, type Checkpoint, type EpochRecord } from './checkpoint.js';
import { Batcher, type Dataset, type Layout } from './data.js';
import { epochOrder, type Split } from './shuffle.js';

type Arrays = Record<string, ArrayLike<number>>;
export type Inputs = Record<string, Float32Array | Float64Array | Int32Array>;

/** The generated API, JS or WebGPU (answers may be promises). */
export interface Trainable {
  params: Record<string, ArrayLike<number>>;
  step(inputs: Inputs): number | Promise<number>;
  forward(inputs: Inputs): { loss: number; outputs: Record<string, ArrayLike<number> | number> } | Promise<{ loss: number; outputs: Record<string, ArrayLike<number> | number> }>;
  train(): void;
  eval(): void;
  state(): Arrays | Promise<Arrays>;
  load(state: Arrays): void | Promise<void>;
}

export interface StepInfo {
  epoch: number;
  epochs: number;
  /** Steps done in this epoch, and its number of steps. */
  position: number;
  steps: number;
  /** Steps in all. */
  step: number;
  loss: number;
  lr: number;
  /** null for a model without inputs: it trains on no examples. */
  examplesPerSecond: number | null;
  /** Seconds until the last epoch ends, at this run's pace so far. */
  eta: number;
}

/** What the reporter hears at an epoch's end besides the record. */
export interface EpochExtra {
  epochs: number;
  examplesPerSecond: number | null;
  /** The epoch's seconds, and the seconds left until the last epoch ends. */
  seconds: number;
  eta: number;
  ratios?: Map<string, number>;
}

export interface Reporter {
  epochStart(epoch: number, epochs: number, steps: number, position: number): void;
  step(info: StepInfo): void;
  epochEnd(record: EpochRecord, extra: EpochExtra): void;
  /** Called before the loop returns, however it ends. */
  close(): void;
}

export interface LoopConfig {
  model: Model;
  modelFile: string;
  /** The model's text, for the source line and caret of a NaN's message. */
  modelSource?: string;
  module: Trainable;
  layout: Layout;
  data: Dataset;
  split: Split;
  /** Where checkpoints go, for messages, and how one is kept (the command line: a file written whole; the page: in memory). */
  checkpointPath: string;
  save: (ck: Checkpoint) => void | Promise<void>;
  /** The checkpoint's contents besides the run's position. */
  base: Pick<Checkpoint, 'model' | 'data' | 'settings'>;
  resume?: Checkpoint;
  /** Stop after this many steps in all (a checkpoint is written there). */
  maxSteps?: number;
  /** Check params after every step (cheap on the CPU); otherwise the loss only, and the state at each epoch's end. */
  checkEveryStep: boolean;
  verbose: boolean;
  reporter: Reporter;
  /** Polled after every step: true stops the run with a checkpoint (Ctrl-C). */
  interrupted: () => boolean;
  precision?: 'f32' | 'f64';
  /** Called at each epoch's end, after its checkpoint, with the epoch's update/param ratios where they were measured. */
  onEpoch?: (record: EpochRecord, ratios: Map<string, number> | undefined) => void | Promise<void>;
}

export type StopReason = 'epochs' | 'patience' | 'steps' | 'interrupted' | 'diverged';

export interface LoopResult {
  reason: StopReason;
  /** For 'diverged': the message naming the tensor and the step. */
  error?: string;
  epoch: number;
  step: number;
  history: EpochRecord[];
  train_loss: number | null;
  val_loss: number | null;
  val_accuracy: number | null;
  /** This run's training seconds. */
  seconds: number;
  /** With --patience: the epoch whose params were restored at the early stop (the best validation loss). */
  restored?: { epoch: number; val_loss: number };
  /** Where the last good checkpoint is, and its step. */
  checkpoint: string;
  checkpointStep: number;
}

/** The rate at step t: the schedule's reference formula (the module's `step` spells the same; tests compare them). */
export function rateFunction(model: Model): (t: number) => number {
  const lr0 = model.optimizer.args.lr as number;
  return (t) => rate(model.schedule, t, lr0);
}

const allFinite = (a: ArrayLike<number>) => {
  for (let k = 0; k < a.length; k++) if (!Number.isFinite(a[k])) return false;
  return true;
};

export async function trainLoop(cfg: LoopConfig): Promise<LoopResult> {
  const { model, module: m, layout, data, split, reporter } = cfg;
  const { seed, batch, epochs, patience } = cfg.base.settings;
  const batcher = new Batcher(data, layout, cfg.precision);
  const lrAt = rateFunction(model);
  const score = scoreOutput(model, layout);
  const B = layout.batchDim === undefined ? 1 : batch;
  const ntrain = split.train.length;
  // A last batch of one example would give batchnorm no variance: it is left out then.
  const stepsPerEpoch = model.states.length && ntrain % B === 1 && ntrain > 1 ? Math.floor(ntrain / B) : Math.ceil(ntrain / B);
  const paramNames = model.params.map((p) => p.name);

  const ck = cfg.resume;
  let epoch = ck?.epoch ?? 0;
  let position = ck?.position ?? 0;
  let step = ck?.step ?? 0;
  let lossSum = ck?.partial.loss_sum ?? 0;
  let examples = ck?.partial.examples ?? 0;
  const best = ck ? { ...ck.best } : { val_loss: null as number | null, epoch: 0, waited: 0 };
  const history: EpochRecord[] = ck ? [...ck.history] : [];
  const priorSeconds = ck?.seconds ?? 0;
  let checkpointStep = step;
  const started = performance.now();
  const elapsed = () => (performance.now() - started) / 1000;

  const save = async () => {
    await cfg.save({
      format: 'gradc-checkpoint',
      version: 1,
      ...cfg.base,
      epoch,
      position,
      step,
      partial: { loss_sum: lossSum, examples },
      best: { ...best },
      history,
      seconds: priorSeconds + elapsed(),
      state: plainState(await m.state()),
    });
    checkpointStep = step;
  };
  const result = (reason: StopReason, error?: string, restored?: LoopResult['restored']): LoopResult => {
    reporter.close();
    // After an early stop the params are the best epoch's: report that epoch's numbers.
    const last = restored ? history[restored.epoch - 1] : history[history.length - 1];
    return {
      reason, error, epoch, step, history, restored,
      train_loss: last?.train_loss ?? null,
      val_loss: last?.val_loss ?? null,
      val_accuracy: last?.val_accuracy ?? null,
      seconds: elapsed(),
      checkpoint: cfg.checkpointPath,
      checkpointStep,
    };
  };

  if (ck) await m.load(ck.state);
  else await save(); // the first good checkpoint: the initial params
  m.train();

  // A copy of the params before each step: where a NaN came from, and the update/param ratios.
  const before = new Map(paramNames.map((n) => [n, new Float64Array(m.params[n]!.length)]));
  // The lectures' rule of thumb: ‖update‖ / ‖param‖ about 1e-3.
  const ratioSums = new Map(paramNames.map((n) => [n, [0, 0] as [number, number]]));
  let lastYield = performance.now();
  let windowStart = performance.now();
  let windowExamples = 0;
  // A model without inputs (a loss surface) trains on no examples: no rate to show.
  const hasData = layout.inputs.length > 0;
  const stepsThisRun = { from: step, total: epochs * stepsPerEpoch };
  const etaAt = (s: number) => {
    const done = s - stepsThisRun.from;
    return done > 0 ? ((stepsThisRun.total - s) * elapsed()) / done : NaN;
  };
  // The params of the epoch with the best validation loss, restored by an early stop.
  let bestState: Record<string, number[]> | undefined;

  while (epoch < epochs) {
    const order = epochOrder(split.train, seed, epoch);
    reporter.epochStart(epoch, epochs, stepsPerEpoch, position);
    const epochStarted = performance.now();
    let epochExamples = 0;
    for (; position < stepsPerEpoch; ) {
      const from = position * B;
      const to = Math.min(from + B, ntrain);
      const inputs = batcher.batch(order, from, to);
      // The CPU module's params are live arrays; another target's are read back with state().
      const current = async () => (cfg.checkEveryStep ? m.params : await m.state());
      // The ratios are measured where the params are copied anyway (the CPU), or when asked for.
      const measure = cfg.checkEveryStep || cfg.verbose;
      if (measure) {
        const now = await current();
        for (const n of paramNames) before.get(n)!.set(now[n]!);
      }
      const loss = await m.step(inputs);
      const bad = !Number.isFinite(loss) || (cfg.checkEveryStep && paramNames.some((n) => !allFinite(m.params[n]!)));
      if (bad) return result('diverged', diagnose(cfg, before, inputs, to - from, step, epoch, loss, checkpointStep));
      step++;
      position++;
      lossSum += loss * (to - from);
      examples += to - from;
      epochExamples += to - from;
      windowExamples += to - from;
      if (measure) {
        const after = await current();
        for (const n of paramNames) addRatio(ratioSums.get(n)!, before.get(n)!, after[n]!);
      }
      const now = performance.now();
      reporter.step({ epoch, epochs, position, steps: stepsPerEpoch, step, loss, lr: lrAt(step), examplesPerSecond: hasData ? (windowExamples * 1000) / Math.max(now - windowStart, 1e-3) : null, eta: etaAt(step) });
      if (now - windowStart > 2000) [windowStart, windowExamples] = [now, 0];
      // Let timers (the progress bar), signals (Ctrl-C) and a page's events in now and then.
      if (now - lastYield > 50) {
        await new Promise((r) => setTimeout(r, 0));
        lastYield = performance.now();
      }
      if (cfg.interrupted() || (cfg.maxSteps !== undefined && step >= cfg.maxSteps)) {
        await save();
        return result(cfg.interrupted() ? 'interrupted' : 'steps');
      }
    }
    const epochSeconds = (performance.now() - epochStarted) / 1000;

    // The epoch's end: validation in eval mode, the record, early stopping, a checkpoint.
    if (!cfg.checkEveryStep) {
      const state = await m.state();
      const badKey = Object.keys(state).find((k) => !allFinite(state[k]!));
      if (badKey) return result('diverged', `${cfg.modelFile}: error: '${badKey}' is not finite after epoch ${epoch + 1} (step ${step}); training stopped. The last good checkpoint (step ${checkpointStep}) is kept in ${cfg.checkpointPath}`);
    }
    let val: { loss: number; accuracy: number | null } | undefined;
    if (split.val.length) {
      val = await evaluate(m, batcher, split.val, layout.batchDim === undefined ? 1 : Math.max(B, 512), score);
      if (!Number.isFinite(val.loss)) {
        return result('diverged', `${cfg.modelFile}: error: the validation loss is ${val.loss} after epoch ${epoch + 1} (step ${step}) though the training loss is finite; training stopped. The last good checkpoint (step ${checkpointStep}) is kept in ${cfg.checkpointPath}`);
      }
    }
    // Accuracy on the training examples too (eval mode, at the epoch's end), to set beside val's.
    const trainAccuracy = score ? (await evaluate(m, batcher, split.train, layout.batchDim === undefined ? 1 : Math.max(B, 512), score)).accuracy : null;
    const record: EpochRecord = {
      epoch: epoch + 1,
      step,
      train_loss: examples ? lossSum / examples : NaN,
      val_loss: val ? val.loss : null,
      val_accuracy: val ? val.accuracy : null,
      ...(trainAccuracy !== null ? { train_accuracy: trainAccuracy } : {}),
      lr: lrAt(Math.max(step, 1)),
    };
    history.push(record);
    epoch++;
    position = 0;
    lossSum = 0;
    examples = 0;
    if (val) {
      if (best.val_loss === null || val.loss < best.val_loss) {
        Object.assign(best, { val_loss: val.loss, epoch, waited: 0 });
        if (patience !== null) bestState = plainState(await m.state());
      } else best.waited++;
    }
    await save();
    let ratios: Map<string, number> | undefined;
    if (cfg.checkEveryStep || cfg.verbose) {
      ratios = new Map(paramNames.map((n) => {
        const [d, p] = ratioSums.get(n)!;
        return [n, p > 0 ? Math.sqrt(d / p) : d > 0 ? Infinity : 0];
      }));
      for (const n of paramNames) ratioSums.set(n, [0, 0]);
    }
    reporter.epochEnd(record, { epochs, examplesPerSecond: hasData ? epochExamples / Math.max(epochSeconds, 1e-9) : null, seconds: epochSeconds, eta: etaAt(step), ratios: cfg.verbose ? ratios : undefined });
    await cfg.onEpoch?.(record, ratios);
    if (patience !== null && val && best.waited >= patience) {
      // Stop with the best epoch's params, in the module and in the checkpoint.
      // (After --resume the best epoch may predate this run: its params were not kept.)
      if (!bestState) return result('patience');
      await m.load(bestState);
      await save();
      return result('patience', undefined, { epoch: best.epoch, val_loss: best.val_loss! });
    }
    if (cfg.interrupted()) return result('interrupted');
  }
  return result('epochs');
}
