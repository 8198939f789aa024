// Reading a model from disk, compiling it, and printing its diagnostics.
import { readFileSync } from 'node:fs';
import { CompileError } from '../compiler/diagnostics.js';
import type { Model } from '../compiler/model.js';
import { compile } from '../targets/library.js';
import { printDiagnostics, UsageError } from './errors.js';

export interface Loaded {
  file: string;
  source: string;
  model: Model;
}

export function readModel(file: string, dims: Record<string, number> = {}, quiet = false): Loaded {
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read '${file}'${code === 'ENOENT' ? ': no such file' : code === 'EISDIR' ? ': it is a folder' : ''}`);
  }
  // With the stability lint (compiler/teach/lint.ts): NaN risks as warnings.
  const r = compile(source, { file, dims, lint: !quiet });
  const list = r.diagnostics.filter((d) => !quiet || d.severity === 'error');
  printDiagnostics(file, source, list);
  if (!r.model) throw new CompileError(list);
  return { file, source, model: r.model };
}

/** Parses repeated `--dim NAME=VALUE` options. */
export function parseDims(list: string[] = []): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of list) {
    const m = /^([^=\s]+)=(\d+)$/u.exec(item);
    if (!m || Number(m[2]) <= 0) throw new UsageError(`--dim wants NAME=POSITIVE_INTEGER, not '${item}'`);
    out[m[1]!] = Number(m[2]);
  }
  return out;
}
