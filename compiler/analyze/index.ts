// Semantic analysis: from the syntax tree to the Model (declarations, types,
// and the forward and backward graphs of each mode).
import type { Expr, Program } from '../../grammar/ast.js';
import { gradients } from '../autodiff.js';
import { Diagnostics, START } from '../../grammar/diagnostics.js';
import { Builder } from '../ir/builder.js';
import { topoSort, type Node } from '../ir/node.js';
import type { Graph, Model, Spec, TensorType } from '../model.js';
import { findCycles, namesIn } from './cycles.js';
import { declareTensors } from './declarations.js';
import { Lowerer, type Shared } from './lower.js';
import { collect, Scope } from './scope.js';
import { OPTIMIZERS, readSpec, SCHEDULES } from './specs.js';
import { formatType } from './types.js';

export interface AnalyzeOptions {
  /** --dim overrides. */
  dims?: Record<string, number>;
  /**
   * The program lost statements to syntax errors: report only errors that
   * stand on their own (no "no loss", no unused-name warnings).
   */
  partial?: boolean;
  /** With `partial`: names that may have been declared in the statements lost; not reported as undefined. */
  lostNames?: ReadonlySet<string>;
}

/** Analyzes a parsed program. Reports into `diags`; returns undefined if there were errors. */
export function analyze(program: Program, diags: Diagnostics, opts: AnalyzeOptions = {}): Model | undefined {
  const scope = new Scope(diags, opts.dims, opts.lostNames);
  collect(program, scope);
  for (const name of Object.keys(opts.dims ?? {})) {
    if (scope.get(name)?.kind !== 'dim') diags.usageError(`--dim ${name}: the model has no dim '${name}'`);
  }
  const { params, inputs } = declareTensors(scope);
  const shared: Shared = {
    scope, diags, b: new Builder(), params, inputs, states: new Map(), names: new Map(), places: new Map(), exprPlaces: new Map(),
    cyclic: findCycles(scope),
  };

  // Loss, outputs, wrt, optimizer, schedule.
  const losses = program.statements.filter((s) => s.kind === 'loss');
  for (const extra of losses.slice(1)) diags.error(extra.loc, 'a model has exactly one loss; this is a second one');
  const lossStmt = losses[0];
  if (!lossStmt && !opts.partial) diags.error(START, 'the model has no loss: declare one with `loss J = …`');
  const outputs = program.statements.flatMap((s) => (s.kind === 'output' ? [s] : []));
  const wrt: string[] = [];
  let optimizer: Spec = { name: 'sgd', args: { lr: 0.01, weight_decay: 0, clip: 0 }, loc: START };
  let schedule: Spec = { name: 'constant', args: {}, loc: START };
  const seen = new Set<string>();
  for (const s of program.statements) {
    if (s.kind === 'wrt') {
      for (const n of s.names) {
        const bnd = scope.get(n.name);
        if (!bnd) diags.error(n.loc, `wrt: '${n.name}' is not defined`);
        else if (bnd.kind === 'param') diags.warning(n.loc, `wrt: '${n.name}' is a param; params are always differentiated`);
        else if (bnd.kind !== 'input') diags.error(n.loc, `wrt names inputs; '${n.name}' is a ${bnd.kind}`);
        else if (inputs.get(n.name)?.int) diags.error(n.loc, `'${n.name}' is an int input and cannot be differentiated`);
        else if (!wrt.includes(n.name)) wrt.push(n.name);
      }
    } else if (s.kind === 'optimizer' || s.kind === 'schedule') {
      if (seen.has(s.kind)) diags.error(s.loc, `a model has at most one ${s.kind}`);
      seen.add(s.kind);
      const spec = readSpec(scope, s.spec, s.kind === 'optimizer' ? OPTIMIZERS : SCHEDULES, s.kind);
      if (spec && s.kind === 'optimizer') optimizer = spec;
      if (spec && s.kind === 'schedule') schedule = spec;
    }
  }

  // Lower every equation (so that errors anywhere are reported), then the
  // roots. Eval mode is lowered only when it differs, with errors not repeated.
  const lowerAll = (l: Lowerer) => {
    for (const b of scope.bindings.values()) if (b.kind === 'equation') l.equation(b.name);
    const loss = lossStmt && (lossStmt.name ? l.equation(lossStmt.name.name) : l.expr(lossStmt.expr, new Map()));
    const outs = new Map<string, { node: Node; type: TensorType }>();
    for (const o of outputs) {
      const v = o.expr ? l.equation(o.name.name) : l.expr({ kind: 'name', name: o.name.name, loc: o.name.loc, start: o.name.loc }, new Map());
      if (v) outs.set(o.name.name, v);
    }
    return { loss, outs };
  };
  const train = new Lowerer(shared, 'train');
  const t = lowerAll(train);
  if (t.loss && t.loss.type.dims.length) {
    diags.error(lossStmt!.expr.start, `the loss must be a scalar; this is ${formatType(t.loss.type)} (sum or mean it?)`);
  }
  if (!opts.partial) warnUnused(program, scope, diags);
  if (diags.hasErrors || !t.loss || !lossStmt) return undefined;

  const hasModes = train.dropouts > 0 || train.batchnorms > 0;
  let evalLowerer = train;
  let e = t;
  if (hasModes) {
    evalLowerer = new Lowerer({ ...shared, diags: new Diagnostics() }, 'eval');
    e = lowerAll(evalLowerer);
  }

  const leaves = [...params.values()].map((p) => shared.b.param(p.name, p.shape))
    .concat(wrt.map((n) => shared.b.input(n, inputs.get(n)!.shape, false)));
  const graph = (r: typeof t, l: Lowerer): Graph => {
    const adjoints = new Map<number, Node>();
    const g = gradients(shared.b, r.loss!.node, leaves, adjoints);
    return {
      adjoints,
      loss: r.loss!.node,
      outputs: new Map([...r.outs].map(([k, v]) => [k, v.node])),
      grads: new Map(leaves.map((leaf) => [(leaf.attrs as { name: string }).name, g.get(leaf)!])),
      updates: l.updates,
    };
  };
  const trainGraph = graph(t, train);
  const evalGraph = hasModes ? graph(e, evalLowerer) : trainGraph;
  // An input counts as used when either mode's forward pass reads it (or it is differentiated).
  const forwardRoots = [trainGraph, evalGraph].flatMap((g) => [g.loss, ...g.outputs.values()]);
  const reads = new Set(topoSort(forwardRoots).flatMap((n) => (n.op === 'input' ? [(n.attrs as { name: string }).name] : [])));
  for (const i of inputs.values()) i.used = reads.has(i.name) || wrt.includes(i.name);
  const lossName = lossStmt.name?.name ?? (lossStmt.expr.kind === 'name' ? lossStmt.expr.name : 'loss');
  return {
    dims: [...scope.bindings.values()].flatMap((b) => (b.kind === 'dim' ? [{ name: b.name, value: b.value, loc: b.loc }] : [])),
    params: [...params.values()],
    inputs: [...inputs.values()],
    states: [...shared.states.values()],
    wrt,
    loss: { name: lossName, type: t.loss.type, loc: lossStmt.loc },
    outputs: outputs.filter((o) => t.outs.has(o.name.name)).map((o) => ({ name: o.name.name, type: t.outs.get(o.name.name)!.type, loc: o.name.loc })),
    optimizer,
    schedule,
    hasModes,
    train: trainGraph,
    eval: evalGraph,
    builder: shared.b,
    origins: shared.b.origins,
    names: shared.names,
    places: shared.places,
    exprPlaces: shared.exprPlaces,
  };
}

