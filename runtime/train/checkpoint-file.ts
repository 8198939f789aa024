// A checkpoint on disk (Node): written whole or not at all, checked when read.
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../files.js';
import { ValuesError } from '../values.js';
import type { Checkpoint } from './checkpoint.js';

export function writeCheckpoint(path: string, ck: Checkpoint): void {
  writeFileAtomic(path, JSON.stringify(ck) + '\n');
}

/** Reads and checks a checkpoint; a mistake names the file. */
export function readCheckpoint(path: string): Checkpoint {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new ValuesError(path, 'no checkpoint to resume from (run without --resume first, or give --checkpoint)');
  }
  let ck: Checkpoint;
  try {
    ck = JSON.parse(text) as Checkpoint;
  } catch (e) {
    throw new ValuesError(path, `not a checkpoint: ${(e as Error).message}`);
  }
  if (ck?.format !== 'gradc-checkpoint' || ck.version !== 1 || typeof ck.state !== 'object' || !Array.isArray(ck.history)) {
    throw new ValuesError(path, 'not a gradc checkpoint (version 1)');
  }
  return ck;
}
