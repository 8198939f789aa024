// Item 1 of issue 10: a user's string (a file name, a name, a source line)
// never ends a comment or a string in generated code. The escaping functions
// are fuzzed with every line terminator and comment delimiter, and a model
// whose file name holds U+2028 compiles to modules with no line of code from it.
import { describe, expect, it } from 'vitest';
import { compileSource } from '../../compiler/compile.js';
import { importModule } from '../../runtime/load-module.js';
import { hash3 } from '../../compiler/random.js';
import { jsComment, jsonText, jsString, jsTemplateText, JS_LINE_TERMINATORS, urlOfFile, wgslComment, WGSL_LINE_BREAKS } from '../../targets/escape.js';
import { TARGETS } from '../../targets/index.js';

const NASTY = [...new Set([...JS_LINE_TERMINATORS, ...WGSL_LINE_BREAKS, '*/', '/*', '//', '`', '${', '"', "'", '\\', '</script>', 'process.exit(7);', 'a', ' '])];

/** Seeded random strings made of the nasty pieces. */
function samples(n: number): string[] {
  return Array.from({ length: n }, (_, k) => {
    const len = 1 + (hash3(10, k, 0) % 8);
    return Array.from({ length: len }, (_, j) => NASTY[hash3(10, k, j + 1) % NASTY.length]).join('');
  });
}

describe('escaping for generated code', () => {
  const cases = [...NASTY, ...samples(500)];

  it('a JS line comment stays one line and runs nothing', () => {
    for (const s of cases) {
      const comment = `// ${jsComment(s)}`;
      expect(comment.split(/[\n\r\u2028\u2029]/u)).toHaveLength(1);
      expect(new Function(`${comment}\nreturn 42;`)()).toBe(42);
    }
  });

  it('a WGSL line comment has no line break and no block-comment delimiter', () => {
    for (const s of cases) {
      const c = wgslComment(s);
      for (const b of WGSL_LINE_BREAKS) expect(c).not.toContain(b);
      expect(c).not.toMatch(/\/\*|\*\//u);
    }
  });

  it('string literals and template text read back as the string', () => {
    for (const s of cases) {
      expect(new Function(`return ${jsString(s)};`)()).toBe(s);
      expect(new Function(`return \`${jsTemplateText(s)}\`;`)()).toBe(s);
      expect(jsString(s)).not.toMatch(/[\n\r\u2028\u2029]/u);
      expect(JSON.parse(jsonText({ s }))).toEqual({ s });
      expect(jsonText({ s })).not.toMatch(/[\n\r\u2028\u2029]/u);
    }
  });

  it('a source-map URL is one token of URL characters', () => {
    for (const s of cases) expect(urlOfFile(s)).toMatch(/^[A-Za-z0-9\-_.!~*'()%]*$/u);
  });

  it('a model file named with U+2028 yields modules where the name is only ever in comments', async () => {
    const model = compileSource('param W : [2, 2]\nparam x : [2]\ndef f(z) = tanh(z)\nloss L = sum(f(W x))').model!;
    for (const name of ['ls\u2028process.exit(7);', 'a\u2029globalThis.hit = 1;', 'b\r*/globalThis.hit = 2;/*', 'c\nglobalThis.hit = 3;']) {
      const source = `${name}.nn`;
      for (const target of ['js', 'wgsl'] as const) {
        for (const f of TARGETS[target]!.files(model, 'm', { source, version: 'test' })) {
          // No raw line terminator of any kind: each was escaped where it landed.
          expect(/[\r\u2028\u2029\v\f\u0085]/u.test(f.text), `${f.name} holds a raw terminator`).toBe(false);
          // The name's text is only in comments, or inside the string that holds the shaders, or in the map's JSON.
          const bad = f.text.split('\n').filter((l) => /globalThis\.hit|process\.exit/u.test(l) && !/^\s*(\/\/|const WGSL = "|\{"version)/u.test(l));
          expect(bad.map((l) => l.slice(0, 120)), f.name).toEqual([]);
          if (f.name.endsWith('.map')) expect(JSON.parse(f.text).sources).toEqual([source]);
        }
      }
      const js = TARGETS.js!.files(model, 'm', { source, version: 'test' })[0]!.text;
      (globalThis as { hit?: number }).hit = undefined;
      const mod = await importModule<{ create: () => { grad: (i: object) => { loss: number } } }>(js);
      expect(Number.isFinite(mod.create().grad({}).loss)).toBe(true);
      expect((globalThis as { hit?: number }).hit).toBeUndefined();
    }
  });
});