/** Warns about names that nothing uses. */
function warnUnused(program: Program, scope: Scope, diags: Diagnostics): void {
  const used = new Set<string>();
  const roots: Expr[] = [];
  for (const s of program.statements) {
    if (s.kind === 'loss' || s.kind === 'output') {
      if (s.kind === 'loss') roots.push(s.expr);
      else used.add(s.name.name);
      if (s.name) used.add(s.name.name);
    }
    if (s.kind === 'wrt') s.names.forEach((n) => used.add(n.name));
  }
  // Names reachable from the loss and outputs, through equations and defs.
  const stack = [...roots];
  for (const n of used) {
    const b = scope.get(n);
    if (b?.kind === 'equation') stack.push(b.expr);
  }
  const visitedDefs = new Set<string>();
  while (stack.length) {
    for (const n of namesIn(stack.pop()!)) {
      const b = scope.get(n);
      if (b?.kind === 'def' && !visitedDefs.has(n)) {
        visitedDefs.add(n);
        stack.push(b.body);
      }
      if (used.has(n)) continue;
      used.add(n);
      if (b?.kind === 'equation') stack.push(b.expr);
    }
  }
  for (const s of program.statements) {
    if (s.kind === 'dim' || s.kind === 'const') {
      for (const it of s.items) used.add(it.name.name); // sizes and hyperparameters may go unused quietly
    }
  }
  for (const b of scope.bindings.values()) {
    if (used.has(b.name) || b.kind === 'dim' || b.kind === 'const') continue;
    const what = b.kind === 'param' ? `param '${b.name}' is never used (its gradient is zero)` : `'${b.name}' is never used`;
    diags.warning(b.loc, what);
  }
}
