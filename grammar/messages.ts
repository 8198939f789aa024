// The wording of syntax errors. Chevrotain calls these builders at the moment a
// token does not fit; `ParseContext` tells them which brackets are open, so an
// unclosed one can be named with its place.
import { tokenMatcher, type IParserErrorMessageProvider, type IToken, type TokenType } from 'chevrotain';
import type { Locator } from './locate.js';
import * as T from './tokens.js';

/** Parser state the messages (and the norm-bar rule) need; reset for every statement. */
export interface ParseContext {
  /** Open `(`, `[` and norm bars, innermost last. */
  opens: IToken[];
  /** Inside `‖…‖`, where a bar always closes the norm. */
  inNorm: boolean;
  locate: Locator;
}

/** How a token is named in a message: `'*'`, `end of line`, `keyword 'loss'`. */
export function describe(t: IToken): string {
  if (tokenMatcher(t, T.EndOfInput) || !Number.isFinite(t.startOffset)) return 'end of input';
  if (tokenMatcher(t, T.Newline)) return 'end of line';
  if (tokenMatcher(t, T.BadChar)) return `character ${showChar(t.image)}`;
  if (tokenMatcher(t, T.Keyword)) return `keyword '${t.image}'`;
  return quote(t.image);
}

/** `'*'`, or `"'"` for the prime. */
export function quote(text: string): string {
  return text.includes("'") ? `"${text}"` : `'${text}'`;
}

/** A character as written, or its code point when it would not print. */
export function showChar(text: string): string {
  const cp = text.codePointAt(0) ?? 0;
  const printable = /^[\p{L}\p{N}\p{P}\p{S}]$/u.test(String.fromCodePoint(cp)) && !(cp >= 0xd800 && cp <= 0xdfff);
  return printable ? quote(String.fromCodePoint(cp)) : `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
}

export function keywordMessage(t: IToken): string {
  return `unexpected keyword '${t.image}': '${t.image}' is reserved and cannot be used as a name`;
}

const spelled = new Map<TokenType, string>([
  [T.Identifier, 'a name'],
  [T.NumberLit, 'a number'],
  [T.End, 'end of statement'],
  [T.Equals, "'='"],
  [T.Comma, "','"],
  [T.Colon, "':'"],
  [T.Tilde, "'~'"],
  [T.LParen, "'('"],
  [T.RParen, "')'"],
  [T.LBracket, "'['"],
  [T.RBracket, "']'"],
  [T.Caret, "'^'"],
  [T.NormBar, "'‖'"],
]);

/** What a rule that found no alternative wanted. */
const ruleWants: Record<string, string> = {
  statement: 'a declaration or an equation (name = expr)',
  atom: 'an operand',
  argument: 'an argument',
  callArgs: "an argument or ')'",
  shape: 'a shape such as [n, d], or int',
  initializer: 'an initializer such as xavier or normal(0.1)',
  value: 'a value: a number or a [list]',
};

const closers = new Map<TokenType, string>([
  [T.RParen, ')'],
  [T.RBracket, ']'],
]);

function unexpected(actual: IToken, expected: string): string {
  if (tokenMatcher(actual, T.BadChar)) return `unexpected ${describe(actual)}`;
  return `unexpected ${describe(actual)}: expected ${expected}`;
}

export function makeMessages(ctx: ParseContext): IParserErrorMessageProvider {
  const closing = (expected: TokenType): string | undefined => {
    const open = ctx.opens[ctx.opens.length - 1];
    if (open === undefined) return undefined;
    const close = closers.get(expected) ?? (expected === T.NormBar ? open.image : undefined);
    if (close === undefined) return undefined;
    const at = ctx.locate(open.startOffset);
    return `'${close}' to close '${open.image}' at ${at.line}:${at.col}`;
  };

  return {
    // Keywords only start statements (and `const` starts an initializer), so a
    // keyword found anywhere else was meant as a name.
    buildMismatchTokenMessage({ expected, actual, ruleName }) {
      if (tokenMatcher(actual, T.BadChar)) return unexpected(actual, '');
      if (tokenMatcher(actual, T.Keyword)) return keywordMessage(actual);
      if (ruleName === 'indexSuffix' && (expected === T.Colon || expected === T.Comma)) {
        return `unexpected ${describe(actual)}: only column indexing E[:, i] is supported`;
      }
      if (expected === T.End && (tokenMatcher(actual, T.RParen) || tokenMatcher(actual, T.RBracket))) {
        return `unexpected ${describe(actual)}: nothing to close`;
      }
      return unexpected(actual, closing(expected) ?? spelled.get(expected) ?? `'${expected.name}'`);
    },

    buildNoViableAltMessage({ expectedPathsPerAlt, actual, previous, ruleName }) {
      const next = actual[0]!;
      if (tokenMatcher(next, T.BadChar)) return unexpected(next, '');
      if (tokenMatcher(next, T.Keyword) && ruleName !== 'statement') return keywordMessage(next);
      if (ruleName === 'atom' && ctx.inNorm && tokenMatcher(next, T.NormBar) && !tokenMatcher(previous, T.NormBar)) {
        return `unexpected ${describe(next)}: norm bars do not nest; write norm(…) instead`;
      }
      const wants = ruleWants[ruleName];
      if (wants !== undefined) return unexpected(next, wants);
      const firsts = new Set<string>();
      for (const alt of expectedPathsPerAlt) {
        for (const path of alt) {
          const t = path[0];
          if (t !== undefined) firsts.add(spelled.get(t) ?? `'${t.name}'`);
        }
      }
      return unexpected(next, [...firsts].join(' or '));
    },

    buildEarlyExitMessage({ actual, ruleName }) {
      return unexpected(actual[0]!, ruleWants[ruleName] ?? 'more input');
    },

    buildNotAllInputParsedMessage({ firstRedundant }) {
      return unexpected(firstRedundant, 'end of statement');
    },
  };
}
