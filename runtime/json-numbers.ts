// Where a number in JSON text is out of range. JSON.parse reads 1e999 as
// Infinity and keeps no positions, so the text is scanned for its number
// literals (outside strings) and the first one that does not fit is reported
// at its line and column, before anything is computed with it.

export interface NumberPlace {
  line: number;
  col: number;
  literal: string;
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/** The first number literal for which `fits` is false, or undefined. */
export function firstMisfit(text: string, fits: (x: number) => boolean): NumberPlace | undefined {
  let line = 1;
  let lineStart = 0;
  for (let k = 0; k < text.length; k++) {
    const ch = text[k]!;
    if (ch === '\n') {
      line++;
      lineStart = k + 1;
    } else if (ch === '"') {
      for (k++; k < text.length && text[k] !== '"'; k++) if (text[k] === '\\') k++;
    } else if (ch === '-' || (ch >= '0' && ch <= '9')) {
      NUMBER.lastIndex = k;
      const m = NUMBER.exec(text);
      if (!m) continue;
      if (!fits(Number(m[0]))) return { line, col: k - lineStart + 1, literal: m[0] };
      k += m[0].length - 1;
    }
  }
  return undefined;
}

/** Whether float32 holds x without overflowing to infinity. */
export const fitsFloat32 = (x: number) => Number.isFinite(Math.fround(x));
/** Whether float64 holds x (JSON's 1e999 does not). */
export const fitsFloat64 = (x: number) => Number.isFinite(x);
/** For messages: float32's range. */
export const FLOAT32_MAX = 3.4028234663852886e38;
