// A checkpoint on disk (Node): written whole or not at all, checked when read.
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../files.js';
import { ValuesError } from '../values.js';
import type { Checkpoint } from './checkpoint.js';
import { validateCheckpoint } from './validate-checkpoint.js';

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
