// The grammar of one statement (spec §2–§4) as a Chevrotain CST parser.
// build-ast.ts turns its trees into the AST of ast.ts.
//
// Recovery is off: a statement stops at its first error, and statements are
// parsed one at a time (statements.ts), so one error never hides another.
// Three things depend on more than the next tokens, and use gates:
//  - a call `f(x)` needs `(` right after the name; `W (x)` is a product;
//  - juxtaposition `W x` is a product of any two adjacent operands, except
//    that inside `‖…‖` a bar always closes the norm (bars do not nest);
//  - `int` after a shape is a plain identifier, not a keyword.
import { CstParser, tokenMatcher, type IToken } from 'chevrotain';
import { makeMessages, type ParseContext } from './messages.js';
import * as T from './tokens.js';

const isInt = (t: IToken) => tokenMatcher(t, T.Identifier) && t.image === 'int';

export class NnParser extends CstParser {
  constructor(readonly ctx: ParseContext) {
    super(T.allTokens, {
      recoveryEnabled: false,
      nodeLocationTracking: 'onlyOffset',
      maxLookahead: 3,
      errorMessageProvider: makeMessages(ctx),
    });
    this.performSelfAnalysis();
  }

  /** Record an opening bracket (for "expected ')' to close '(' at L:C"). */
  private opened(t: IToken, norm = false): void {
    this.ACTION(() => {
      this.ctx.opens.push(t);
      if (norm) this.ctx.inNorm = true;
    });
  }

  private closed(norm = false): void {
    this.ACTION(() => {
      this.ctx.opens.pop();
      if (norm) this.ctx.inNorm = false;
    });
  }

