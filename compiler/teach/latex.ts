// `--emit latex`: the forward equations and the derivative as a compilable
// LaTeX document. Each right-hand side is turned into a mathjs expression tree
// and printed by mathjs's `toTex` (its precedence and parentheses, \frac, \sqrt,
// powers); what mathjs has no notation for (⊙, ᵀ, relu, indicators, axis
// reductions, …) is printed by a toTex handler. Names and the shared error
// signals δ follow `--emit grad` (print.ts).
// mathjs takes a second to load in Node, so the command line imports this file
// only for --emit latex; a static import keeps it bundleable for the browser.
import * as MathJs from 'mathjs';
import { topoSort, type CompareOp, type FunctionOp, type Node, type OpAttrs } from '../ir/node.js';
import type { Model } from '../model.js';
import type { Size } from '../ir/size.js';
import { derivativeNames, logSoftmaxOf } from '../print.js';
import { isScalarShape } from '../ir/size.js';

type MathNode = MathJs.MathNode;

const GREEK: Record<string, string> = {
  α: 'alpha', β: 'beta', γ: 'gamma', δ: 'delta', ε: 'epsilon', ζ: 'zeta', η: 'eta', θ: 'theta', ι: 'iota', κ: 'kappa',
  λ: 'lambda', μ: 'mu', ν: 'nu', ξ: 'xi', π: 'pi', ρ: 'rho', σ: 'sigma', τ: 'tau', υ: 'upsilon', φ: 'phi', χ: 'chi',
  ψ: 'psi', ω: 'omega', Γ: 'Gamma', Δ: 'Delta', Θ: 'Theta', Λ: 'Lambda', Ξ: 'Xi', Π: 'Pi', Σ: 'Sigma', Φ: 'Phi',
  Ψ: 'Psi', Ω: 'Omega',
};

function escape(s: string): string {
  return [...s].map((c) => (GREEK[c] ? `\\${GREEK[c]} ` : /[A-Za-z0-9]/.test(c) ? c : c === '_' ? '\\_' : `\\text{${c}}`)).join('').trim();
}

/** A name in math: `W`, `W_{1}`, `b_{2}`, `\lambda`, `x_{\mathrm{window}}`, `\mathit{loss}`. */
export function texName(name: string): string {
  const m = /^(.*?)(?:_?(\d+)|_(.+))$/u.exec(name);
  if (m && m[1]) return `${texName(m[1])}_{${m[2] ?? (m[3]!.length === 1 ? escape(m[3]!) : `\\mathrm{${escape(m[3]!)}}`)}}`;
  if ([...name].length === 1) return escape(name);
  return `\\mathit{${escape(name)}}`;
}

const CMP: { [O in CompareOp]: string } = { lt: '<', le: '\\le', gt: '>', ge: '\\ge', eq: '=', ne: '\\ne' };

class TexPrinter {
  private readonly symbols = new Map<string, string>();
  private readonly custom = new WeakMap<MathNode, (args: string[], raw: MathNode[]) => string>();

  constructor(private readonly name: (n: Node) => string | undefined) {}

  tex(n: Node): string {
    const handler = (node: MathNode, options: object): string | undefined => {
      if (node.type === 'SymbolNode') return ` ${this.symbols.get((node as MathJs.SymbolNode).name)}`;
      const f = this.custom.get(node);
      if (f) {
        const args = (node as MathJs.FunctionNode).args;
        return f(args.map((a) => a.toTex(options)), args);
      }
      if (node.type === 'OperatorNode' && (node as MathJs.OperatorNode).fn === 'ctranspose') {
        const x = (node as MathJs.OperatorNode).args[0]!;
        return `{${wrap(x, x.toTex(options))}}^{\\top}`;
      }
      return undefined;
    };
    const s = this.node(n, true).toTex({ parenthesis: 'auto', implicit: 'hide', handler } as object);
    return s.replace(/\.\\cdot/g, '\\odot ').replace(/~/g, '\\,').replace(/\s+/g, ' ').trim();
  }

