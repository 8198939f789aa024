// Escaping for every context a user's string (a file name, an identifier, a
// source line) can reach in generated code. One function per context, so a
// name can never end a comment or a string and become code: JavaScript ends a
// line at \n, \r, U+2028 and U+2029; WGSL also at \v, \f and U+0085, and its
// block comments nest, so `/*` and `*/` are broken up there.

/** Characters that end a line comment in JavaScript (ECMA-262 LineTerminator). */
export const JS_LINE_TERMINATORS = ['\n', '\r', '\u2028', '\u2029'] as const;
/** Characters that end a line comment in WGSL (spec §3.2, line breaks). */
export const WGSL_LINE_BREAKS = ['\n', '\v', '\f', '\r', '\u0085', '\u2028', '\u2029'] as const;

const hex = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
const JS_BREAK = /[\n\r\u2028\u2029]/gu;
const WGSL_BREAK = /[\n\v\f\r\u0085\u2028\u2029]/gu;

/** Text for one JS line comment: every line terminator shown as \uXXXX. */
export function jsComment(text: string): string {
  return text.replace(JS_BREAK, hex);
}

/** Text for one WGSL line comment: line breaks shown as \uXXXX, comment delimiters broken up. */
export function wgslComment(text: string): string {
  return text.replace(WGSL_BREAK, hex).replace(/\/(?=\*)|\*(?=\/)/gu, '$& ');
}

/** A JS string literal (double-quoted) holding `s`, with U+2028/U+2029 escaped as well. */
export function jsString(s: string): string {
  return JSON.stringify(s).replace(/[\u2028\u2029]/gu, hex);
}

/** JSON text (a source map) with U+2028/U+2029 escaped, so it is one line wherever it is read as code. */
export function jsonText(v: unknown): string {
  return JSON.stringify(v).replace(/[\u2028\u2029]/gu, hex);
}

/** Text to put inside a JS template literal (`…`), for a message built at run time. */
export function jsTemplateText(s: string): string {
  return jsString(s).slice(1, -1).replace(/`/gu, '\\`').replace(/\$\{/gu, '\\${');
}

/** A relative URL for a file name (the `//# sourceMappingURL=` comment). */
export function urlOfFile(name: string): string {
  return encodeURIComponent(name);
}
