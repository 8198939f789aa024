// Every class of user error the spec names: reported at the right line:col,
// with a message that says what is wrong, never thrown.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileSource } from '../compiler/compile.js';

/** [what, source, line, col, words the message must contain] */
const CASES: [string, string, number, number, string[]][] = [
  ['syntax: operator where an operand is expected', 'param x, y\nloss f = x * * y', 2, 14, ['unexpected']],
  ['syntax: unclosed parenthesis', 'param x\nloss f = (x + 1', 2, 16, ['expected']],
  ['syntax: unknown character', 'param x\nloss f = x $ 2', 2, 12, ['unexpected']],
  ['undefined name', 'param x\nloss f = x * wgt', 2, 14, ['wgt', 'not defined']],
  ['a name bound twice (at the second)', 'param x\na = x\na = 2 * x\nloss f = a', 3, 1, ["'a'", 'already defined', 'duplicate']],
  ['a cycle (at its first equation, naming every member)', 'param x\na = b + x\nb = a * 2\nloss f = a', 2, 1, ["'a'", "'b'", 'cycle']],
  ['an equation defined by itself', 'param x\na = a + x\nloss f = a', 2, 1, ["'a'", 'itself']],
  ['elementwise shape mismatch (at the operator)', 'param W : [4, 3]\nparam x : [3]\nparam b : [3]\nloss f = sum(W x + b)', 4, 18, ['shape', '[4]', '[3]']],
  ['matrix product mismatch', 'param W : [4, 3]\nparam x : [4]\nloss f = sum(W x)', 3, 15, ['shape', '[4, 3]', '[4]']],
  ['a row meets a column', 'param u : [3]\nparam v : [3]\nloss f = sum(uᵀ + v)', 3, 17, ['row', 'column']],
  ['column times column', 'param u : [3]\nparam v : [3]\nloss f = u v', 3, 11, ['column vector']],
  ['no loss (at 1:1)', 'param x\ny = 2 * x', 1, 1, ['no loss']],
  ['two losses (at the second)', 'param x\nloss f = x\nloss g = 2 * x', 3, 1, ['one loss']],
  ['the loss is not a scalar', 'param x : [3]\nloss f = 2 * x', 2, 10, ['scalar', '[3]']],
  ['binding a built-in function', 'param x\nexp = 2 * x\nloss f = exp', 2, 1, ["'exp'", 'built-in']],
  ['a function with the wrong number of arguments', 'param x\nloss f = sigmoid(x, x)', 2, 21, ['at most 1']],
  ['an unknown function', 'param x\nloss f = sigmod(x)', 2, 10, ["'sigmod'", 'no such function']],
  ['an unknown keyword argument', 'param x : [3]\nloss f = sum(x, axs = 0)', 2, 17, ["'axs'"]],
  ['a bad axis', 'param x : [3, 2]\nloss f = sum(sum(x, axis = 2))', 2, 28, ['axis']],
  ['a def calling a later def', 'def f(z) = g(z)\ndef g(z) = 2 * z\nparam x\nloss l = f(x)', 1, 12, ["'g'", 'before']],
  ['a def using an equation', 'param x\na = 2 * x\ndef f(z) = z * a\nloss l = f(x)', 3, 16, ["'a'", 'def']],
  ['wrt of something that is not an input', 'param x\nh = 2 * x\nwrt h\nloss f = h', 3, 5, ['wrt', "'h'"]],
  ['an int param', 'param k : [3] int\nloss f = sum(k)', 1, 1, ['int']],
  ['a dim that is not a positive integer', 'dim n = 2.5\nparam x : [n]\nloss f = sum(x)', 1, 9, ['positive integer']],
  ['an undeclared dim in a shape', 'param x : [q]\nloss f = sum(x)', 1, 12, ["'q'"]],
  ['a value of the wrong shape', 'param W : [2, 2] = [1, 2]\nloss f = sum(W)', 1, 20, ['shape']],
  ['an unknown initializer', 'param W : [2, 2] ~ xavir\nloss f = sum(W)', 1, 20, ['xavir']],
  ['an unknown optimizer', 'param x\noptimizer adamm(lr = 1)\nloss f = x', 2, 11, ['adamm']],
  ['labels that are not integers', 'dim N\nparam W : [3, 2]\ninput X : [2, N]\ninput y : [N]\nloss f = sum(pick(W X, y))', 5, 24, ['integer']],
  ['a keyword as a name', 'param x\nloss = 2 * x', 2, 1, ['keyword']],
  ['concat of a matrix (at the argument)', 'param W : [10, 5]\nparam u : [20]\nloss s = uᵀ concat(W, W)', 3, 20, ['concat', 'matrix', '[10, 5]']],
  ['a dropout probability out of range', 'param x : [3]\nloss f = sum(dropout(x, 1.5))', 2, 14, ['dropout']],
];