  private symbol(key: string, tex: string): MathNode {
    const m = MathJs;
    const id = `s${this.symbols.size}_${key.replace(/\W/g, '')}`;
    this.symbols.set(id, tex);
    return new m.SymbolNode(id);
  }

  /** A size as mathjs operators (3·N + 1), so that mathjs parenthesizes it as one value. */
  private size(size: Size): MathNode {
    const m = MathJs;
    const op = (o: string, fn: string, args: MathNode[]) => new m.OperatorNode(o as never, fn as never, args);
    const terms = size.monomials.map(({ k, dims }) => {
      const factors: MathNode[] = dims.map((d) => this.symbol(d, texName(d)));
      if (Math.abs(k) !== 1 || !factors.length) factors.unshift(new m.ConstantNode(Math.abs(k)));
      const term = factors.reduce((x, y) => op('*', 'multiply', [x, y]));
      return { neg: k < 0, term };
    });
    return terms.slice(1).reduce(
      (acc, t) => op(t.neg ? '-' : '+', t.neg ? 'subtract' : 'add', [acc, t.term]),
      terms[0]!.neg ? op('-', 'unaryMinus', [terms[0]!.term]) : terms[0]!.term,
    );
  }

  private fn(label: string, args: MathNode[], render: (args: string[], raw: MathNode[]) => string): MathNode {
    const m = MathJs;
    const f = new m.FunctionNode(new m.SymbolNode(`__${label}`), args);
    this.custom.set(f, render);
    return f;
  }

