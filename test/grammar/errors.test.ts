import { describe, expect, it } from 'vitest';
import { MAX_NESTING } from '../../grammar/index.js';
import { errors, parseAll, sexpr } from './util.js';

describe('syntax errors', () => {
  it('points at the operator where an operand is expected (conformance err_syntax)', () => {
    const source = '# syntax error: an operator where an operand is expected\nparam x, y, z\nq = x + y\nloss f = q * * z\n';
    const { program, diagnostics } = parseAll(source);
    expect(diagnostics.map((d) => [d.loc.line, d.loc.col, d.message])).toEqual([[4, 14, "unexpected '*': expected an operand"]]);
    expect(program.statements.map((s) => s.kind)).toEqual(['param', 'equation']);
  });

  it('reports each broken statement once, at its first problem, and keeps the others', () => {
    const source = [
      'dim d = 3', //
      'z = W x +', // 2:10 end of line
      'h = relu(z', // unclosed: ends at the next line, which starts with a keyword
      'param W : [d, d] ~ ~ xavier', // 4:20
      'loss s = sum(h)',
    ].join('\n');
    const { program, diagnostics } = parseAll(source);
    expect(diagnostics.map((d) => `${d.loc.line}:${d.loc.col} ${d.message}`)).toEqual([
      '2:10 unexpected end of line: expected an operand',
      "3:11 unexpected end of line: expected ')' to close '(' at 3:9",
      "4:20 unexpected '~': expected an initializer such as xavier or normal(0.1)",
    ]);
    expect(program.statements.map((s) => s.kind)).toEqual(['dim', 'loss']);
  });

  it.each([
    ['x = (a + b', ["1:11 unexpected end of input: expected ')' to close '(' at 1:5"]],
    ['x = f(a, b\n', ["2:1 unexpected end of input: expected ')' to close '(' at 1:6"]],
    // the next line starts with `name =`, not after `,` or `(`: a new statement
    ['x = f(a\ny = 2', ["1:8 unexpected end of line: expected ')' to close '(' at 1:6"]],
    ['x = f(a,\ny = 2', ["2:6 unexpected end of input: expected ')' to close '(' at 1:6"]],
    ['x = (a]', ["1:7 unexpected ']': expected ')' to close '(' at 1:5"]],
    ['x = a)', ["1:6 unexpected ')': nothing to close"]],
    ['x = ‖a', ["1:7 unexpected end of input: expected '‖' to close '‖' at 1:5"]],
    ['x = ||a + b', ["1:12 unexpected end of input: expected '||' to close '||' at 1:5"]],
    ['x = ‖a ‖b‖‖', ["1:11 unexpected '‖': expected an operand"]], // ‖a‖ b ‖‖: the bar after a closes
    ['x = ‖a + ‖b‖‖', ["1:10 unexpected '‖': norm bars do not nest; write norm(…) instead"]],
    ['x = ‖‖', ["1:6 unexpected '‖': expected an operand"]],
    ['x = E[i]', ["1:7 unexpected 'i': only column indexing E[:, i] is supported"]],
    ['x = E[:]', ["1:8 unexpected ']': only column indexing E[:, i] is supported"]],
    ['x = E[:, i', ["1:11 unexpected end of input: expected ']' to close '[' at 1:6"]],
    ['W x + b', ["1:3 unexpected 'x': expected '='"]],
    ['x', ['1:2 unexpected end of input: expected \'=\'']],
    ['3 = x', ["1:1 unexpected '3': expected a declaration or an equation (name = expr)"]],
    ['= x', ["1:1 unexpected '=': expected a declaration or an equation (name = expr)"]],
    ['x = ', ['1:5 unexpected end of input: expected an operand']],
    ['x = a +\n  b', ['1:8 unexpected end of line: expected an operand', "2:4 unexpected end of input: expected '='"]],
    ['x = a ^', ['1:8 unexpected end of input: expected an operand']],
    ["x = 'a", ['1:5 unexpected "\'": expected an operand']],
    ['x = f(,)', ["1:7 unexpected ',': expected an argument or ')'"]],
    ['x = a,', ["1:6 unexpected ',': expected end of statement"]],
    ['dim', ['1:4 unexpected end of input: expected a name']],
    ['dim d = 1,', ['1:11 unexpected end of input: expected a name']],
    ['const c', ["1:8 unexpected end of input: expected '='"]],
    ['wrt x y', ["1:7 unexpected 'y': expected end of statement"]],
    ['def f = 1', ["1:7 unexpected '=': expected '('"]],
    ['def f(a b) = 1', ["1:9 unexpected 'b': expected ')' to close '(' at 1:6"]],
    ['input y : float', ["1:11 unexpected 'float': expected a shape such as [n, d], or int"]],
    ['input y : [N] float', ["1:15 unexpected 'float': expected end of statement"]],
    ['param W : [2, 2] ~ xavier = 1', ["1:27 unexpected '=': expected end of statement"]],
    ['param W = [[1, 2] [3, 4]]', ["1:19 unexpected '[': expected ']' to close '[' at 1:11"]],
    ['optimizer 3', ["1:11 unexpected '3': expected a name"]],
    ['x = a +\r\ny = 1', ['1:8 unexpected end of line: expected an operand']],
    ['x = a\r+ 1\r\n', []],
    ['x = E[$]', ["1:7 unexpected character '$'"]],
    ['x = f(a; b)', ["1:8 unexpected ';': expected ')' to close '(' at 1:6", "1:11 unexpected ')': expected '='"]],
  ])('%j', (source, expected) => {
    expect(errors(source)).toEqual(expected);
  });
});

