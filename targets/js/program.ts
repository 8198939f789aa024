// One program of the CPU module (forward or grad, in one mode): its buffers,
// planned once per set of run-time sizes, and its steps as loops in a function
// whose arrays and sizes are parameters.
import type { Node } from '../../compiler/ir/node.js';
import { isScalarShape, type Size } from '../../compiler/ir/size.js';
import type { Graph, InputInfo, Model } from '../../compiler/model.js';
import type { ProgramKind } from '../../compiler/program.js';
import { maskStreamBase } from '../../compiler/random.js';
import type { Code } from '../code.js';
import { describer, displayNames } from '../describe.js';
import type { Names } from '../names.js';
import type { Plan } from '../plan.js';
import { emitBind } from './bind.js';
import { emitStep, type JsContext } from './kernels.js';
import type { JsSchedule } from './schedule.js';
import type { jsSpelling } from './spelling.js';

export interface Program {
  fn: string;
  kind: ProgramKind;
  graph: Graph;
  plan: Plan;
  sched: JsSchedule;
  inputs: InputInfo[];
}

export interface Env {
  /** The model's file name, for the comments that trace each block to it. */
  source: string;
  names: Names;
  leafVar: Map<string, string>;
  dimVar: Map<string, string>;
  size: (s: Size) => string;
  spell: ReturnType<typeof jsSpelling>;
  q: (s: string) => string;
}

export function emitProgram(code: Code, model: Model, prog: Program, env: Env): void {
  const { plan: p, fn } = prog;
  const { leafVar, size, q } = env;
  const names = env.names;
  // Matrix products fused into their consumers, and buffer slots for what is stored.
  const sched = prog.sched;
  const slotVars = sched.slotSizes.map((_, k) => names.fresh(`${fn}_buf${k}`));
  // Names of values inside the function (targets/describe.ts), kept clear of the module's own.
  const local = names.child();
  const display = displayNames(model, prog.graph);
  const nodeVar = new Map<number, string>();
  const varOf = (n: Node): string => {
    const st = p.storage.get(n.id)!;
    if (st === 'leaf') return leafVar.get((n.attrs as { name: string }).name)!;
    if (st === 'view' && n.op === 'reshape') return varOf(p.viewOf.get(n.id)!);
    let v = nodeVar.get(n.id);
    if (!v) nodeVar.set(n.id, (v = local.fresh(display(n))));
    return v;
  };
  const cx: JsContext = {
    plan: p,
    spell: env.spell,
    name: varOf,
    offset: () => '0',
    describe: describer(model, p, env.source, varOf),
    maskStream: (id) => `${maskStreamBase(id)} + t`,
  };

  const key = env.dimVar.size ? [...env.dimVar.values()].join(' + "," + ') : '"fixed"';
  const allocated = names.fresh(`${fn}_sizes`);
  const views = p.order.filter((n) => p.storage.get(n.id) === 'view' && n.op === 'slice');
  code.line(`let ${allocated} = "";`);
  if (slotVars.length) code.line(`let ${slotVars.join(', ')};`);
  for (const v of views) code.line(`let ${varOf(v)};`);
  const result = names.fresh(`${fn}_result`);
  const updates = prog.kind === 'grad' && prog.graph.updates.size && prog.fn.endsWith('train');
  code.line(`const ${result} = ${prog.kind === 'predict' ? '{ outputs: {} }' : prog.kind === 'forward' ? '{ loss: 0, outputs: {} }' : `{ loss: 0, grad: {}${updates ? ', updates: {}' : ''} }`};`);

  const run = names.fresh(`${fn}_run`);
  const args = [...new Set([
    ...p.order.filter((n) => p.storage.get(n.id) === 'leaf').map(varOf),
    ...env.dimVar.values(),
    ...views.map(varOf),
  ])];
  code.block(`function ${fn}(inputs)`, () => {
    emitBind(code, model, prog, env);
    code.comment('Buffers are planned once for each set of run-time sizes, then reused.');
    code.block(`if (${allocated} !== String(${key}))`, () => {
      code.line(`${allocated} = String(${key});`);
      if (sched.slotSizes.length) code.line(`planned('the buffers of ${fn}', ${sched.slotSizes.map((s) => size(s[0].mul(s[1]))).join(' + ')});`);
      sched.slotSizes.forEach((s, k) => code.line(`${slotVars[k]} = new Float(${size(s[0].mul(s[1]))});`));
      for (const v of views.filter((w) => p.viewOf.get(w.id)!.op !== 'input')) {
        // A row slice is a window on its base's memory (a slot, or a param).
        const x = p.viewOf.get(v.id)!;
        const baseArray = p.storage.get(x.id) === 'buffer' ? slotVars[sched.slot.get(x.id)!] : varOf(x);
        const start = (v.attrs as { start: Size }).start.mul(v.shape[1]);
        code.line(`${varOf(v)} = ${baseArray}.subarray(${size(start)}, ${size(start.add(v.shape[0].mul(v.shape[1])))});`);
      }
    });
    // Windows on an input change with the input (rare: a cotangent that is an input).
    for (const v of views.filter((w) => p.viewOf.get(w.id)!.op === 'input')) {
      const start = (v.attrs as { start: Size }).start.mul(v.shape[1]);
      code.line(`${varOf(v)} = ${varOf(p.viewOf.get(v.id)!)}.subarray(${size(start)}, ${size(start.add(v.shape[0].mul(v.shape[1])))});`);
    }
    code.line(`return ${run}(${args.join(', ')});`);
  });
  // The math, in a function of its own whose arrays and sizes are parameters:
  // V8 keeps parameters in registers through the loops, where it reloads the
  // closure's variables at every use.
  code.block(`function ${run}(${args.join(', ')})`, () => {
    const aliases = sched.steps.filter((s) => p.storage.get(s.node.id) === 'buffer').map((s) => `${varOf(s.node)} = ${slotVars[sched.slot.get(s.node.id)!]}`);
    if (aliases.length) code.line(`const ${aliases.join(', ')};`);
    for (const s of sched.steps) {
      // Each block is traced to the .nn line (and the rule) it came from.
      const origin = model.origins.get(s.node.id);
      code.source = origin?.loc;
      emitStep(code, cx, s.node, s.product);
      code.source = undefined;
    }
    const value = (n: Node) => {
      const st = p.storage.get(n.id)!;
      const scalar = isScalarShape(n.shape);
      if (st === 'scalar') return varOf(n);
      if (scalar) return `${varOf(n)}[0]`;
      return varOf(n);
    };
    if (prog.kind !== 'predict') code.line(`${result}.loss = ${value(prog.graph.loss)};`);
    if (prog.kind !== 'grad') {
      for (const [name, n] of prog.graph.outputs) code.line(`${result}.outputs[${q(name)}] = ${value(n)};`);
    } else {
      for (const [name, n] of prog.graph.grads) code.line(`${result}.grad[${q(name)}] = ${value(n)};`);
      // New running statistics, committed by step().
      if (updates) for (const [name, n] of prog.graph.updates) code.line(`${result}.updates[${q(name)}] = ${value(n)};`);
    }
    code.line(`return ${result};`);
  });
  code.line();
}