  private node(n: Node, top = false): MathNode {
    const m = MathJs;
    const given = top ? undefined : this.name(n);
    if (given !== undefined) return this.symbol(given, texName(given));
    const a = n.attrs as Record<string, unknown>;
    const x = (i: number) => this.node(n.inputs[i]!);
    const op = (o: string, fn: string, args: MathNode[], implicit = false) => new m.OperatorNode(o as never, fn as never, args, implicit);
    const call = (name: string, i = 0) => this.fn(name, [x(i)], ([s]) => `\\operatorname{${name}}\\left(${s}\\right)`);
    switch (n.op) {
      case 'param': case 'input': case 'state':
        return this.symbol(a.name as string, texName(a.name as string));
      case 'const': {
        const v = a.value as number;
        const c = new m.ConstantNode(Math.abs(v));
        return v < 0 ? op('-', 'unaryMinus', [c]) : c;
      }
      case 'size': return this.size(a.size as Size);
      case 'mask': return this.symbol(`mask${a.id}`, `\\operatorname{dropout\\_mask}_{p=${a.p}}`);
      case 'neg': return op('-', 'unaryMinus', [x(0)]);
      case 'add': return op('+', 'add', [x(0), x(1)]);
      case 'sub': {
        // x − logsumexp(x) is how log_softmax(x) is computed: print it as written.
        const ls = logSoftmaxOf(n);
        if (ls) return this.fn('log_softmax', [this.node(ls.x)], ([s]) => `\\operatorname{log\\_softmax}\\left(${s}${ls.axis ? `,\\ \\mathrm{axis}{=}${ls.axis.replace(/\D/gu, '')}` : ''}\\right)`);
        return op('-', 'subtract', [x(0), x(1)]);
      }
      case 'mul': {
        // x ⊙ mask is dropout(x, p), in the backward pass too (the same mask).
        const k = n.inputs.findIndex((i) => i.op === 'mask' && this.name(i) === undefined);
        if (k >= 0) return this.fn('dropout', [x(1 - k)], ([s]) => `\\operatorname{dropout}\\left(${s}, ${(n.inputs[k]!.attrs as { p: number }).p}\\right)`);
        return isScalarShape(n.inputs[0]!.shape) || isScalarShape(n.inputs[1]!.shape) ? op('*', 'multiply', [x(0), x(1)]) : op('.*', 'dotMultiply', [x(0), x(1)]);
      }
      case 'div': return op('/', 'divide', [x(0), x(1)]);
      case 'pow': return op('^', 'pow', [x(0), x(1)]);
      case 'exp': {
        // exp(log_softmax(x)) is how softmax(x) is computed.
        const ls = this.name(n.inputs[0]!) === undefined ? logSoftmaxOf(n.inputs[0]!) : undefined;
        if (ls) return this.fn('softmax', [this.node(ls.x)], ([s]) => `\\operatorname{softmax}\\left(${s}${ls.axis ? `,\\ \\mathrm{axis}{=}${ls.axis.replace(/\D/gu, '')}` : ''}\\right)`);
        return new m.FunctionNode(new m.SymbolNode(n.op), [x(0)]);
      }
      case 'log': case 'sqrt': case 'abs': case 'sin': case 'cos': case 'tanh':
        return new m.FunctionNode(new m.SymbolNode(n.op), [x(0)]);
      case 'sigmoid': return this.fn('sigma', [x(0)], ([s]) => `\\sigma\\left(${s}\\right)`);
      case 'max': case 'min': return new m.FunctionNode(new m.SymbolNode(n.op), [x(0), x(1)]);
      case 'lt': case 'le': case 'gt': case 'ge': case 'eq': case 'ne': {
        const rel = CMP[n.op];
        return this.fn('indicator', [x(0), x(1)], ([l, r]) => `\\mathbb{1}\\left[${l} ${rel} ${r}\\right]`);
      }
      case 'where': return this.fn('where', [x(0), x(1), x(2)], ([c, p, q]) => `\\operatorname{where}\\left(${c}, ${p}, ${q}\\right)`);
      case 'transpose': return op("'", 'ctranspose', [x(0)]);
      case 'reshape': {
        const inner = n.inputs[0]!;
        const flips = n.shape[0].equals(inner.shape[1]) && n.shape[1].equals(inner.shape[0]) && !n.shape[0].equals(inner.shape[0]);
        return flips && !['sum', 'rmax', 'logsumexp', 'pick', 'const'].includes(inner.op) ? op("'", 'ctranspose', [x(0)]) : x(0);
      }
      case 'broadcast': return x(0);
      case 'matmul': {
        const { ta, tb } = a as OpAttrs['matmul'];
        const l = ta ? op("'", 'ctranspose', [x(0)]) : x(0);
        const r = tb ? op("'", 'ctranspose', [x(1)]) : x(1);
        return op('*', 'multiply', [l, r], true);
      }
      case 'sum': case 'rmax': case 'logsumexp': {
        const name = n.op === 'rmax' ? 'max' : n.op;
        const ax = (a as OpAttrs['sum']).axis;
        return this.fn(name, [x(0)], ([s]) => `\\operatorname{${name}}\\left(${s}${ax === 'all' ? '' : `,\\ \\mathrm{axis}{=}${ax}`}\\right)`);
      }
      case 'onehot': return call('onehot');
      case 'pick': return this.fn('pick', [x(0), x(1)], ([p, y]) => `\\operatorname{pick}\\left(${p}, ${y}\\right)`);
      case 'gathercols': return this.fn('gather', [x(0), x(1)], ([e, i], [raw]) => `{${wrap(raw!, e!)}}_{:,\\,${i}}`);
      case 'scattercols': return this.fn('scatter', [x(0), x(1)], ([g, i]) => `\\operatorname{scatter}\\left(${g}, ${i}\\right)`);
      case 'concat': return this.fn('concat', n.inputs.map((_, i) => x(i)), (parts) => `\\begin{bmatrix} ${parts.join(' \\\\ ')} \\end{bmatrix}`);
      case 'slice': {
        const start = a.start as { add(s: unknown): unknown };
        return this.fn('slice', [x(0)], ([s], [raw]) => `{${wrap(raw!, s!)}}_{[${start}:${start.add(n.shape[0])}]}`);
      }
      default: {
        const f: FunctionOp = n.op; // every other op has its case above
        return call(f);
      }
    }
  }
}

/** Parentheses around an operand that is not an atom. */
function wrap(node: MathNode, tex: string): string {
  return node.type === 'OperatorNode' ? `\\left(${tex}\\right)` : tex;
}

