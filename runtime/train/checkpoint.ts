// Checkpoints: the module's state() (params, optimizer slots, running
// statistics, step count) as plain arrays, plus where the run is (epoch,
// position in the epoch's seeded order, the sums of the epoch so far) and its
// history, so that --resume continues exactly. Written whole or not at all.
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../files.js';
import { ValuesError } from '../values.js';
import { validateCheckpoint } from './validate-checkpoint.js';

/** One finished epoch. */
export interface EpochRecord {
  epoch: number;
  /** Total steps at the end of the epoch. */
  step: number;
  train_loss: number;
  val_loss: number | null;
  val_accuracy: number | null;
  /** Accuracy on the training examples at the epoch's end (eval mode), when an output scores classes. */
  train_accuracy?: number;
  /** The rate of the epoch's last step. */
  lr: number;
}

/** The options a run's batches depend on: a resumed run must use the same. */
export interface RunSettings {
  seed: number;
  batch: number;
  val: number;
  epochs: number;
  patience: number | null;
  columns: string | null;
}

export interface Checkpoint {
  format: 'gradc-checkpoint';
  version: 1;
  model: { file: string; sha256: string };
  data: { file: string; sha256: string; examples: number } | null;
  settings: RunSettings;
  /** Epochs finished. */
  epoch: number;
  /** Steps done in the epoch under way (0 at an epoch boundary). */
  position: number;
  /** Steps in all (the module's @step). */
  step: number;
  /** Sums over the epoch under way: loss × batch size, and examples. */
  partial: { loss_sum: number; examples: number };
  /** Early stopping: the best validation loss, its epoch, and epochs since. */
  best: { val_loss: number | null; epoch: number; waited: number };
  history: EpochRecord[];
  /** Seconds spent training, over every run that led here. */
  seconds: number;
  state: Record<string, number[]>;
}

export function writeCheckpoint(path: string, ck: Checkpoint): void {
  writeFileAtomic(path, JSON.stringify(ck) + '\n');
}

/** Reads and checks a checkpoint; a mistake names the file. */
export function readCheckpoint(path: string): Checkpoint {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EISDIR') throw new ValuesError(path, 'is a folder, not a checkpoint (give --checkpoint FILE)');
    throw new ValuesError(path, 'no checkpoint to resume from (run without --resume first, or give --checkpoint)');
  }
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new ValuesError(path, `not a checkpoint: ${(e as Error).message}`);
  }
  return validateCheckpoint(path, v);
}

/** The state as plain arrays (JSON keeps every float32 and float64 value exactly). */
export function plainState(state: Record<string, ArrayLike<number>>): Record<string, number[]> {
  return Object.fromEntries(Object.entries(state).map(([k, v]) => [k, Array.from(v)]));
}
