// The tokens of a .nn file (spec §1) and the lexer that finds them.
//
// Chevrotain drops the `u` flag of token regexps, so the two tokens that need
// Unicode classes (identifiers and the `^T` transpose) use custom matchers.
// A character no token matches becomes a `BadChar` token in the stream: the
// parser then reports it in order with everything else, as the first problem
// of its statement.
import { createToken, createTokenInstance, Lexer, type IToken, type TokenType } from 'chevrotain';

/** `ᵀ` (U+1D40): a letter to Unicode, but never part of an identifier here. */
const TEE = '\u1D40';
const identStart = /(?!\u1D40)\p{L}/uy;
const identRest = /(?:(?!\u1D40)[\p{L}\p{Nd}_]|\p{M})*/uy;
const identContinue = /(?!\u1D40)[\p{L}\p{Nd}\p{M}_]/u;

/** Identifiers: a letter, then letters, digits, `_` (and combining marks, so `ŷ` may be decomposed). */
function matchIdentifier(text: string, offset: number): [string] | null {
  identStart.lastIndex = offset;
  if (!identStart.test(text)) return null;
  identRest.lastIndex = identStart.lastIndex;
  identRest.test(text);
  return [text.slice(offset, identRest.lastIndex)];
}

/** `^T` is a transpose unless the `T` goes on as an identifier (`x^T2`, `x^Tx` are powers). */
function matchCaretT(text: string, offset: number): [string] | null {
  if (text.charCodeAt(offset) !== 94 /* ^ */ || text.charCodeAt(offset + 1) !== 84 /* T */) return null;
  const next = text.codePointAt(offset + 2);
  if (next !== undefined && identContinue.test(String.fromCodePoint(next))) return null;
  return ['^T'];
}

// ---- categories -------------------------------------------------------------
export const End = createToken({ name: 'End', pattern: Lexer.NA });
export const Keyword = createToken({ name: 'Keyword', pattern: Lexer.NA });
export const Transpose = createToken({ name: 'Transpose', pattern: Lexer.NA });
export const CompareOp = createToken({ name: 'CompareOp', pattern: Lexer.NA });
export const AddOp = createToken({ name: 'AddOp', pattern: Lexer.NA });
export const MulOp = createToken({ name: 'MulOp', pattern: Lexer.NA });
export const MatOp = createToken({ name: 'MatOp', pattern: Lexer.NA });
export const NormBar = createToken({ name: 'NormBar', pattern: Lexer.NA });

