// Source maps (version 3): each generated line that computes something points
// at the .nn line it came from, so a debugger or a stack trace in a generated
// module leads back to the model.
import type { Code } from './code.js';
import { jsonText } from './escape.js';

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Base-64 VLQ, as the source map format encodes numbers. */
export function vlq(n: number): string {
  let v = n < 0 ? (-n << 1) | 1 : n << 1;
  let out = '';
  do {
    let digit = v & 31;
    v >>>= 5;
    if (v > 0) digit |= 32;
    out += B64[digit];
  } while (v > 0);
  return out;
}

/** The source map of `code` (generated into `file`) against the model file `source`. */
export function sourceMap(code: Code, file: string, source: string, sourceText?: string): string {
  const lines = code.toString().split('\n').length;
  const groups: string[] = [];
  let prevLine = 0;
  let prevCol = 0;
  for (let g = 0; g < lines; g++) {
    const pos = code.mappings.get(g);
    if (!pos) {
      groups.push('');
      continue;
    }
    // [generated column, source index, source line, source column], relative to the previous segment.
    groups.push(vlq(0) + vlq(0) + vlq(pos.line - 1 - prevLine) + vlq(pos.col - 1 - prevCol));
    prevLine = pos.line - 1;
    prevCol = pos.col - 1;
  }
  return jsonText({
    version: 3,
    file,
    sources: [source],
    ...(sourceText !== undefined && { sourcesContent: [sourceText] }),
    names: [],
    mappings: groups.join(';'),
  });
}
