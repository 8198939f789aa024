// The library entry point, `import { compile } from 'gradc'`: the whole
// compiler (front end, analysis, autodiff, teaching views, targets) with no
// Node built-in on its path, so that it bundles for a browser. The playground
// (web/) and the command line use it; files, Dawn and the CLI stay outside.
import { compileSource } from '../compiler/compile.js';
import { formatDiagnostic, type Diagnostic } from '../grammar/diagnostics.js';
import { isElementwise, topoSort, type Node } from '../compiler/ir/node.js';
import type { Model } from '../compiler/model.js';
import { OPS } from '../compiler/ops/index.js';
import { derivativeLines, derivativeNames, formatLines, forwardLines, printExpr, shapeText } from '../compiler/print.js';
import { compare, type Comparison } from '../compiler/teach/compare.js';
import { dotGraph } from '../compiler/teach/dot.js';
import type { TexRow } from '../compiler/teach/latex.js';
import { lint } from '../compiler/teach/lint.js';
import { emitDts } from './js/dts.js';
import { emitJsModuleWithMap } from './js/module.js';
import { emitWgsl, type WgslOutput } from './wgsl/index.js';

export type { Diagnostic, Model, Comparison, TexRow };

export interface CompileOptions {
  /** The model's file name, for messages and generated headers (default `model.nn`). */
  file?: string;
  /** `--dim NAME=VALUE` overrides. */
  dims?: Record<string, number>;
  /** Stability warnings (NaN risks); on by default, as `gradc MODEL.nn` prints them. */
  lint?: boolean;
  version?: string;
}

/** A diagnostic with its text exactly as the command line prints it (`file:line:col: error: …`, the line, a caret). */
export interface Message extends Diagnostic {
  text: string;
}

export type Mode = 'train' | 'eval';

/** What one compilation gives: the diagnostics, and for a model without errors every view of it, computed on demand. */
export interface Compilation {
  file: string;
  source: string;
  /** Errors and warnings in source order. */
  diagnostics: Message[];
  ok: boolean;
  model?: Model;
  /** `--emit grad`: the forward equations and the derivative, δ's named. */
  grad(mode?: Mode): string;
  /** The equations as LaTeX rows (KaTeX or amsmath), each with the node it shows. Asynchronous: the printer loads mathjs on first use. */
  latex(mode?: Mode): Promise<{ forward: TexRow[]; derivative: TexRow[] }>;
  /** `--emit dot`: forward (blue) and backward (red) graph; node `nID` is IR node ID. */
  dot(mode?: Mode): string;
  /** `--emit svg`: the graph drawn by Graphviz (WebAssembly, loaded on first use). */
  svg(mode?: Mode): Promise<string>;
  /** The CPU module, its source map (generated lines → model lines) and declarations. */
  js(precision?: 'f32' | 'f64'): { text: string; map: string; dts: string };
  /** The WebGPU shaders and the host module that dispatches them. */
  wgsl(): WgslOutput;
  compare(): Comparison;
  /** The node behind a graph id: its shape, its math and what the backward pass sends each input. */
  node(id: number, mode?: Mode): NodeInfo | undefined;
}

export interface NodeInfo {
  id: number;
  op: string;
  shape: string;
  expr: string;
  /** Source line (1-based) of the equation or backward rule it came from. */
  line?: number;
  rule?: string;
  backward: boolean;
  /** For a forward node: ∂node/∂input for elementwise ops, else the VJP of a named upstream. */
  local: { input: string; expr: string }[];
}

export function compile(source: string, opts: CompileOptions = {}): Compilation {
  const file = opts.file ?? 'model.nn';
  const r = compileSource(source, { dims: opts.dims });
  if (r.model && opts.lint !== false) for (const d of lint(r.model)) r.diagnostics.warning(d.loc, d.message);
  const diagnostics = r.diagnostics.sorted().map((d) => ({ ...d, text: formatDiagnostic(file, source, d) }));
  const model = r.model;
  const need = (): Model => {
    if (!model) throw new Error(`${file} has errors: ${diagnostics.filter((d) => d.severity === 'error').map((d) => d.text.split('\n')[0]).join('; ')}`);
    return model;
  };
  const emit = { source: file, version: opts.version };
  return {
    file,
    source,
    diagnostics,
    ok: !!model,
    model,
    grad: (mode = 'train') => gradText(need(), mode),
    // mathjs takes a second to load in Node: a command that never prints LaTeX never loads it.
    latex: async (mode = 'train') => (await import('../compiler/teach/latex.js')).latexRows(need(), mode),
    dot: (mode = 'train') => dotGraph(need(), file, mode),
    svg: async (mode = 'train') => (await import('../compiler/teach/svg.js')).renderSvg(dotGraph(need(), file, mode)),
    js: (precision = 'f32') => {
      const base = file.replace(/\.nn$/u, '');
      const { text, map } = emitJsModuleWithMap(need(), `${base}.js`, { ...emit, precision, modelText: source });
      return { text, map, dts: emitDts(need(), precision) };
    },
    wgsl: () => emitWgsl(need(), emit),
    compare: () => compare(need()),
    node: (id, mode = 'train') => nodeInfo(need(), id, mode),
  };
}

/** The text of `gradc MODEL.nn --emit grad`. */
export function gradText(model: Model, mode: Mode = 'train'): string {
  return `# forward\n${formatLines(forwardLines(model, mode))}\n\n# derivative\n${formatLines(derivativeLines(model, mode))}\n`;
}

function nodeInfo(model: Model, id: number, mode: Mode): NodeInfo | undefined {
  const g = model[mode];
  const forward = new Set(topoSort([g.loss, ...g.outputs.values()]).map((n) => n.id));
  const n = topoSort([g.loss, ...g.outputs.values(), ...g.grads.values()]).find((x) => x.id === id);
  if (!n) return undefined;
  const { names } = derivativeNames(model, mode);
  const namer = (x: Node) => model.names.get(x.id) ?? names.get(x.id);
  const origin = model.origins.get(n.id);
  const local: NodeInfo['local'] = [];
  if (forward.has(n.id) && n.inputs.length) {
    const b = model.builder;
    const label = namer(n) ?? printExpr(n, namer);
    const upName = `∂${model.loss.name}/∂${/^[\p{L}_][\p{L}\p{N}_]*$/u.test(label) ? label : `(${label})`}`;
    const wants = n.inputs.map((x) => !x.int);
    // The op table's own VJP: of a 1 for elementwise ops (the local gradient), of a named upstream otherwise.
    const elementwise = isElementwise(n.op);
    const up = elementwise ? b.const(1, n.shape) : b.input(upName, n.shape);
    const vjp = OPS[n.op].vjp(b, n as never, up, wants);
    n.inputs.forEach((x, j) => {
      const v = vjp[j];
      if (!wants[j] || !v) return;
      const input = namer(x) ?? printExpr(x, namer);
      const expr = printExpr(v, (m) => (m === up ? upName : namer(m)));
      local.push({ input, expr: elementwise ? `∂/∂${input} = ${expr}` : `${upName} ↦ ${expr}` });
    });
  }
  return {
    id,
    op: n.op,
    shape: shapeText(n),
    expr: printExpr(n, (x) => (x === n ? undefined : namer(x))),
    line: origin?.loc.line,
    rule: origin?.rule,
    backward: !forward.has(n.id),
    local,
  };
}