function shapeTex(n: Node): string {
  const [r, c] = n.shape;
  const dim = (s: { key: string }) => s.key.replace(/\*/g, '').replace(/([A-Za-z]+)/g, (v) => texName(v));
  if (r.isOne() && c.isOne()) return '\\mathbb{R}';
  if (c.isOne() || r.isOne()) return `\\mathbb{R}^{${dim(c.isOne() ? r : c)}}`;
  return `\\mathbb{R}^{${dim(r)} \\times ${dim(c)}}`;
}

const partial = (loss: string, of: string) => `\\frac{\\partial ${texName(loss)}}{\\partial ${of}}`;

/** One equation: `lhs &= rhs && note`, and the node it shows (for tracing it to the source). */
export interface TexRow {
  lhs: string;
  rhs: string;
  note: string;
  node: Node;
}

/** The forward equations and the derivative (shared δ's first, then each gradient), as rows of math. */
export function latexRows(model: Model, mode: 'train' | 'eval' = 'train'): { forward: TexRow[]; derivative: TexRow[]; shared: number } {
  const g = model[mode];
  const loss = model.loss.name;
  const fwdPrinter = new TexPrinter((n) => model.names.get(n.id));
  const forward = topoSort([g.loss, ...g.outputs.values()]).filter((n) => model.names.has(n.id) && n.inputs.length > 0);
  const { shared, names, adjointOf } = derivativeNames(model, mode);
  const bwdPrinter = new TexPrinter((n) => names.get(n.id) ?? model.names.get(n.id));
  return {
    forward: forward.map((n) => ({ lhs: texName(model.names.get(n.id)!), rhs: fwdPrinter.tex(n), note: `\\in ${shapeTex(n)}`, node: n })),
    derivative: [
      ...shared.map((n) => {
        const fwd = adjointOf.get(n.id);
        const of = fwd === undefined ? undefined : model.names.get(fwd);
        return { lhs: texName(names.get(n.id)!), rhs: bwdPrinter.tex(n), note: `${of ? `= ${partial(loss, texName(of))} ` : ''}\\in ${shapeTex(n)}`, node: n };
      }),
      ...[...g.grads].map(([name, n]) => {
        const rhs = names.has(n.id) || model.names.has(n.id) ? texName(names.get(n.id) ?? model.names.get(n.id)!) : bwdPrinter.tex(n);
        return { lhs: partial(loss, texName(name)), rhs, note: `\\in ${shapeTex(n)}`, node: n };
      }),
    ],
    shared: shared.length,
  };
}

/** The whole document: forward equations, then the derivative, one `align*` each. */
export function latexDocument(model: Model, title: string, mode: 'train' | 'eval' = 'train'): string {
  const { forward, derivative, shared } = latexRows(model, mode);
  const row = (r: TexRow) => `  ${r.lhs} &= ${r.rhs} && ${r.note}`;
  // One equation a row; no environment at all when there is nothing to show (an empty align* does not compile).
  const align = (list: TexRow[]) => (list.length ? ['\\begin{align*}', list.map(row).join(' \\\\\n'), '\\end{align*}'] : []);
  const lines = [
    '% Generated by gradc (--emit latex). Compile with: pdflatex FILE.tex',
    '\\documentclass{article}',
    '\\usepackage{amsmath,amssymb}',
    '\\usepackage[margin=2cm]{geometry}',
    '\\allowdisplaybreaks',
    '\\begin{document}',
    `\\section*{${escapeText(title)}}`,
    '\\subsection*{Forward}',
    ...align(forward),
    `Loss: $${texName(model.loss.name)}$.`,
    '\\subsection*{Derivative}',
    shared ? 'Each named intermediate ($\\delta$: an error signal, the derivative of the loss by a forward value) is computed once and reused.' : '',
    ...align(derivative),
    '\\end{document}',
    '',
  ];
  return lines.join('\n');
}

function escapeText(s: string): string {
  return s.replace(/[\\{}$&#^_%~]/g, (c) => (c === '\\' ? '\\textbackslash{}' : `\\${c}`));
}
