// The front end: `.nn` source text → AST (ast.ts), with every problem reported
// to `diags` and never thrown.
//
//   lex (tokens.ts) → split into statements (statements.ts)
//     → parse each (parser.ts) → build its AST (build-ast.ts)
//
// Each statement reports at most one error, its first, and a statement with an
// error is left out of the result.
import { tokenMatcher, type IToken } from 'chevrotain';
import { START, type Diagnostics, type Loc } from './diagnostics.js';
import type { Program, Stmt } from './ast.js';
import { AstBuilder } from './build-ast.js';
import { makeLocator, type Locator } from './locate.js';
import { keywordMessage, type ParseContext } from './messages.js';
import { NnParser } from './parser.js';
import { splitStatements } from './statements.js';
import { Equals, Keyword, LBracket, LParen, RBracket, RParen, lex } from './tokens.js';

export type { Program, Stmt } from './ast.js';

/**
 * Brackets nested deeper than this are refused: the parser recurses about ten
 * rules per level, and later passes recurse over the tree too.
 */
export const MAX_NESTING = 64;

let shared: { parser: NnParser; ctx: ParseContext } | undefined;

function parserFor(locate: Locator): { parser: NnParser; ctx: ParseContext } {
  if (shared === undefined) {
    const ctx: ParseContext = { opens: [], inNorm: false, locate };
    shared = { parser: new NnParser(ctx), ctx };
  }
  shared.ctx.locate = locate;
  return shared;
}

export function parse(source: string, diags: Diagnostics): Program {
  const statements: Stmt[] = [];
  let locate: Locator | undefined;
  try {
    const text = String(source);
    locate = makeLocator(text);
    const { parser, ctx } = parserFor(locate);
    for (const tokens of splitStatements(lex(text))) {
      const stmt = parseStatement(tokens, parser, ctx, diags);
      if (stmt !== undefined) statements.push(...[stmt].flat());
    }
  } catch (e) {
    // Not reached on any input we know of; the promise is that parse never throws.
    diags.error(locate?.(0) ?? START, `syntax error: the parser failed (${String(e)})`);
  }
  return { statements };
}

function parseStatement(tokens: IToken[], parser: NnParser, ctx: ParseContext, diags: Diagnostics): Stmt | Stmt[] | undefined {
  const first = tokens[0]!;
  const at = (t: IToken): Loc => ctx.locate(t.startOffset, Math.max(1, t.image.length));

  // `loss = 3`: say that the word is a keyword, at the word.
  if (tokenMatcher(first, Keyword) && tokens[1] !== undefined && tokenMatcher(tokens[1], Equals)) {
    diags.error(at(first), keywordMessage(first));
    return undefined;
  }
  const deep = tooDeep(tokens);
  if (deep !== undefined) {
    diags.error(at(deep), `syntax error: brackets nested more than ${MAX_NESTING} deep`);
    return undefined;
  }

  const errors: { loc: Loc; message: string }[] = [];
  const report = (loc: Loc, message: string) => {
    errors.push({ loc, message });
  };
  try {
    ctx.opens = [];
    ctx.inNorm = false;
    parser.input = tokens;
    const cst = parser.statement();
    const failure = parser.errors[0];
    if (failure !== undefined) {
      const t = Number.isFinite(failure.token.startOffset) ? failure.token : tokens[tokens.length - 1]!;
      report(at(t), failure.message);
    } else {
      const stmt = new AstBuilder(ctx.locate, report).statement(cst);
      if (errors.length === 0) return stmt;
    }
  } catch (e) {
    const message = e instanceof RangeError ? 'syntax error: this statement is nested too deeply' : `syntax error: the parser failed (${String(e)})`;
    report(at(first), message);
  } finally {
    parser.input = [];
  }
  const firstError = errors[0];
  if (firstError !== undefined) diags.error(firstError.loc, firstError.message);
  return undefined;
}

/** The first bracket that opens more than MAX_NESTING levels deep, if any. */
function tooDeep(tokens: IToken[]): IToken | undefined {
  let depth = 0;
  for (const t of tokens) {
    if (tokenMatcher(t, LParen) || tokenMatcher(t, LBracket)) {
      if (++depth > MAX_NESTING) return t;
    } else if ((tokenMatcher(t, RParen) || tokenMatcher(t, RBracket)) && depth > 0) {
      depth--;
    }
  }
  return undefined;
}
