import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { locAt } from '../../grammar/diagnostics.js';
import { makeLocator } from '../../grammar/locate.js';
import { lex } from '../../grammar/tokens.js';
import { errors, tree } from './util.js';

const kinds = (text: string) => lex(text).map((t) => `${t.tokenType.name}:${t.image}`);

describe('tokens', () => {
  it('reads identifiers as letters, digits and _, never with ᵀ', () => {
    expect(kinds('W1 b_2 x_window λ δ₁ uᵀv Δx')).toEqual([
      'Identifier:W1',
      'Identifier:b_2',
      'Identifier:x_window',
      'Identifier:λ',
      'Identifier:δ',
      'BadChar:₁',
      'Identifier:u',
      'Tee:ᵀ',
      'Identifier:v',
      'Identifier:Δx',
      'EndOfInput:',
    ]);
  });

  it('accepts combining marks inside names (a decomposed ŷ)', () => {
    expect(tree('y\u0302 + 1')).toBe('(+ y\u0302 1)');
  });

  it('tells keywords from longer names', () => {
    expect(kinds('dim dims loss loss_2 const constant int')).toEqual([
      'DimKw:dim',
      'Identifier:dims',
      'LossKw:loss',
      'Identifier:loss_2',
      'ConstKw:const',
      'Identifier:constant',
      'Identifier:int',
      'EndOfInput:',
    ]);
  });

  it('reads ^T as a transpose only when the T ends there', () => {
    expect(kinds('x^T x^T2 x^Tx x^T_ x^Tᵀ x^T)')).toEqual([
      'Identifier:x', 'CaretT:^T',
      'Identifier:x', 'Caret:^', 'Identifier:T2',
      'Identifier:x', 'Caret:^', 'Identifier:Tx',
      'Identifier:x', 'Caret:^', 'Identifier:T_',
      'Identifier:x', 'CaretT:^T', 'Tee:ᵀ',
      'Identifier:x', 'CaretT:^T', 'RParen:)',
      'EndOfInput:',
    ]);
  });

  it('reads every operator and mark', () => {
    expect(kinds('+ - * / ^ @ · ⊙ ᵀ \' = , : ( ) [ ] ~ ‖ || < <= > >= == != ;').map((k) => k.split(':')[0])).toEqual([
      'Plus', 'Minus', 'Star', 'Slash', 'Caret', 'At', 'Dot', 'Odot', 'Tee', 'Prime', 'Equals', 'Comma', 'Colon',
      'LParen', 'RParen', 'LBracket', 'RBracket', 'Tilde', 'NormSign', 'DoubleBar', 'Less', 'LessEq', 'Greater',
      'GreaterEq', 'EqEq', 'NotEq', 'Semicolon', 'EndOfInput',
    ]);
  });

  it('drops comments and blanks, keeps newlines', () => {
    expect(kinds('a # b ‖ $\n\tc\r\n')).toEqual(['Identifier:a', 'Newline:\n', 'Identifier:c', 'Newline:\r\n', 'EndOfInput:']);
  });

  it('makes a BadChar of what no token matches', () => {
    expect(kinds('a $ b')).toEqual(['Identifier:a', 'BadChar:$', 'Identifier:b', 'EndOfInput:']);
    expect(errors('a = 1 | 2')).toEqual(["1:7 unexpected character '|'"]);
  });
});

describe('locate', () => {
  it('agrees with locAt on every offset', () => {
    const unit = fc.oneof(
      fc.constantFrom('\n', '\r\n', 'ᵀ', '𝑥', '\ud800', '\udc00', 'a', ' ', '\t'),
      fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
    );
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 40 }), (text) => {
        const locate = makeLocator(text);
        for (let i = 0; i <= text.length; i++) {
          const want = locAt(text, i, 2);
          expect(locate(i, 2)).toEqual(want);
        }
      }),
      { numRuns: 300 },
    );
  });
});
