// Splits the token stream into statements, so that each is parsed on its own
// and an error in one never hides the errors of the others.
//
// A statement ends at a newline or `;` outside brackets (norm bars are not
// brackets). Inside `( )` and `[ ]` newlines are dropped, so calls and values
// may span lines. An unclosed bracket would swallow the rest of the file, so a
// newline inside brackets still ends the statement when the next line cannot
// continue it: it starts with a declaration keyword, or with `name =` not
// following a `,` or `(` (which would make it a keyword argument).
import { tokenMatcher, type IToken } from 'chevrotain';
import {
  Comma, End, EndOfInput, Equals, Identifier, Keyword, LBracket, LParen, Newline, RBracket, RParen,
} from './tokens.js';

/** Each statement's tokens, ending with its terminator (a Newline, Semicolon or EndOfInput token). Empty statements are left out. */
export function splitStatements(tokens: IToken[]): IToken[][] {
  const statements: IToken[][] = [];
  let current: IToken[] = [];
  let depth = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (tokenMatcher(t, Newline) && depth > 0 && !startsStatement(current[current.length - 1], tokens[i + 1], tokens[i + 2])) {
      continue;
    }
    current.push(t);
    if (tokenMatcher(t, End)) {
      if (current.length > 1) statements.push(current);
      current = [];
      depth = 0;
      if (tokenMatcher(t, EndOfInput)) break;
    } else if (tokenMatcher(t, LParen) || tokenMatcher(t, LBracket)) {
      depth++;
    } else if ((tokenMatcher(t, RParen) || tokenMatcher(t, RBracket)) && depth > 0) {
      depth--;
    }
  }
  return statements;
}

function startsStatement(prev: IToken | undefined, next: IToken | undefined, afterNext: IToken | undefined): boolean {
  if (next === undefined) return false;
  if (tokenMatcher(next, Keyword)) return true;
  return (
    tokenMatcher(next, Identifier) &&
    afterNext !== undefined &&
    tokenMatcher(afterNext, Equals) &&
    !(prev !== undefined && (tokenMatcher(prev, Comma) || tokenMatcher(prev, LParen)))
  );
}

