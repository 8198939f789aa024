// Identifiers for generated code: the user's names where they are safe, made
// unique, and never a keyword or a name the module itself uses. A model may
// call its tensors `constructor`, `eval`, `this` or `var`.

const JS_RESERVED = new Set(
  ('break case catch class const continue debugger default delete do else enum export extends false finally for ' +
    'function if import in instanceof new null return super switch this throw true try typeof var void while with ' +
    'yield let static implements interface package private protected public await arguments eval undefined NaN ' +
    'Infinity Math Object Array Float32Array Float64Array Int32Array Number Error RangeError globalThis constructor ' +
    'prototype __proto__ toString valueOf hasOwnProperty').split(' '),
);

/** Allocates identifiers that cannot collide with each other or with `reserved`. */
export class Names {
  private readonly used = new Set<string>();

  constructor(private readonly reserved: ReadonlySet<string> = JS_RESERVED) {}

  /** Marks names the generated code defines itself. */
  claim(...names: string[]): void {
    for (const n of names) this.used.add(n);
  }

  /** A scope inside this one: it avoids every name used here so far, and its own names stay inside. */
  child(): Names {
    const c = new Names(this.reserved);
    c.claim(...this.used);
    return c;
  }

  /** A fresh identifier based on `wanted`. */
  fresh(wanted: string): string {
    let base = wanted.normalize('NFC').replace(/[^\p{L}\p{N}_$]/gu, '_');
    if (!/^[\p{L}_$]/u.test(base)) base = `_${base}`;
    if (this.reserved.has(base)) base = `${base}_`;
    let name = base;
    for (let k = 2; this.used.has(name) || this.reserved.has(name); k++) name = `${base}_${k}`;
    this.used.add(name);
    return name;
  }
}

export { JS_RESERVED };

/** The names of the functions a helper text defines: kept clear of user names. */
export function definedFunctions(text: string, keyword = 'function'): string[] {
  return [...text.matchAll(new RegExp(`^${keyword} ([A-Za-z_$][\\w$]*)`, 'gm'))].map((m) => m[1]!);
}
