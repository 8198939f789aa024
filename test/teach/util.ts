// Helpers for the teaching tests: compile models from files or text, shrink
// their sizes, and get the values the commands would evaluate at.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Model } from '../../compiler/model.js';
import { randomInput } from '../../bin/commands/check.js';
import { leafValues, type Leaves } from '../../bin/commands/explain.js';

export const root = resolve(import.meta.dirname, '../..');

/** A model from source text; its errors, if any, thrown with their places. */
import { compileOk as compile } from '../helpers/run.js';
export { compile };

/** A model file compiled with every size above 4 shrunk to 3, so that its Hessian is small. */
export function compileSmall(file: string): { model: Model; dims: Record<string, number> } {
  const source = readFileSync(file, 'utf8');
  const full = compile(source);
  const dims = Object.fromEntries(full.dims.filter((d) => (d.value ?? 0) > 4).map((d) => [d.name, 3]));
  try {
    return { model: compile(source, dims), dims };
  } catch {
    return { model: full, dims: {} };
  }
}

/** The values a command evaluates at: `at` (a values file) or seeded random inputs, params as create() makes them. */
export function values(model: Model, at?: string, seed = 1): Promise<Leaves> {
  return leafValues(model, { at, seed: String(seed) }, randomInput(seed));
}

export const examples = readdirSync(join(root, 'examples')).filter((f) => f.endsWith('.nn')).map((f) => join(root, 'examples', f));

const cases = resolve(root, '../shared/conformance/public');
/** The public conformance cases that are valid models, with their values. */
export const conformance: { file: string; at: string }[] = existsSync(cases)
  ? readdirSync(cases)
      .filter((c) => existsSync(join(cases, c, 'model.nn')) && !JSON.parse(readFileSync(join(cases, c, 'expected.json'), 'utf8')).exit)
      .map((c) => ({ file: join(cases, c, 'model.nn'), at: join(cases, c, 'values.json') }))
  : [];

/** Runs a command function, returning what it wrote to stdout. */
export async function stdout(run: () => unknown): Promise<string> {
  const chunks: string[] = [];
  const write = process.stdout.write;
  process.stdout.write = ((s: string) => (chunks.push(String(s)), true)) as typeof process.stdout.write;
  try {
    await run();
  } finally {
    process.stdout.write = write;
  }
  return chunks.join('');
}
