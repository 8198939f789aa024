// The public conformance models (../shared/conformance/public, next to the
// project) parse without a diagnostic, except the syntax-error cases, which
// must give exactly one error where expected.json puts it. No cases is a failure.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAll, show } from './util.js';

const root = fileURLToPath(new URL('../../../shared/conformance/public', import.meta.url));
const cases = existsSync(root) ? readdirSync(root).filter((c) => existsSync(join(root, c, 'model.nn'))) : [];
/** Cases whose error is the parser's to find. */
const syntaxCases = new Set(['err_syntax']);

describe('conformance models', () => {
  it('are there to read', () => {
    expect(cases.length, `no cases under ${root}`).toBeGreaterThan(0);
  });

  it.each(cases.filter((c) => !syntaxCases.has(c)))('%s parses cleanly', (c) => {
    const { program, diagnostics } = parseAll(readFileSync(join(root, c, 'model.nn'), 'utf8'));
    expect(diagnostics.map(show)).toEqual([]);
    expect(program.statements.length).toBeGreaterThan(0);
  });

  it.each(cases.filter((c) => syntaxCases.has(c)))('%s reports its error where expected', (c) => {
    const { diagnostics } = parseAll(readFileSync(join(root, c, 'model.nn'), 'utf8'));
    const expected = JSON.parse(readFileSync(join(root, c, 'expected.json'), 'utf8')) as {
      error: { line: number; col: number };
      message_any?: string[];
    };
    expect(diagnostics.map((d) => [d.loc.line, d.loc.col])).toEqual([[expected.error.line, expected.error.col]]);
    const words = expected.message_any ?? [];
    expect(words.some((w) => diagnostics[0]!.message.toLowerCase().includes(w))).toBe(true);
  });
});
