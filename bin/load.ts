// Reading a model from disk, compiling it, and printing its diagnostics.
import { readFileSync } from 'node:fs';
import { compileSource } from '../compiler/compile.js';
import { CompileError, START, type Diagnostic } from '../grammar/diagnostics.js';
import { DEFAULT_MAX_MEMORY, formatBytes, largestParam, plannedBytes } from '../targets/memory.js';
import type { Model } from '../compiler/model.js';
import { lint } from '../compiler/teach/lint.js';
import { printDiagnostics, SOURCES, UsageError } from './errors.js';

export interface Loaded {
  file: string;
  source: string;
  model: Model;
}

export function readModel(file: string, dims: Record<string, number> = {}, quiet = false, maxMemory = DEFAULT_MAX_MEMORY): Loaded {
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read '${file}'${code === 'ENOENT' ? ': no such file' : code === 'EISDIR' ? ': it is a folder' : ''}`);
  }
  const r = compileSource(source, { dims });
  const usage = r.diagnostics.list.find((d) => d.usage);
  if (usage) throw new UsageError(usage.message);
  // The stability lint (compiler/teach/lint.ts): NaN risks as warnings.
  if (r.model && !quiet) for (const d of lint(r.model)) r.diagnostics.warning(d.loc, d.message);
  const list = r.diagnostics.sorted().filter((d) => !quiet || d.severity === 'error');
  printDiagnostics(file, source, list);
  if (!r.model) throw new CompileError(list);
  const bytes = plannedBytes(r.model, 4);
  if (bytes !== undefined && bytes > maxMemory) {
    // At the largest fixed dim (the usual culprit), else at the largest param.
    const dim = r.model.dims.filter((d) => d.value !== undefined).sort((a, b) => b.value! - a.value!)[0];
    const loc = dim?.loc ?? largestParam(r.model)?.loc ?? START;
    const d: Diagnostic = { severity: 'error', loc, message: `the model needs ${formatBytes(bytes)} (params, gradients, optimizer slots and buffers in float32), more than the limit of ${formatBytes(maxMemory)}${dim ? ` (${dim.name} = ${dim.value})` : ''}; use smaller sizes, or raise the limit with --max-memory BYTES` };
    printDiagnostics(file, source, [d]);
    throw new CompileError([d]);
  }
  SOURCES.set(r.model, { file, source });
  return { file, source, model: r.model };
}

/** Parses `--max-memory`: bytes, or with a suffix K, M, G, T (powers of 1024). */
export function parseBytes(s: string | undefined): number {
  if (s === undefined) return DEFAULT_MAX_MEMORY;
  const m = /^(\d+(?:\.\d+)?)\s*([KMGT]?)i?B?$/iu.exec(s.trim());
  const n = m ? Number(m[1]) * 1024 ** ' KMGT'.indexOf(m[2]!.toUpperCase() || ' ') : NaN;
  if (!(n >= 1) || !Number.isFinite(n)) throw new UsageError(`--max-memory wants a size in bytes like 8G or 512M, not '${s}'`);
  return n;
}

/** Parses repeated `--dim NAME=VALUE` options. */
export function parseDims(list: string[] = []): Record<string, number> {
  // Without a prototype: a dim may be called `constructor`.
  const out = Object.create(null) as Record<string, number>;
  for (const item of list) {
    const m = /^([^=\s]+)=(\d+)$/u.exec(item);
    if (!m || Number(m[2]) <= 0) throw new UsageError(`--dim wants NAME=POSITIVE_INTEGER, not '${item}'`);
    if (!Number.isSafeInteger(Number(m[2]))) throw new UsageError(`--dim ${item}: ${m[2]} is too large for a size`);
    if (Object.hasOwn(out, m[1]!)) throw new UsageError(`--dim ${m[1]} is given twice (${m[1]}=${out[m[1]!]} and ${item}); give each dim once`);
    out[m[1]!] = Number(m[2]);
  }
  return out;
}
