// Property tests: parse never throws, every place it gives is a real place in
// the source, and printing a random expression with the fewest parentheses the
// precedence table allows parses back to the same tree.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allLocs, badLoc, parseAll, sexpr } from './util.js';

const WORDS = ['unexpected', 'expected', 'syntax'];

/** Parses, and checks the invariants that hold for any input. */
function check(source: string): void {
  const { program, diagnostics } = parseAll(source);
  for (const d of diagnostics) {
    const bad = badLoc(source, d.loc);
    if (bad !== undefined) throw new Error(`diagnostic "${d.message}": ${bad}`);
    if (!WORDS.some((w) => d.message.includes(w))) throw new Error(`message without a keyword: ${d.message}`);
  }
  for (const loc of allLocs(program.statements)) {
    const bad = badLoc(source, loc);
    if (bad !== undefined) throw new Error(`AST place: ${bad}`);
  }
}

const anyUnit = fc.oneof(
  fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
  fc.constantFrom('\n', '\r\n', ';', ' ', '(', ')', '[', ']', '‖', '||', 'ᵀ', '^T', '𝑥', '#', '='),
);

const TOKENS = [
  'x', 'W', 'b2', 'λ', 'T', 'T2', 'f', 'int', '3', '.5', '1e-3', '2.5E+4', '1e999',
  '+', '-', '*', '/', '^', '^T', 'ᵀ', "'", '@', '·', '⊙', '=', ',', ':', '(', ')', '[', ']', '~',
  '‖', '||', '<', '<=', '>', '>=', '==', '!=', 'f(', 'E[:,',
  'dim', 'input', 'param', 'const', 'wrt', 'def', 'loss', 'output', 'optimizer', 'schedule',
  '# c', '$', '|', '\u0000', '\ud800',
];
const SEPARATORS = [' ', ' ', ' ', '', '\n', ';', '\t', '\r\n'];

const tokenSoup = fc
  .array(fc.tuple(fc.constantFrom(...TOKENS), fc.constantFrom(...SEPARATORS)), { maxLength: 40 })
  .map((parts) => parts.map(([t, s]) => t + s).join(''));

describe('fuzz', () => {
  it('never throws on random strings, and places every diagnostic in the source', () => {
    fc.assert(fc.property(fc.string({ unit: anyUnit, maxLength: 60 }), check), { numRuns: 1500 });
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 60 }), check), { numRuns: 500 });
  });

  it('never throws on random sequences of tokens', () => {
    fc.assert(fc.property(tokenSoup, check), { numRuns: 2000 });
  });
});

// ---- round trip through the precedence table ----------------------------------
// A generated expression carries its spelling; `expected` is the tree it must parse to.
type Gen =
  | { t: 'leaf'; text: string }
  | { t: 'bin'; op: string; spelled: string; level: 1 | 2 | 3; l: Gen; r: Gen }
  | { t: 'neg'; e: Gen }
  | { t: 'mm'; spelled: '' | '@' | '·'; l: Gen; r: Gen }
  | { t: 'pow'; l: Gen; r: Gen }
  | { t: 'tr'; spelled: string; e: Gen }
  | { t: 'norm'; spelled: string; e: Gen }
  | { t: 'index'; e: Gen; i: Gen }
  | { t: 'call'; f: string; args: Gen[] };

const { expr: genExpr } = fc.letrec<{ expr: Gen }>((tie) => ({
  expr: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom('x', 'W', 'b2', 'λ', 'T2', 'Tx', '3', '0.5', '1e-7').map((text): Gen => ({ t: 'leaf', text })),
    fc
      .tuple(fc.constantFrom(['<', '<', 1], ['==', '==', 1], ['+', '+', 2], ['-', '-', 2], ['*', '*', 3], ['*', '⊙', 3], ['/', '/', 3]), tie('expr'), tie('expr'))
      .map(([[op, spelled, level], l, r]): Gen => ({ t: 'bin', op: op as string, spelled: spelled as string, level: level as 1 | 2 | 3, l, r })),
    tie('expr').map((e): Gen => ({ t: 'neg', e })),
    fc.tuple(fc.constantFrom('' as const, '@' as const, '·' as const), tie('expr'), tie('expr')).map(([spelled, l, r]): Gen => ({ t: 'mm', spelled, l, r })),
    fc.tuple(tie('expr'), tie('expr')).map(([l, r]): Gen => ({ t: 'pow', l, r })),
    fc.tuple(fc.constantFrom('ᵀ', "'", '^T'), tie('expr')).map(([spelled, e]): Gen => ({ t: 'tr', spelled, e })),
    fc.tuple(fc.constantFrom('‖', '||'), tie('expr')).map(([spelled, e]): Gen => ({ t: 'norm', spelled, e })),
    fc.tuple(tie('expr'), tie('expr')).map(([e, i]): Gen => ({ t: 'index', e, i })),
    fc.tuple(fc.constantFrom('f', 'max', 'σ'), fc.array(tie('expr'), { maxLength: 3 })).map(([f, args]): Gen => ({ t: 'call', f, args })),
  ),
}));

