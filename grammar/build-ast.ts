// CST (parser.ts) → AST (ast.ts), with the places of ast.ts: an operator's
// expression is placed at the operator, a call at its name, a juxtaposition
// at the first blank after its left operand; `start` is the first character.
import type { CstElement, CstNode, IToken } from 'chevrotain';
import type { Loc } from './diagnostics.js';
import type { BinaryOp, Expr, Ident, KeywordArg, Stmt, ValueLit } from './ast.js';
import type { Locator } from './locate.js';

/** Errors found while building (at most one is reported per statement by the caller). */
export type Report = (loc: Loc, message: string) => void;

// ---- reading CST children ---------------------------------------------------
const isToken = (e: CstElement): e is IToken => 'image' in e;

function nodes(n: CstNode, key: string): CstNode[] {
  return (n.children[key] ?? []).filter((e): e is CstNode => !isToken(e));
}

function node(n: CstNode, key: string): CstNode {
  const found = nodes(n, key)[0];
  if (found === undefined) throw new Error(`internal: no '${key}' in ${n.name}`);
  return found;
}

function tokens(n: CstNode, key: string): IToken[] {
  return (n.children[key] ?? []).filter(isToken);
}

function token(n: CstNode, key: string): IToken | undefined {
  return tokens(n, key)[0];
}

/** The single child of a node made of one alternative (`statement`, `atom`, ...). */
function only(n: CstNode): { key: string; element: CstElement } {
  for (const [key, elements] of Object.entries(n.children)) {
    if (key !== 'End' && elements[0] !== undefined) return { key, element: elements[0] };
  }
  throw new Error(`internal: empty ${n.name}`);
}

const endOf = (n: CstNode): number => n.location?.endOffset ?? NaN;

// ---- the builder --------------------------------------------------------------
export class AstBuilder {
  constructor(
    private readonly locate: Locator,
    private readonly report: Report,
  ) {}

  private at(t: IToken): Loc {
    return this.locate(t.startOffset, Math.max(1, t.image.length));
  }

  private ident(t: IToken): Ident {
    return { name: t.image, loc: this.at(t) };
  }

  /** One statement; `param x = 1, y = 2` gives one per name. */
  statement(cst: CstNode): Stmt | Stmt[] {
    const { key, element } = only(cst);
    const n = element as CstNode;
    switch (key) {
      case 'dimDecl':
        return {
          kind: 'dim',
          items: nodes(n, 'dimItem').map((item) => {
            const value = nodes(item, 'expression')[0];
            const name = this.ident(token(item, 'Identifier')!);
            return value === undefined ? { name } : { name, value: this.expression(value) };
          }),
          loc: this.at(token(n, 'DimKw')!),
        };
      case 'tensorDecl':
        return this.tensorDecl(n);
      case 'constDecl':
        return {
          kind: 'const',
          items: nodes(n, 'constItem').map((item) => ({
            name: this.ident(token(item, 'Identifier')!),
            value: this.expression(node(item, 'expression')),
          })),
          loc: this.at(token(n, 'ConstKw')!),
        };
      case 'wrtDecl':
        return { kind: 'wrt', names: this.names(node(n, 'nameList')), loc: this.at(token(n, 'WrtKw')!) };
      case 'defDecl':
        return {
          kind: 'def',
          name: this.ident(token(n, 'name')!),
          params: tokens(n, 'param').map((t) => this.ident(t)),
          body: this.expression(node(n, 'expression')),
          loc: this.at(token(n, 'DefKw')!),
        };
      case 'lossDecl': {
        const name = token(n, 'name');
        const expr = this.expression(node(n, 'expression'));
        const loc = this.at(token(n, 'LossKw')!);
        return name === undefined ? { kind: 'loss', expr, loc } : { kind: 'loss', name: this.ident(name), expr, loc };
      }
      case 'outputDecl': {
        const name = this.ident(token(n, 'name')!);
        const value = nodes(n, 'expression')[0];
        const loc = this.at(token(n, 'OutputKw')!);
        return value === undefined ? { kind: 'output', name, loc } : { kind: 'output', name, expr: this.expression(value), loc };
      }
      case 'optimizerDecl': {
        const kw = token(n, 'OptimizerKw') ?? token(n, 'ScheduleKw')!;
        const spec = this.nameOrCall(token(n, 'callee')!, nodes(n, 'callArgs')[0]);
        return { kind: token(n, 'OptimizerKw') ? 'optimizer' : 'schedule', spec, loc: this.at(kw) };
      }
      case 'equation': {
        const name = token(n, 'name')!;
        return { kind: 'equation', name: this.ident(name), expr: this.expression(node(n, 'expression')), loc: this.at(name) };
      }
      default:
        throw new Error(`internal: unknown statement ${key}`);
    }
  }

  private tensorDecl(n: CstNode): Stmt | Stmt[] {
    const kw = token(n, 'InputKw') ?? token(n, 'ParamKw')!;
    const shapeNode = nodes(n, 'shape')[0];
    const initNode = nodes(n, 'initializer')[0];
    const valueNodes = nodes(n, 'value');
    const more = tokens(n, 'more');
    if (more.length) {
      // `param x = 1, y = 2`: a declaration per name and value.
      const names = [...this.names(node(n, 'nameList')), ...more.map((t) => this.ident(t))];
      return names.map((name, i) => ({
        kind: token(n, 'InputKw') ? ('input' as const) : ('param' as const),
        names: [name],
        isInt: false,
        value: this.value(valueNodes[i]!),
        loc: this.at(kw),
      }));
    }
    const valueNode = valueNodes[0];
    return {
      kind: token(n, 'InputKw') ? 'input' : 'param',
      names: this.names(node(n, 'nameList')),
      ...(shapeNode && { shape: nodes(shapeNode, 'expression').map((e) => this.expression(e)) }),
      isInt: shapeNode !== undefined && token(shapeNode, 'int') !== undefined,
      ...(initNode && { init: this.nameOrCall(token(initNode, 'callee')!, nodes(initNode, 'callArgs')[0]) }),
      ...(valueNode && { value: this.value(valueNode) }),
      loc: this.at(kw),
    };
  }