// ---- skipped ----------------------------------------------------------------
const Blank = createToken({
  name: 'Blank',
  // a `\r` before `\n` belongs to the Newline token
  pattern: /(?:[ \t\f\v\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000\ufeff]|\r(?!\n))+/,
  group: Lexer.SKIPPED,
});
const Comment = createToken({ name: 'Comment', pattern: /#[^\n]*/, group: Lexer.SKIPPED });

// ---- statement ends ---------------------------------------------------------
/** `\r?\n`: starting at the `\r` keeps an error at the end of a CRLF line in place. */
export const Newline = createToken({ name: 'Newline', pattern: /\r?\n/, line_breaks: true, categories: [End] });
export const Semicolon = createToken({ name: 'Semicolon', pattern: /;/, categories: [End] });
/** Appended after the last token by `lex`; never matched in the text. */
export const EndOfInput = createToken({ name: 'EndOfInput', pattern: Lexer.NA, categories: [End] });
/** A character no token matches (made by `lex` from the lexer's errors). */
export const BadChar = createToken({ name: 'BadChar', pattern: Lexer.NA });

// ---- words ------------------------------------------------------------------
export const Identifier = createToken({
  name: 'Identifier',
  pattern: { exec: matchIdentifier },
  line_breaks: false,
});

function keyword(word: string): TokenType {
  return createToken({
    name: `${word[0]!.toUpperCase()}${word.slice(1)}Kw`,
    pattern: new RegExp(word),
    longer_alt: Identifier,
    categories: [Keyword],
  });
}
export const DimKw = keyword('dim');
export const InputKw = keyword('input');
export const ParamKw = keyword('param');
export const ConstKw = keyword('const');
export const WrtKw = keyword('wrt');
export const DefKw = keyword('def');
export const LossKw = keyword('loss');
export const OutputKw = keyword('output');
export const OptimizerKw = keyword('optimizer');
export const ScheduleKw = keyword('schedule');
export const keywordTokens = [DimKw, InputKw, ParamKw, ConstKw, WrtKw, DefKw, LossKw, OutputKw, OptimizerKw, ScheduleKw];

export const NumberLit = createToken({
  name: 'NumberLit',
  pattern: /(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/,
});

// ---- operators and marks ----------------------------------------------------
export const CaretT = createToken({
  name: 'CaretT',
  pattern: { exec: matchCaretT },
  line_breaks: false,
  categories: [Transpose],
});
export const Caret = createToken({ name: 'Caret', pattern: /\^/ });
export const Tee = createToken({ name: 'Tee', pattern: new RegExp(TEE), categories: [Transpose] });
export const Prime = createToken({ name: 'Prime', pattern: /'/, categories: [Transpose] });

export const LessEq = createToken({ name: 'LessEq', pattern: /<=/, categories: [CompareOp] });
export const GreaterEq = createToken({ name: 'GreaterEq', pattern: />=/, categories: [CompareOp] });
export const EqEq = createToken({ name: 'EqEq', pattern: /==/, categories: [CompareOp] });
export const NotEq = createToken({ name: 'NotEq', pattern: /!=/, categories: [CompareOp] });
export const Less = createToken({ name: 'Less', pattern: /</, categories: [CompareOp] });
export const Greater = createToken({ name: 'Greater', pattern: />/, categories: [CompareOp] });
export const Equals = createToken({ name: 'Equals', pattern: /=/ });

export const Plus = createToken({ name: 'Plus', pattern: /\+/, categories: [AddOp] });
export const Minus = createToken({ name: 'Minus', pattern: /-/, categories: [AddOp] });
export const Star = createToken({ name: 'Star', pattern: /\*/, categories: [MulOp] });
export const Odot = createToken({ name: 'Odot', pattern: /\u2299/, categories: [MulOp] });
export const Slash = createToken({ name: 'Slash', pattern: /\//, categories: [MulOp] });
export const At = createToken({ name: 'At', pattern: /@/, categories: [MatOp] });
export const Dot = createToken({ name: 'Dot', pattern: /\u00b7/, categories: [MatOp] });

export const LParen = createToken({ name: 'LParen', pattern: /\(/ });
export const RParen = createToken({ name: 'RParen', pattern: /\)/ });
export const LBracket = createToken({ name: 'LBracket', pattern: /\[/ });
export const RBracket = createToken({ name: 'RBracket', pattern: /\]/ });
export const Comma = createToken({ name: 'Comma', pattern: /,/ });
export const Colon = createToken({ name: 'Colon', pattern: /:/ });
export const Tilde = createToken({ name: 'Tilde', pattern: /~/ });
export const DoubleBar = createToken({ name: 'DoubleBar', pattern: /\|\|/, categories: [NormBar] });
export const NormSign = createToken({ name: 'NormSign', pattern: /\u2016/, categories: [NormBar] });

/** Every token type, in the order the lexer tries them (categories first, for the parser). */
export const allTokens: TokenType[] = [
  End, Keyword, Transpose, CompareOp, AddOp, MulOp, MatOp, NormBar,
  Blank, Comment, Newline, Semicolon, EndOfInput, BadChar,
  ...keywordTokens, Identifier, NumberLit,
  CaretT, Caret, Tee, Prime,
  LessEq, GreaterEq, EqEq, NotEq, Less, Greater, Equals,
  Plus, Minus, Star, Odot, Slash, At, Dot,
  LParen, RParen, LBracket, RBracket, Comma, Colon, Tilde, DoubleBar, NormSign,
];

const lexer = new Lexer(allTokens, {
  positionTracking: 'full',
  ensureOptimizations: false,
});

function token(type: TokenType, image: string, offset: number): IToken {
  return createTokenInstance(type, image, offset, offset + image.length - 1, NaN, NaN, NaN, NaN);
}

/**
 * The tokens of `text`, blanks and comments dropped, with a `BadChar` token for
 * each run of characters the lexer could not match, and an `EndOfInput` token last.
 */
export function lex(text: string): IToken[] {
  const result = lexer.tokenize(text);
  const bad = result.errors.map((e) => token(BadChar, text.slice(e.offset, e.offset + e.length), e.offset));
  const tokens = bad.length === 0 ? result.tokens : mergeByOffset(result.tokens, bad);
  tokens.push(token(EndOfInput, '', text.length));
  return tokens;
}

function mergeByOffset(a: IToken[], b: IToken[]): IToken[] {
  const out: IToken[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && a[i]!.startOffset < b[j]!.startOffset)) out.push(a[i++]!);
    else out.push(b[j++]!);
  }
  return out;
}
