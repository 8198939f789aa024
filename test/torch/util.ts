// Helpers for the torch target's tests: whether a python3 with torch is here
// (else the tests say so in one line and skip), writing generated modules, and
// running many jobs through one python process (test/torch/harness.py).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { torchPython } from '../../bin/commands/python.js';
import type { Model } from '../../compiler/model.js';
import { emitTorchModule } from '../../targets/torch/module.js';

export const PY = torchPython();
/** The one line that says the torch tests did not run (grad.test.ts prints it). */
export const SKIPPED = 'test/torch: skipped: no python3 with torch here (Debian: apt-get install python3-torch, or set GRADC_PYTHON)';

export const ROOT = resolve(import.meta.dirname, '../..');

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'gradc-torch-'));
}

/** Writes the model's torch module into `dir` as NAME.py; returns its path. */
export function writeModule(model: Model, dir: string, name: string, modelText?: string): string {
  const path = join(dir, `${name}.py`);
  writeFileSync(path, emitTorchModule(model, { source: `${name}.nn`, modelText }));
  return path;
}

/** Runs the jobs in one python process; one result per job, in order. */
export function runJobs<T>(jobs: object[], dir: string): T[] {
  const jobsFile = join(dir, 'jobs.json');
  const out = join(dir, 'results.json');
  writeFileSync(jobsFile, JSON.stringify(jobs));
  const r = spawnSync(PY!, [join(ROOT, 'test/torch/harness.py'), jobsFile, out], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`harness failed: ${r.stderr}`);
  return JSON.parse(readFileSync(out, 'utf8')) as T[];
}

/** The worst error of `a` against `b`, relative to b's largest element (floored at 1): float32 agreement is ~1e-6. */
export function worstError(a: number[], b: number[]): number {
  if (a.length !== b.length) return Infinity;
  // Loops, not Math.max(...): a spread of millions of elements (examples/deep_init.nn) overflows the stack.
  const scale = b.reduce((m, x) => Math.max(m, Math.abs(x)), 1);
  return a.reduce((m, x, i) => Math.max(m, Number.isNaN(x) && Number.isNaN(b[i]!) ? 0 : Math.abs(x - b[i]!) / scale), 0);
}

export const flat = (v: number | ArrayLike<number>): number[] => (typeof v === 'number' ? [v] : Array.from(v));
