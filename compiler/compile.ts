// The pipeline up to the Model: parse, then analyze.
import { parse } from '../grammar/index.js';
import { analyze, type AnalyzeOptions } from './analyze/index.js';
import { MAX_DEPTH, tooDeep } from './analyze/depth.js';
import { Diagnostics } from '../grammar/diagnostics.js';
import type { Model } from './model.js';

export interface Compiled {
  model?: Model;
  diagnostics: Diagnostics;
}

export function compileSource(source: string, opts: AnalyzeOptions = {}): Compiled {
  const diagnostics = new Diagnostics();
  const program = parse(source, diagnostics);
  if (diagnostics.hasErrors) {
    // Keep going with what parsed, so that independent semantic errors are
    // reported too; the result is discarded.
    analyze(program, diagnostics, { ...opts, partial: true, lostNames: namesOnErrorLines(source, diagnostics) });
    return { diagnostics };
  }
  const deep = tooDeep(program);
  if (deep) {
    diagnostics.error(deep.loc, `this nests ${deep.depth} levels deep (through its equations and defs); gradc compiles at most ${MAX_DEPTH}: split it into equations of partial sums, or reduce with sum() over a tensor`);
    return { diagnostics };
  }
  const model = analyze(program, diagnostics, opts);
  return { model: diagnostics.hasErrors ? undefined : model, diagnostics };
}

/** Every identifier-like word on a line that has a syntax error. */
function namesOnErrorLines(source: string, diagnostics: Diagnostics): Set<string> {
  const lines = source.split('\n');
  const out = new Set<string>();
  for (const d of diagnostics.list) {
    for (const m of (lines[d.loc.line - 1] ?? '').matchAll(/[\p{L}_][\p{L}\p{N}_]*/gu)) out.add(m[0]);
  }
  return out;
}
