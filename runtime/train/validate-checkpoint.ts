// A checkpoint is read as untrusted input: every field is checked for its type
// and range, and the state against the live module's own state() (the names
// and lengths of params, optimizer slots, running statistics), so that a
// removed param, a null entry, missing Adam slots, a string epoch or absent
// settings are refused with the file and the entry instead of resumed.
import { SEED_RANGE } from '../seed.js';
import { ValuesError } from '../values.js';
import type { Checkpoint } from './checkpoint.js';

type Check = (v: unknown, path: string) => string | undefined;

const kind = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'string' ? `the string ${JSON.stringify(v).slice(0, 40)}` : typeof v);
const int = (min: number, max = Number.MAX_SAFE_INTEGER): Check => (v) =>
  Number.isInteger(v) && (v as number) >= min && (v as number) < max ? undefined : `should be an integer ≥ ${min}${max < Number.MAX_SAFE_INTEGER ? ` and < ${max}` : ''}, not ${typeof v === 'number' ? v : kind(v)}`;
const finite: Check = (v) => (typeof v === 'number' && Number.isFinite(v) ? undefined : `should be a finite number, not ${kind(v)}`);
const str: Check = (v) => (typeof v === 'string' ? undefined : `should be a string, not ${kind(v)}`);
const nullOr = (c: Check): Check => (v, p) => (v === null ? undefined : c(v, p));
const range = (lo: number, hi: number, c: Check = finite): Check => (v, p) => c(v, p) ?? ((v as number) >= lo && (v as number) <= hi ? undefined : `should be in [${lo}, ${hi}], not ${v}`);
const fraction: Check = (v) => (typeof v === 'number' && v >= 0 && v < 1 ? undefined : `should be a fraction in [0, 1), not ${kind(v) === 'number' ? v : kind(v)}`);

/** An object with exactly these fields (each checked); the first mistake, with its path. */
function fields(shape: Record<string, Check>): Check {
  return (v, path) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return `should be an object, not ${kind(v)}`;
    for (const [k, c] of Object.entries(shape)) {
      const at = path ? `${path}.${k}` : k;
      if (!Object.hasOwn(v, k)) return `${at}: missing`;
      const bad = c((v as Record<string, unknown>)[k], at);
      if (bad) return bad.includes(': ') && bad.startsWith(at) ? bad : `${at}: ${bad}`;
    }
    return undefined;
  };
}

function list(c: Check): Check {
  return (v, path) => {
    if (!Array.isArray(v)) return `should be an array, not ${kind(v)}`;
    for (let k = 0; k < v.length; k++) {
      const bad = c(v[k], `${path}[${k}]`);
      if (bad) return bad.startsWith(`${path}[${k}]`) ? bad : `${path}[${k}]: ${bad}`;
    }
    return undefined;
  };
}

const RECORD = fields({ epoch: int(1), step: int(0), train_loss: finite, val_loss: nullOr(finite), val_accuracy: nullOr(range(0, 1)), lr: finite });

const META = fields({
  format: (v) => (v === 'gradc-checkpoint' ? undefined : 'not a gradc checkpoint'),
  version: (v) => (v === 1 ? undefined : `version ${JSON.stringify(v)}: this gradc reads version 1`),
  model: fields({ file: str, sha256: str }),
  data: nullOr(fields({ file: str, sha256: str, examples: int(1) })),
  settings: fields({ seed: int(SEED_RANGE[0], SEED_RANGE[1]), batch: int(1), val: fraction, epochs: int(1), patience: nullOr(int(1)), columns: nullOr(str) }),
  epoch: int(0),
  position: int(0),
  step: int(0),
  partial: fields({ loss_sum: finite, examples: int(0) }),
  best: fields({ val_loss: nullOr(finite), epoch: int(0), waited: int(0) }),
  history: list(RECORD),
  seconds: range(0, Infinity),
  state: (v) => (v !== null && typeof v === 'object' && !Array.isArray(v) ? undefined : `should be an object of arrays by name, not ${kind(v)}`),
});

/** Checks everything but the state's contents; returns the checkpoint typed. */
export function validateCheckpoint(file: string, v: unknown): Checkpoint {
  const bad = META(v, '');
  if (bad) throw new ValuesError(file, `entry ${bad}`);
  const ck = v as Checkpoint;
  if (ck.epoch > ck.settings.epochs) throw new ValuesError(file, `entry epoch: ${ck.epoch} is beyond settings.epochs (${ck.settings.epochs})`);
  if (ck.history.length !== ck.epoch) throw new ValuesError(file, `entry history: ${ck.history.length} records for ${ck.epoch} epochs`);
  return ck;
}

/**
 * Checks the state against the live module's own state() (`expected`: every
 * key and its length), then the step count against the checkpoint's.
 */
export function validateState(file: string, ck: Checkpoint, expected: Record<string, ArrayLike<number>>, modelFile: string): void {
  const want = Object.keys(expected);
  for (const k of Object.keys(ck.state)) {
    if (!Object.hasOwn(expected, k)) throw new ValuesError(file, `entry state.${k}: ${modelFile} has no such param, optimizer slot or statistic (it has ${want.join(', ')})`);
  }
  for (const k of want) {
    if (!Object.hasOwn(ck.state, k)) throw new ValuesError(file, `entry state.${k}: missing (${modelFile} keeps ${want.join(', ')})`);
    const a = ck.state[k] as unknown;
    const n = expected[k]!.length;
    if (!Array.isArray(a)) throw new ValuesError(file, `entry state.${k}: should be an array of ${n} numbers, not ${kind(a)}`);
    if (a.length !== n) throw new ValuesError(file, `entry state.${k}: ${a.length} values; ${modelFile} needs ${n}`);
    const bad = a.findIndex((x) => typeof x !== 'number' || !Number.isFinite(x));
    if (bad >= 0) throw new ValuesError(file, `entry state.${k}[${bad}]: should be a finite number, not ${kind(a[bad])}`);
  }
  if (Object.hasOwn(ck.state, '@step') && ck.state['@step']![0] !== ck.step) {
    throw new ValuesError(file, `entry state.@step: ${ck.state['@step']![0]}, but entry step is ${ck.step}`);
  }
}