  private names(n: CstNode): Ident[] {
    return tokens(n, 'Identifier').map((t) => this.ident(t));
  }

  private value(n: CstNode): ValueLit {
    const list = nodes(n, 'list')[0];
    if (list === undefined) return this.expression(node(n, 'expression'));
    const loc = this.at(token(list, 'LBracket')!);
    return { kind: 'list', items: nodes(list, 'value').map((v) => this.value(v)), loc, start: loc };
  }

  // ---- expressions ------------------------------------------------------------
  expression(n: CstNode): Expr {
    return this.leftChain(n, 'additive', (c) => this.leftChain(c, 'multiplicative', (m) => this.leftChain(m, 'unary', (u) => this.unary(u))));
  }

  /** `a op b op c` read left to right into `(a op b) op c`. */
  private leftChain(n: CstNode, operand: string, build: (n: CstNode) => Expr): Expr {
    const operands = nodes(n, operand);
    const ops = tokens(n, 'op');
    let left = build(operands[0]!);
    ops.forEach((op, i) => {
      const right = build(operands[i + 1]!);
      const sym = (op.image === '\u2299' ? '*' : op.image) as BinaryOp;
      left = { kind: 'binary', op: sym, left, right, loc: this.at(op), start: left.start };
    });
    return left;
  }

  private unary(n: CstNode): Expr {
    return this.negate(tokens(n, 'Minus'), this.matmul(node(n, 'matmul')));
  }

  /** `- - x`: the minus signs wrapped around `operand`, innermost last. */
  private negate(minuses: IToken[], operand: Expr): Expr {
    let e = operand;
    for (let i = minuses.length - 1; i >= 0; i--) {
      const loc = this.at(minuses[i]!);
      e = { kind: 'neg', operand: e, loc, start: loc };
    }
    return e;
  }

  private matmul(n: CstNode): Expr {
    const first = node(n, 'power');
    let left = this.power(first);
    let leftEnd = endOf(first);
    for (const tail of nodes(n, 'matmulTail')) {
      const right = this.power(node(tail, 'power'));
      const op = token(tail, 'op');
      const loc = op ? this.at(op) : this.locate(leftEnd + 1, 1);
      left = { kind: 'matmul', left, right, explicit: op !== undefined, loc, start: left.start };
      leftEnd = endOf(tail);
    }
    return left;
  }

  private power(n: CstNode): Expr {
    const base = this.postfix(node(n, 'postfix'));
    const caret = token(n, 'Caret');
    if (caret === undefined) return base;
    const operand = node(n, 'powerOperand');
    const exponent = this.negate(tokens(operand, 'Minus'), this.power(node(operand, 'power')));
    return { kind: 'binary', op: '^', left: base, right: exponent, loc: this.at(caret), start: base.start };
  }

  private postfix(n: CstNode): Expr {
    let e = this.atom(node(n, 'atom'));
    for (const op of nodes(n, 'postfixOp')) {
      const mark = token(op, 'mark');
      if (mark !== undefined) {
        e = { kind: 'transpose', operand: e, loc: this.at(mark), start: e.start };
      } else {
        const index = node(op, 'indexSuffix');
        const columns = this.expression(node(index, 'expression'));
        e = { kind: 'index', target: e, columns, loc: this.at(token(index, 'LBracket')!), start: e.start };
      }
    }
    return e;
  }

  private atom(n: CstNode): Expr {
    const num = token(n, 'NumberLit');
    if (num !== undefined) {
      const loc = this.at(num);
      const value = Number(num.image);
      if (!Number.isFinite(value)) this.report(loc, `syntax error: the number ${num.image} is too large`);
      return { kind: 'num', value, loc, start: loc };
    }
    const name = token(n, 'Identifier');
    if (name !== undefined) return this.nameOrCall(name, nodes(n, 'callArgs')[0]);
    const paren = token(n, 'LParen');
    if (paren !== undefined) return { ...this.expression(node(n, 'expression')), start: this.at(paren) };
    const bar = token(n, 'open')!;
    const loc = this.at(bar);
    return { kind: 'norm', operand: this.expression(node(n, 'expression')), loc, start: loc };
  }

  private nameOrCall(name: IToken, args: CstNode | undefined): Expr {
    const loc = this.at(name);
    if (args === undefined) return { kind: 'name', name: name.image, loc, start: loc };
    const positional: Expr[] = [];
    const kwargs: KeywordArg[] = [];
    for (const arg of nodes(args, 'argument')) {
      const keyword = token(arg, 'keyword');
      const value = this.expression(node(arg, 'expression'));
      if (keyword !== undefined) {
        kwargs.push({ name: keyword.image, nameLoc: this.at(keyword), value });
      } else {
        if (kwargs.length > 0) this.report(value.start, 'syntax error: a positional argument cannot follow keyword arguments');
        positional.push(value);
      }
    }
    return { kind: 'call', callee: name.image, args: positional, kwargs, loc, start: loc };
  }
}