  // ---- statements -----------------------------------------------------------
  statement = this.RULE('statement', () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.dimDecl) },
      { ALT: () => this.SUBRULE(this.tensorDecl) },
      { ALT: () => this.SUBRULE(this.constDecl) },
      { ALT: () => this.SUBRULE(this.wrtDecl) },
      { ALT: () => this.SUBRULE(this.defDecl) },
      { ALT: () => this.SUBRULE(this.lossDecl) },
      { ALT: () => this.SUBRULE(this.outputDecl) },
      { ALT: () => this.SUBRULE(this.optimizerDecl) },
      { ALT: () => this.SUBRULE(this.equation) },
    ]);
    this.CONSUME(T.End);
  });

  /** `dim d = 50, n = 8`, `dim N` */
  dimDecl = this.RULE('dimDecl', () => {
    this.CONSUME(T.DimKw);
    this.SUBRULE(this.dimItem);
    this.MANY(() => {
      this.CONSUME(T.Comma);
      this.SUBRULE2(this.dimItem);
    });
  });

  dimItem = this.RULE('dimItem', () => {
    this.CONSUME(T.Identifier);
    this.OPTION(() => {
      this.CONSUME(T.Equals);
      this.SUBRULE(this.expression);
    });
  });

  /** `input x : [d, N]`, `param W : [n, d] ~ xavier`, `param x = 1`, `param x = 1, y = 2`, `input y : [N] int` */
  tensorDecl = this.RULE('tensorDecl', () => {
    this.OR([{ ALT: () => this.CONSUME(T.InputKw) }, { ALT: () => this.CONSUME(T.ParamKw) }]);
    this.SUBRULE(this.nameList);
    this.OPTION(() => {
      this.CONSUME(T.Colon);
      this.SUBRULE(this.shape);
    });
    this.OPTION2(() =>
      this.OR2([
        {
          ALT: () => {
            this.CONSUME(T.Tilde);
            this.SUBRULE(this.initializer);
          },
        },
        {
          ALT: () => {
            this.CONSUME(T.Equals);
            this.SUBRULE(this.value);
            // `param x = 1, y = 2`: more names, each with its own value.
            this.MANY(() => {
              this.CONSUME(T.Comma);
              this.CONSUME(T.Identifier, { LABEL: 'more' });
              this.CONSUME2(T.Equals);
              this.SUBRULE2(this.value);
            });
          },
        },
      ]),
    );
  });

  /** `[n, d+1]`, `[]`, `[N] int`, `int` */
  shape = this.RULE('shape', () => {
    this.OR([
      {
        ALT: () => {
          this.opened(this.CONSUME(T.LBracket));
          this.OPTION(() => {
            this.SUBRULE(this.expression);
            this.MANY(() => {
              this.CONSUME(T.Comma);
              this.SUBRULE2(this.expression);
            });
          });
          this.CONSUME(T.RBracket);
          this.closed();
          this.OPTION2({ GATE: () => isInt(this.LA(1)), DEF: () => this.CONSUME(T.Identifier, { LABEL: 'int' }) });
        },
      },
      { GATE: () => isInt(this.LA(1)), ALT: () => this.CONSUME2(T.Identifier, { LABEL: 'int' }) },
    ]);
  });

  /** `xavier`, `normal(0.1)`, `const(0.5)` */
  initializer = this.RULE('initializer', () => {
    this.OR([
      { ALT: () => this.CONSUME(T.Identifier, { LABEL: 'callee' }) },
      { ALT: () => this.CONSUME(T.ConstKw, { LABEL: 'callee' }) },
    ]);
    this.OPTION(() => this.SUBRULE(this.callArgs));
  });

  /** A number, a constant expression, or a nested `[...]` list. */
  value = this.RULE('value', () => {
    this.OR([{ ALT: () => this.SUBRULE(this.list) }, { ALT: () => this.SUBRULE(this.expression) }]);
  });

  list = this.RULE('list', () => {
    this.opened(this.CONSUME(T.LBracket));
    this.OPTION(() => {
      this.SUBRULE(this.value);
      this.MANY(() => {
        this.CONSUME(T.Comma);
        this.SUBRULE2(this.value);
      });
    });
    this.CONSUME(T.RBracket);
    this.closed();
  });

  /** `const λ = 1e-4, μ = 2` */
  constDecl = this.RULE('constDecl', () => {
    this.CONSUME(T.ConstKw);
    this.SUBRULE(this.constItem);
    this.MANY(() => {
      this.CONSUME(T.Comma);
      this.SUBRULE2(this.constItem);
    });
  });

  constItem = this.RULE('constItem', () => {
    this.CONSUME(T.Identifier);
    this.CONSUME(T.Equals);
    this.SUBRULE(this.expression);
  });

  wrtDecl = this.RULE('wrtDecl', () => {
    this.CONSUME(T.WrtKw);
    this.SUBRULE(this.nameList);
  });

  nameList = this.RULE('nameList', () => {
    this.CONSUME(T.Identifier);
    this.MANY(() => {
      this.CONSUME(T.Comma);
      this.CONSUME2(T.Identifier);
    });
  });

  /** `def f(a, b) = expr` */
  defDecl = this.RULE('defDecl', () => {
    this.CONSUME(T.DefKw);
    this.CONSUME(T.Identifier, { LABEL: 'name' });
    this.opened(this.CONSUME(T.LParen));
    this.OPTION(() => {
      this.CONSUME2(T.Identifier, { LABEL: 'param' });
      this.MANY(() => {
        this.CONSUME(T.Comma);
        this.CONSUME3(T.Identifier, { LABEL: 'param' });
      });
    });
    this.CONSUME(T.RParen);
    this.closed();
    this.CONSUME(T.Equals);
    this.SUBRULE(this.expression);
  });

  /** `loss J = expr`, `loss s` */
  lossDecl = this.RULE('lossDecl', () => {
    this.CONSUME(T.LossKw);
    this.OPTION(() => {
      this.CONSUME(T.Identifier, { LABEL: 'name' });
      this.CONSUME(T.Equals);
    });
    this.SUBRULE(this.expression);
  });

  /** `output p = expr`, `output p` */
  outputDecl = this.RULE('outputDecl', () => {
    this.CONSUME(T.OutputKw);
    this.CONSUME(T.Identifier, { LABEL: 'name' });
    this.OPTION(() => {
      this.CONSUME(T.Equals);
      this.SUBRULE(this.expression);
    });
  });

  /** `optimizer adam(lr = 1e-3)`, `schedule warmup(steps = 100)`, `optimizer sgd` */
  optimizerDecl = this.RULE('optimizerDecl', () => {
    this.OR([{ ALT: () => this.CONSUME(T.OptimizerKw) }, { ALT: () => this.CONSUME(T.ScheduleKw) }]);
    this.CONSUME(T.Identifier, { LABEL: 'callee' });
    this.OPTION(() => this.SUBRULE(this.callArgs));
  });

  /** `name = expr` */
  equation = this.RULE('equation', () => {
    this.CONSUME(T.Identifier, { LABEL: 'name' });
    this.CONSUME(T.Equals);
    this.SUBRULE(this.expression);
  });

  // ---- expressions, loosest first -------------------------------------------
  expression = this.RULE('expression', () => {
    this.SUBRULE(this.additive);
    this.MANY(() => {
      this.CONSUME(T.CompareOp, { LABEL: 'op' });
      this.SUBRULE2(this.additive);
    });
  });

  additive = this.RULE('additive', () => {
    this.SUBRULE(this.multiplicative);
    this.MANY(() => {
      this.CONSUME(T.AddOp, { LABEL: 'op' });
      this.SUBRULE2(this.multiplicative);
    });
  });

  multiplicative = this.RULE('multiplicative', () => {
    this.SUBRULE(this.unary);
    this.MANY(() => {
      this.CONSUME(T.MulOp, { LABEL: 'op' });
      this.SUBRULE2(this.unary);
    });
  });

  unary = this.RULE('unary', () => {
    this.MANY(() => this.CONSUME(T.Minus));
    this.SUBRULE(this.matmul);
  });

  /** `W x`, `W @ x`, `W · x`; left-associative. */
  matmul = this.RULE('matmul', () => {
    this.SUBRULE(this.power);
    this.MANY({
      GATE: () => !(this.ctx.inNorm && tokenMatcher(this.LA(1), T.NormBar)),
      DEF: () => this.SUBRULE(this.matmulTail),
    });
  });

  matmulTail = this.RULE('matmulTail', () => {
    this.OPTION(() => this.CONSUME(T.MatOp, { LABEL: 'op' }));
    this.SUBRULE(this.power);
  });

  /** `x^2`, `s^2^3` = `s^(2^3)`, `2^-t` */
  power = this.RULE('power', () => {
    this.SUBRULE(this.postfix);
    this.OPTION(() => {
      this.CONSUME(T.Caret);
      this.SUBRULE(this.powerOperand);
    });
  });

  powerOperand = this.RULE('powerOperand', () => {
    this.MANY(() => this.CONSUME(T.Minus));
    this.SUBRULE(this.power);
  });

  postfix = this.RULE('postfix', () => {
    this.SUBRULE(this.atom);
    this.MANY(() => this.SUBRULE(this.postfixOp));
  });

  postfixOp = this.RULE('postfixOp', () => {
    this.OR([{ ALT: () => this.CONSUME(T.Transpose, { LABEL: 'mark' }) }, { ALT: () => this.SUBRULE(this.indexSuffix) }]);
  });

  /** `[:, i]`, the only indexing there is. */
  indexSuffix = this.RULE('indexSuffix', () => {
    this.opened(this.CONSUME(T.LBracket));
    this.CONSUME(T.Colon);
    this.CONSUME(T.Comma);
    this.SUBRULE(this.expression);
    this.CONSUME(T.RBracket);
    this.closed();
  });

  atom = this.RULE('atom', () => {
    this.OR([
      { ALT: () => this.CONSUME(T.NumberLit) },
      {
        ALT: () => {
          const name = this.CONSUME(T.Identifier);
          this.OPTION({
            GATE: () => tokenMatcher(this.LA(1), T.LParen) && this.LA(1).startOffset === name.startOffset + name.image.length,
            DEF: () => this.SUBRULE(this.callArgs),
          });
        },
      },
      {
        ALT: () => {
          this.opened(this.CONSUME(T.LParen));
          this.SUBRULE(this.expression);
          this.CONSUME(T.RParen);
          this.closed();
        },
      },
      {
        GATE: () => !this.ctx.inNorm,
        ALT: () => {
          this.opened(this.CONSUME(T.NormBar, { LABEL: 'open' }), true);
          this.SUBRULE2(this.expression);
          this.CONSUME2(T.NormBar, { LABEL: 'close' });
          this.closed(true);
        },
      },
    ]);
  });

  /** `(a, b, k = 1)` */
  callArgs = this.RULE('callArgs', () => {
    this.opened(this.CONSUME(T.LParen));
    this.OR([
      { ALT: () => this.CONSUME(T.RParen) },
      {
        ALT: () => {
          this.SUBRULE(this.argument);
          this.MANY(() => {
            this.CONSUME(T.Comma);
            this.SUBRULE2(this.argument);
          });
          this.CONSUME2(T.RParen);
        },
      },
    ]);
    this.closed();
  });

  argument = this.RULE('argument', () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.Identifier, { LABEL: 'keyword' });
          this.CONSUME(T.Equals);
          this.SUBRULE(this.expression);
        },
      },
      { ALT: () => this.SUBRULE2(this.expression) },
    ]);
  });
}