describe('keywords used as names', () => {
  it.each([
    ['loss = 3', '1:1', 'loss'],
    ['const = 3', '1:1', 'const'],
    ['param loss', '1:7', 'loss'],
    ['param W : [n] ~ loss', '1:17', 'loss'],
    ['x = loss + 1', '1:5', 'loss'],
    ['x = f(a, dim)', '1:10', 'dim'],
    ['dim input = 3', '1:5', 'input'],
    ['def output(x) = x', '1:5', 'output'],
    ['def f(wrt) = wrt', '1:7', 'wrt'],
    ['wrt x, schedule', '1:8', 'schedule'],
    ['loss J = optimizer', '1:10', 'optimizer'],
  ])('%s', (source, at, word) => {
    expect(errors(source)).toEqual([`${at} unexpected keyword '${word}': '${word}' is reserved and cannot be used as a name`]);
  });

  it('allows const as an initializer and keywords inside longer names', () => {
    expect(errors('param c ~ const(1)\nlossy = 1\nparams = 2\nconstant = 3\ndim_1 = 4\ninputs = 5')).toEqual([]);
  });
});

describe('characters no token matches', () => {
  it.each([
    ['x = a $ b', "1:7 unexpected character '$'"],
    ['x = |a|', "1:5 unexpected character '|'"],
    ['x = a − b', "1:7 unexpected character '−'"],
    ['x = a € b', "1:7 unexpected character '€'"],
    ['x = 😀 + 1', "1:5 unexpected character '😀'"],
    ['x = 1 \u0000 2', '1:7 unexpected character U+0000'],
    ['x = \ud800 + 1', '1:5 unexpected character U+D800'],
    ['x = a \udc00', '1:7 unexpected character U+DC00'],
    ['x = a ?? b', "1:7 unexpected character '?'"],
    ['x = a\u200bb', '1:6 unexpected character U+200B'],
  ])('%j', (source, expected) => {
    expect(errors(source)).toEqual([expected]);
  });

  it('reports only the first problem of a statement', () => {
    expect(errors('x = $ * * $\ny = 1 $')).toEqual(["1:5 unexpected character '$'", "2:7 unexpected character '$'"]);
    expect(errors('x = * $')).toEqual(["1:5 unexpected '*': expected an operand"]);
  });
});

describe('nesting', () => {
  it(`accepts ${MAX_NESTING} levels of brackets and refuses more, without throwing`, () => {
    const nest = (n: number) => `x = ${'f('.repeat(n - 1)}(y${')'.repeat(n)}`;
    expect(errors(nest(MAX_NESTING))).toEqual([]);
    expect(errors(nest(MAX_NESTING + 1))).toEqual([`1:${4 + 2 * MAX_NESTING + 1} syntax error: brackets nested more than ${MAX_NESTING} deep`]);
    expect(errors(`param W = ${'['.repeat(10_000)}`)).toHaveLength(1);
  });

  it('survives very long chains and goes on with the next statement', () => {
    const n = 50_000;
    const { program, diagnostics } = parseAll(
      [`a = ${Array(n).fill('x').join('^')}`, `b = ${'-'.repeat(n)}x`, `c = ${Array(n).fill('x').join(' + ')}`, 'd = 1'].join('\n'),
    );
    expect(diagnostics.map((d) => d.loc.line)).toEqual([1]);
    expect(diagnostics[0]!.message).toMatch(/syntax error/);
    expect(program.statements.map((s) => s.kind === 'equation' && s.name.name)).toEqual(['b', 'c', 'd']);
    const d = program.statements[2]!;
    expect(d.kind === 'equation' && sexpr(d.expr)).toBe('1');
  });
});