function expected(g: Gen): string {
  switch (g.t) {
    case 'leaf':
      return String(Number.isNaN(Number(g.text)) ? g.text : Number(g.text));
    case 'bin':
      return `(${g.op} ${expected(g.l)} ${expected(g.r)})`;
    case 'neg':
      return `(neg ${expected(g.e)})`;
    case 'mm':
      return `(${g.spelled === '' ? 'mm' : '@'} ${expected(g.l)} ${expected(g.r)})`;
    case 'pow':
      return `(^ ${expected(g.l)} ${expected(g.r)})`;
    case 'tr':
      return `(T ${expected(g.e)})`;
    case 'norm':
      return `(norm ${expected(g.e)})`;
    case 'index':
      return `(index ${expected(g.e)} ${expected(g.i)})`;
    case 'call':
      return `(call ${[g.f, ...g.args.map(expected)].join(' ')})`;
  }
}

/** Levels of spec §4: 1 comparison … 7 postfix, 8 atom. */
function level(g: Gen): number {
  switch (g.t) {
    case 'bin':
      return g.level;
    case 'neg':
      return 4;
    case 'mm':
      return 5;
    case 'pow':
      return 6;
    case 'tr':
    case 'index':
      return 7;
    default:
      return 8;
  }
}

/** Source text for `g`, parenthesized only where a context needs more than `min`. */
function print(g: Gen, min: number, inNorm: boolean): string {
  const text = bare(g, inNorm);
  return level(g) < min ? `(${text})` : text;
}

function bare(g: Gen, inNorm: boolean): string {
  const p = (e: Gen, min: number) => print(e, min, inNorm);
  switch (g.t) {
    case 'leaf':
      return g.text;
    case 'bin':
      return `${p(g.l, g.level)} ${g.spelled} ${p(g.r, g.level + 1)}`;
    case 'neg':
      return `-${p(g.e, 4)}`;
    case 'mm':
      return `${p(g.l, 5)}${g.spelled === '' ? ' ' : ` ${g.spelled} `}${p(g.r, 6)}`;
    case 'pow': {
      // the exponent may carry a unary minus; a bare name T after ^ would read as ^T
      const r = g.r.t === 'neg' ? `-${p(g.r.e, 6)}` : p(g.r, 6);
      return `${p(g.l, 7)}^${r}`;
    }
    case 'tr':
      return `${p(g.e, 7)}${g.spelled}`;
    case 'index':
      return `${p(g.e, 7)}[:, ${p(g.i, 0)}]`;
    case 'norm':
      // bars do not nest, even inside parentheses: a norm inside a norm is written norm(…)
      return inNorm ? `norm(${print(g.e, 0, true)})` : `${g.spelled}${print(g.e, 0, true)}${g.spelled}`;
    case 'call':
      return `${g.f}(${g.args.map((a) => p(a, 0)).join(', ')})`;
  }
}

/** The tree with norms inside norms turned into the norm(…) calls `print` writes. */
function normalize(g: Gen, inNorm: boolean): string {
  if (g.t === 'norm' && inNorm) return `(call norm ${normalize(g.e, true)})`;
  const n = (e: Gen) => normalize(e, inNorm || g.t === 'norm');
  switch (g.t) {
    case 'leaf':
      return expected(g);
    case 'bin':
      return `(${g.op} ${n(g.l)} ${n(g.r)})`;
    case 'neg':
      return `(neg ${n(g.e)})`;
    case 'mm':
      return `(${g.spelled === '' ? 'mm' : '@'} ${n(g.l)} ${n(g.r)})`;
    case 'pow':
      return `(^ ${n(g.l)} ${n(g.r)})`;
    case 'tr':
      return `(T ${n(g.e)})`;
    case 'norm':
      return `(norm ${n(g.e)})`;
    case 'index':
      return `(index ${n(g.e)} ${n(g.i)})`;
    case 'call':
      return `(call ${[g.f, ...g.args.map(n)].join(' ')})`;
  }
}

describe('round trip', () => {
  it('parses minimally parenthesized expressions back to their trees', () => {
    fc.assert(
      fc.property(genExpr, (g) => {
        const source = `e = ${print(g, 0, false)}`;
        const { program, diagnostics } = parseAll(source);
        expect(diagnostics, source).toEqual([]);
        const [stmt] = program.statements;
        expect(stmt?.kind === 'equation' && sexpr(stmt.expr), source).toBe(normalize(g, false));
        check(source);
      }),
      { numRuns: 1500 },
    );
  });
});