describe('user errors are reported at their place', () => {
  for (const [what, source, line, col, words] of CASES) {
    it(what, () => {
      const r = compileSource(source);
      expect(r.model).toBeUndefined();
      const errors = r.diagnostics.sorted().filter((d) => d.severity === 'error');
      const hit = errors.find((d) => d.loc.line === line && Math.abs(d.loc.col - col) <= 1);
      expect(hit, `errors: ${errors.map((d) => `${d.loc.line}:${d.loc.col} ${d.message}`).join(' | ')}`).toBeDefined();
      for (const w of words) expect(hit!.message.toLowerCase()).toContain(w.toLowerCase());
    });
  }

  it('reports independent errors together', () => {
    const r = compileSource('param x\na = x * * 2\nb = x +\nc = q + x\nloss f = x');
    const lines = r.diagnostics.sorted().filter((d) => d.severity === 'error').map((d) => d.loc.line);
    expect(lines).toEqual([2, 3, 4]);
  });

  it('warns about names nothing uses', () => {
    const r = compileSource('param x, unused\nh = 2 * x\nloss f = x');
    expect(r.model).toBeDefined();
    const warnings = r.diagnostics.sorted().filter((d) => d.severity === 'warning').map((d) => d.message);
    expect(warnings.some((m) => m.includes("'unused'"))).toBe(true);
    expect(warnings.some((m) => m.includes("'h'"))).toBe(true);
  });
});

// Through the real command line: the contract's format, exit codes, no stack traces.
const root = resolve(import.meta.dirname, '..');
const gradc = resolve(root, 'bin/gradc');
function run(args: string[]): { code: number; stdout: string; stderr: string } {
  try {
    const stdout = execFileSync(gradc, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    return { code: 0, stdout, stderr: '' };
  } catch (e) {
    const err = e as { status: number; stdout: string; stderr: string };
    return { code: err.status, stdout: err.stdout, stderr: err.stderr };
  }
}
const STACK = /^\s+at .*[:(]\d+:\d+\)?$/m;

describe('the command line reports errors in the contract form', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gradc-errors-'));
  const file = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  const model = file('m.nn', 'dim N\nparam W : [3, 2]\ninput X : [2, N]\ninput y : [N] int\nloss J = mean(softmax_cross_entropy(W X, y))\n');

  it('a model error: FILE:LINE:COL: error: MESSAGE, the line, a caret; exit 1', () => {
    const bad = file('bad.nn', 'param x, y\nloss f = x * * y\n');
    const r = run(['grad', bad]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${bad}:2:14: error: unexpected '*'`);
    expect(r.stderr).toContain('loss f = x * * y\n             ^');
    expect(r.stderr).not.toMatch(STACK);
  });

  const valueCases: [string, object, string[]][] = [
    ['a missing input', { X: [[1, 2], [3, 4]] }, ["no value for input 'y'"]],
    ['a wrong shape', { X: [[1, 2, 3]], y: [0, 1, 2] }, ["'X'", 'shape']],
    ['inconsistent run-time sizes', { X: [[1, 2], [3, 4]], y: [0, 1, 2] }, ['N']],
    ['a label out of range', { X: [[1, 2], [3, 4]], y: [0, 7] }, ["'y'", '7']],
    ['a non-integer label', { X: [[1, 2], [3, 4]], y: [0, 0.5] }, ["'y'", 'int']],
    ['an unknown name', { X: [[1, 2], [3, 4]], y: [0, 1], Q: 1 }, ["'Q'"]],
  ];
  for (const [what, values, words] of valueCases) {
    it(`a values error names the file and the entry: ${what}`, () => {
      const v = file(`v${words[0]!.length}${what.length}.json`, JSON.stringify(values));
      const r = run(['grad', model, '--at', v]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`${v}: error:`);
      for (const w of words) expect(r.stderr).toContain(w);
      expect(r.stderr).not.toMatch(STACK);
    });
  }

  it('invalid JSON is a values error, not a crash', () => {
    const r = run(['grad', model, '--at', file('broken.json', '{"X": [1, 2')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('not valid JSON');
  });

  it('command line mistakes exit 2', () => {
    expect(run(['grad', model, '--bogus']).code).toBe(2);
    expect(run(['grad', join(dir, 'missing.nn')]).code).toBe(2);
    expect(run([model, '--emit', 'nonsense']).code).toBe(2);
    expect(run(['grad', model, '--target', 'cuda']).code).toBe(2);
    expect(run(['grad', model, '--dim', 'N=x']).code).toBe(2);
  });

  it('--help and --version exit 0', () => {
    expect(run(['--help']).code).toBe(0);
    expect(run(['--version']).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
