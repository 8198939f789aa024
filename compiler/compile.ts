// The pipeline up to the Model: parse, then analyze.
import { parse } from '../grammar/index.js';
import { analyze, type AnalyzeOptions } from './analyze/index.js';
import { Diagnostics } from './diagnostics.js';
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
    analyze(program, diagnostics, { ...opts, partial: true });
    return { diagnostics };
  }
  const model = analyze(program, diagnostics, opts);
  return { model: diagnostics.hasErrors ? undefined : model, diagnostics };
}
