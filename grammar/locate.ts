// Places in the source. `locAt` (grammar/diagnostics.ts) scans from the start
// of the text on every call; a parser asks for a place per token, so this
// precomputes line starts and code-point columns once and answers exactly as
// `locAt` does (test/grammar/locate.test.ts checks that they agree).
import type { Loc } from './diagnostics.js';

export type Locator = (offset: number, length?: number) => Loc;

export function makeLocator(text: string): Locator {
  const n = text.length;
  const lineOf = new Uint32Array(n + 1);
  // colOf[i]: 1 + the number of code points of `text.slice(lineStart, i)`, as spreading
  // the slice counts them (a pair cut in half by `i` counts as one).
  const colOf = new Uint32Array(n + 1);
  let line = 1;
  let col = 1;
  for (let i = 0; i <= n; ) {
    lineOf[i] = line;
    colOf[i] = col;
    if (i === n) break;
    const c = text.charCodeAt(i);
    if (c === 10) {
      line++;
      col = 1;
      i++;
    } else if (c >= 0xd800 && c <= 0xdbff && i + 1 < n && isLow(text.charCodeAt(i + 1))) {
      lineOf[i + 1] = line;
      colOf[i + 1] = col + 1;
      col++;
      i += 2;
    } else {
      col++;
      i++;
    }
  }
  return (offset, length = 1) => {
    const at = Math.max(0, Math.min(n, Number.isFinite(offset) ? offset : n));
    return { offset: at, line: lineOf[at]!, col: colOf[at]!, length };
  };
}

function isLow(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}
