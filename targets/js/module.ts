// The self-contained CPU module (cli-and-modules.md): plain loops over typed
// arrays, no imports, buffers planned once per set of run-time sizes.
import { topoSort, type Node } from '../../compiler/ir/node.js';
import type { Size } from '../../compiler/ir/size.js';
import type { Graph, InputInfo, Model } from '../../compiler/model.js';
import { printExpr } from '../../compiler/print.js';
import { hash3, normal, uniform } from '../../runtime/random.js';
import { maskStream } from '../../compiler/interpret.js';
import { Code } from '../code.js';
import { DEFAULT_MAX_MEMORY, paramElements } from '../memory.js';
import { jsString, jsTemplateText, urlOfFile } from '../escape.js';
import { fromRowsSource } from '../rows.js';
import { sourceMap } from '../sourcemap.js';
import { initExpr } from '../init.js';
import { Names } from '../names.js';
import type { Plan } from '../plan.js';
import { emitStep, KERNEL_LOCALS, type JsContext } from './kernels.js';
import { programSchedule, type JsSchedule, type ProgramKind } from './schedule.js';
import { emitUpdate, OPTIMIZER_SLOTS, scheduleExpr } from './optimizer.js';
import { JS_HELPERS, jsSpelling } from './spelling.js';

export interface JsModuleOptions {
  precision?: 'f32' | 'f64';
  /** The model's file name, for the header. */
  source?: string;
  version?: string;
  /** More methods of the model object, each a program like grad's (compiler/teach/hvp.ts adds `hvp`). */
  extra?: ExtraMethod[];
}

/** A method computing `graph.grads` (and the loss) from the inputs and `inputs`, spelled by `source`, which calls `${name}_train(inputs)`. */
export interface ExtraMethod {
  name: string;
  graph: Graph;
  inputs: InputInfo[];
  source: string;
}

/** Identifiers the module defines itself; user names are kept clear of them. */
const OWN = [
  'create', 'hash3', 'uniform', 'normal', 'sigmoid', 'softplus', 'sign', 'square', 'Float', 'seed', 'dims', 't', 'lr', 'lr0',
  'training', 'params', 'shapes', 'inputs', 'k', 'i', 'j', 'c', 'acc', 'aik', 'm', 's', 'g', 'v', 'norm2', 'scale',
  'maxMemory', 'planned', 'lr1', 'ic2', 'm1', 'v1', 'G1', 's1', 'r', 'loss', 'result', 'fail', 'checkLabels', 'copyIn', 'load', 'own', 'known', 'key', 'state', 'step', 'grad', 'forward', 'train', 'eval',
  'opts', 'predict', 'copy', 'fresh', 'dispose', 'fromRows', 'forward_train', 'forward_eval', 'grad_train', 'grad_eval', 'predict_eval',
];

export interface Program {
  fn: string;
  kind: ProgramKind;
  graph: Graph;
  plan: Plan;
  sched: JsSchedule;
  inputs: InputInfo[];
}

export function emitJsModule(model: Model, opts: JsModuleOptions = {}): string {
  return buildJsModule(model, opts).toString();
}

/** The module and its source map (generated lines → .nn lines), for writing beside it. */
export function emitJsModuleWithMap(model: Model, file: string, opts: JsModuleOptions & { modelText?: string } = {}): { text: string; map: string } {
  const code = buildJsModule(model, opts);
  code.line(`//# sourceMappingURL=${urlOfFile(`${file}.map`)}`);
  return { text: code.toString(), map: sourceMap(code, file, opts.source ?? 'model.nn', opts.modelText) };
}

function buildJsModule(model: Model, opts: JsModuleOptions): Code {
  const names = new Names();
  names.claim(...OWN, ...KERNEL_LOCALS);
  const extra = opts.extra ?? [];
  names.claim(...extra.flatMap((x) => [x.name, `${x.name}_train`]));
  const code = new Code();
  const runtimeDims = model.dims.filter((d) => d.value === undefined);
  const dimVar = new Map(runtimeDims.map((d) => [d.name, names.fresh(d.name)]));
  const size = (s: Size) => s.toCode((d) => dimVar.get(d) ?? d);
  const spell = jsSpelling(size);
  const leafVar = new Map<string, string>();
  for (const t of [...model.params, ...model.inputs, ...model.states, ...extra.flatMap((x) => x.inputs)]) leafVar.set(t.name, names.fresh(t.name));
  const q = jsString;
  const F = opts.precision === 'f64' ? 'Float64Array' : 'Float32Array';

  // Programs: forward and grad, for each mode that differs.
  const modes: ('train' | 'eval')[] = model.hasModes ? ['train', 'eval'] : ['train'];
  const programs: Program[] = [];
  for (const mode of modes) {
    const graph = model[mode];
    for (const kind of ['forward', 'grad'] as const) {
      const { graph: g, plan: p, schedule: sched } = programSchedule(model, graph, kind, mode === 'train');
      const used = new Set(p.order.filter((n) => n.op === 'input').map((n) => (n.attrs as { name: string }).name));
      programs.push({ fn: `${kind}_${mode}`, kind, graph: g, plan: p, sched, inputs: model.inputs.filter((i) => used.has(i.name)) });
    }
  }
  // predict: the outputs alone, in eval mode, so that only what they depend on is read (no labels).
  if (model.outputs.length) {
    const { graph: g, plan: p, schedule: sched } = programSchedule(model, model.hasModes ? model.eval : model.train, 'predict');
    const used = new Set(p.order.filter((n) => n.op === 'input').map((n) => (n.attrs as { name: string }).name));
    programs.push({ fn: 'predict_eval', kind: 'predict', graph: g, plan: p, sched, inputs: model.inputs.filter((i) => used.has(i.name)) });
  }
  for (const x of extra) {
    const { graph: g, plan: p, schedule: sched } = programSchedule(model, x.graph, 'grad', false);
    const used = new Set(p.order.filter((n) => n.op === 'input').map((n) => (n.attrs as { name: string }).name));
    programs.push({ fn: `${x.name}_train`, kind: 'grad', graph: g, plan: p, sched, inputs: [...model.inputs, ...x.inputs].filter((i) => used.has(i.name)) });
  }

  header(code, model, opts);
  code.line(`const Float = ${F};`).line();
  code.lines(JS_HELPERS).line();
  code.comment("A value by the user's name, never one every object inherits (a tensor may be called `constructor`).");
  code.line('const own = (o, k) => (o != null && Object.hasOwn(o, k) ? o[k] : undefined);').line();
  code.comment('Counter-based random numbers: the same draws in every gradc target.');
  for (const f of [hash3, uniform, normal]) code.lines(f.toString()).line();

  code.lines(fromRowsSource('Float')).line();
  code.block('export function create(opts = {})', () => {
    code.line('const seed = opts.seed ?? 0;');
    code.line('const dims = opts.dims ?? {};');
    const fixed = model.dims.filter((d) => d.value !== undefined);
    if (fixed.length) code.comment(`Sizes fixed at compile time: ${fixed.map((d) => `${d.name} = ${d.value}`).join(', ')}.`);
    for (const d of runtimeDims) {
      code.comment(`${d.name}: given to create(), or read from the inputs at each call.`);
      code.line(`let ${dimVar.get(d.name)} = own(dims, ${q(d.name)}) ?? 0;`);
      code.line(`const ${dimVar.get(d.name)}_fixed = own(dims, ${q(d.name)}) !== undefined;`);
    }
    code.line('const params = {};').line('const shapes = {};').line('let training = true;').line('let t = 0;');
    code.comment('Memory is checked before it is allocated: params, their gradients and optimizer slots here, buffers at each new set of sizes.');
    code.line(`const maxMemory = opts.maxMemory ?? ${DEFAULT_MAX_MEMORY};`);
    code.line('const planned = (what, elements) => { if (elements * Float.BYTES_PER_ELEMENT > maxMemory) throw new RangeError(`${what} would take ${elements * Float.BYTES_PER_ELEMENT} bytes, more than maxMemory (${maxMemory}); use smaller sizes or pass create({ maxMemory })`); };');
    // (A run-time dim not given is 0 here; emitParams then names it.)
    if (model.params.length) code.line(`planned('the params', ${size(paramElements(model))});`);
    emitParams(code, model, leafVar, size, dimVar);
    emitOptimizerState(code, model, leafVar, names, size);
    for (const s of model.states) {
      code.line(`const ${leafVar.get(s.name)} = new Float(${size(s.shape[0].mul(s.shape[1]))}).fill(${s.init});`);
    }
    for (const i of [...model.inputs, ...extra.flatMap((x) => x.inputs)]) {
      const scalar = i.shape[0].isOne() && i.shape[1].isOne();
      code.line(scalar ? `const ${leafVar.get(i.name)} = new ${i.int ? 'Int32Array' : 'Float'}(1);` : `let ${leafVar.get(i.name)};`);
    }
    code.line();
    for (const p of programs) emitProgram(code, model, p, { source: opts.source ?? 'the model', names, leafVar, dimVar, size, spell, q });
    for (const x of extra) code.lines(x.source);
    emitApi(code, model, leafVar, names, size, q, extra.map((x) => x.name), [...dimVar.values()]);
  });
  return code;
}

function header(code: Code, model: Model, opts: JsModuleOptions): void {
  code.comment(`Generated by gradc ${opts.version ?? ''} from ${opts.source ?? 'a .nn model'}. Do not edit: edit the model and recompile.`);
  code.comment('A self-contained ES module: plain loops over typed arrays, no dependencies.');
  code.comment('');
  code.comment('The model:');
  const namer = (n: Node) => model.names.get(n.id);
  for (const n of topoSort([model.train.loss, ...model.train.outputs.values()])) {
    if (model.names.has(n.id)) code.comment(`  ${model.names.get(n.id)} = ${printExpr(n, namer)}`);
  }
  code.comment(`  loss: ${model.loss.name}`);
}

export function emitParams(code: Code, model: Model, leafVar: Map<string, string>, size: (s: Size) => string, dimVar: Map<string, string>): void {
  const q = jsString;
  model.params.forEach((p, index) => {
    const v = leafVar.get(p.name)!;
    const needs = [...new Set(p.type.dims.flatMap((d) => d.dims))];
    for (const d of needs) {
      code.line(`if (!${dimVar.get(d) ?? d}_fixed) throw new Error(${q(`param '${p.name}' is sized by dim '${d}', which has no value: pass create({ dims: { ${d}: … } })`)});`);
    }
    const shape = `[${p.type.dims.map(size).join(', ')}]`;
    code.comment(`${p.name} : ${shape === '[]' ? 'scalar' : shape}${p.value !== undefined ? ' = (value in the model)' : ` ~ ${p.init.name}`}`);
    code.line(`const ${v} = new Float(${size(p.shape[0].mul(p.shape[1]))});`);
    code.line(`params[${q(p.name)}] = ${v};`).line(`shapes[${q(p.name)}] = ${shape};`);
    if (p.value !== undefined) code.line(`${v}.set(${JSON.stringify([p.value].flat(3))});`);
    else {
      const e = initExpr(p, index + 1, size);
      if (e !== '0') code.line(`for (let k = 0; k < ${v}.length; k++) ${v}[k] = ${e};`);
    }
  });
}

function emitOptimizerState(code: Code, model: Model, leafVar: Map<string, string>, names: Names, size: (s: Size) => string): void {
  const slots = OPTIMIZER_SLOTS[model.optimizer.name] ?? [];
  if (!slots.length) return;
  code.comment(`Optimizer state (${model.optimizer.name}): ${slots.join(', ')} per param.`);
  for (const p of model.params) {
    for (const s of slots) code.line(`const ${slotVar(leafVar, names, p.name, s)} = new Float(${size(p.shape[0].mul(p.shape[1]))});`);
  }
}

const slotNames = new WeakMap<Names, Map<string, string>>();
function slotVar(leafVar: Map<string, string>, names: Names, param: string, slot: string): string {
  let m = slotNames.get(names);
  if (!m) slotNames.set(names, (m = new Map()));
  const key = `${param}.${slot}`;
  if (!m.has(key)) m.set(key, names.fresh(`${leafVar.get(param)}_${slot}`));
  return m.get(key)!;
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

function emitProgram(code: Code, model: Model, prog: Program, env: Env): void {
  const { plan: p, fn } = prog;
  const { leafVar, size, q } = env;
  const names = env.names;
  // Matrix products fused into their consumers, and buffer slots for what is stored.
  const sched = prog.sched;
  const slotVars = sched.slotSizes.map((_, k) => names.fresh(`${fn}_buf${k}`));
  // Names of values inside the function: the model's names, d<name> for
  // gradients and adjoints of named values, t<id> for the rest.
  const local = names.child();
  const gradOf = new Map([...prog.graph.grads].map(([k, n]) => [n.id, k]));
  const adjointOf = new Map<number, string>();
  for (const [fwd, adj] of prog.graph.adjoints) {
    const name = model.names.get(fwd);
    if (name && !adjointOf.has(adj.id)) adjointOf.set(adj.id, name);
  }
  const nodeVar = new Map<number, string>();
  const varOf = (n: Node): string => {
    const st = p.storage.get(n.id)!;
    if (st === 'leaf') return leafVar.get((n.attrs as { name: string }).name)!;
    if (st === 'view' && n.op === 'reshape') return varOf(p.viewOf.get(n.id)!);
    let v = nodeVar.get(n.id);
    if (!v) {
      const own = model.names.get(n.id);
      const g = gradOf.get(n.id) ?? adjointOf.get(n.id);
      v = local.fresh(own ?? (g !== undefined ? `d${g}` : `t${n.id}`));
      nodeVar.set(n.id, v);
    }
    return v;
  };
  const cx: JsContext = {
    plan: p,
    spell: env.spell,
    name: varOf,
    offset: () => '0',
    describe: (n) => {
      const math = `${model.names.get(n.id) ?? varOf(n)} = ${printExpr(n, (m) => (m === n || p.storage.get(m.id) === 'inline' || p.storage.get(m.id) === 'view' ? undefined : model.names.get(m.id) ?? varOf(m)))}`;
      const o = model.origins.get(n.id);
      return o ? `${math}\n  ← ${env.source}:${o.loc.line}, ${o.rule}` : math;
    },
    maskStream: (id) => `(${id} + 1) * 1000003 + t`,
  };
  void maskStream; // the interpreter's formula, spelled above

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
      const scalar = n.shape[0].isOne() && n.shape[1].isOne();
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

/** Reads the inputs a program uses: checks presence, lengths and labels, binds run-time dims. */
export function emitBind(code: Code, model: Model, prog: Program, env: Env): void {
  const { leafVar, dimVar, size, q } = env;
  for (const i of prog.inputs) {
    const v = leafVar.get(i.name)!;
    const scalar = i.shape[0].isOne() && i.shape[1].isOne();
    code.line(`if (own(inputs, ${q(i.name)}) === undefined) throw new Error(${q(`missing input '${i.name}'`)});`);
    if (scalar) {
      code.line(`${v}[0] = typeof inputs[${q(i.name)}] === 'number' ? inputs[${q(i.name)}] : inputs[${q(i.name)}][0];`);
    } else code.line(`${v} = inputs[${q(i.name)}];`);
  }
  // Run-time dims from the first input that holds a multiple of them.
  for (const [dim, dv] of dimVar) {
    const from = prog.inputs.find((i) => i.shape[0].mul(i.shape[1]).linearIn()?.dim === dim);
    if (!from) continue;
    const { factor } = from.shape[0].mul(from.shape[1]).linearIn()!;
    code.block(`if (!${dv}_fixed)`, () => {
      code.line(`${dv} = ${leafVar.get(from.name)}.length${factor === 1 ? '' : ` / ${factor}`};`);
      code.line(`if (!(Number.isInteger(${dv}) && ${dv} > 0)) throw new Error(\`input '${jsTemplateText(from.name)}' has \${${leafVar.get(from.name)}.length} elements, not a positive multiple of ${factor}\`);`);
    });
  }
  for (const i of prog.inputs) {
    const v = leafVar.get(i.name)!;
    const n = size(i.shape[0].mul(i.shape[1]));
    const dims = `[${i.type.dims.map((d) => d.key).join(', ')}]`;
    for (const d of i.shape[0].mul(i.shape[1]).dims) {
      if (!prog.inputs.some((j) => j.shape[0].mul(j.shape[1]).linearIn()?.dim === d)) {
        code.line(`if (!${dimVar.get(d)}) throw new Error(${q(`dim '${d}' cannot be read from the inputs: pass create({ dims: { ${d}: … } })`)});`);
      }
    }
    code.line(`if (${v}.length !== ${n}) throw new Error(\`input '${jsTemplateText(i.name)}' has \${${v}.length} elements; its shape ${dims} needs \${${n}}\`);`);
    if (i.int && i.bound) {
      const bound = size(i.bound);
      code.block(`for (let k = 0; k < ${v}.length; k++)`, () => {
        code.line(`const c = ${v}[k];`);
        code.line(`if (!(Number.isInteger(c) && c >= 0 && c < ${bound})) throw new RangeError(\`input '${jsTemplateText(i.name)}'[\${k}] is \${c}: must be an integer in [0, \${${bound}})\`);`);
      });
    }
  }
}

function emitApi(code: Code, model: Model, leafVar: Map<string, string>, names: Names, size: (s: Size) => string, q: (s: string) => string, more: string[] = [], dims: string[] = []): void {
  const pick = (kind: ProgramKind) =>
    model.hasModes ? `(training ? ${kind}_train(inputs) : ${kind}_eval(inputs))` : `${kind}_train(inputs)`;
  // Results live in planned buffers that the next call overwrites; create({ copy: true }) returns fresh arrays instead.
  code.line('const copy = opts.copy === true;');
  code.block('function fresh(r)', () => {
    code.line('const out = {};');
    code.line("for (const [k, v] of Object.entries(r)) out[k] = typeof v === 'number' ? v : k === 'outputs' || k === 'grad' ? fresh(v) : v.slice();");
    code.line('return out;');
  });
  code.block('function forward(inputs)', () => code.line(`return copy ? fresh(${pick('forward')}) : ${pick('forward')};`));
  code.block('function grad(inputs)', () => code.line(`const r = ${pick('grad')};`).line("return copy ? fresh({ loss: r.loss, grad: r.grad }) : r;"));
  code.comment('predict: the outputs alone, always in eval mode (dropout off, batchnorm on running statistics); only the inputs they read are needed.');
  code.block('function predict(inputs)', () => {
    if (model.outputs.length) code.line('const r = predict_eval(inputs).outputs;').line('return copy ? fresh(r) : r;');
    else code.line(`throw new Error(${q('the model declares no outputs: add one like `output p = softmax(F)` to use predict()')});`);
  });

  // step: gradient, then the fused optimizer update, then state updates.
  const opt = model.optimizer;
  const slots = OPTIMIZER_SLOTS[opt.name] ?? [];
  const gradVar = new Map(model.params.map((p) => [p.name, names.fresh(`${leafVar.get(p.name)!}_grad`)]));
  const targets = model.params.map((p) => {
    const scalar = p.shape[0].isOne() && p.shape[1].isOne();
    const gv = gradVar.get(p.name)!;
    return {
      param: leafVar.get(p.name)!,
      grad: (k: string) => (scalar ? `(typeof ${gv} === 'number' ? ${gv} : ${gv}[${k}])` : `${gv}[${k}]`),
      size: size(p.shape[0].mul(p.shape[1])),
      slots: Object.fromEntries(slots.map((s) => [s, slotVar(leafVar, names, p.name, s)])),
    };
  });
  // The update in a function whose arrays are parameters (kept in registers
  // through the loops, like the programs' own).
  const update = names.fresh('update');
  const args = [...new Set([...targets.flatMap((x) => [x.param, ...Object.values(x.slots)]), ...gradVar.values(), ...dims, 'lr', 't'])];
  code.block(`function ${update}(${args.join(', ')})`, () => emitUpdate(code, opt, targets));
  code.block('function step(inputs)', () => {
    code.line(`const r = ${pick('grad')};`);
    code.line('const loss = r.loss;');
    code.line('t += 1;');
    code.line(`const lr0 = ${opt.args.lr as number};`);
    code.line(`const lr = ${scheduleExpr(model.schedule)};`);
    code.comment(`${opt.name}${Object.entries(opt.args).map(([k, v]) => ` ${k}=${v}`).join('')}, schedule ${model.schedule.name}`);
    if (gradVar.size) code.line(`const ${model.params.map((p) => `${gradVar.get(p.name)} = r.grad[${q(p.name)}]`).join(', ')};`);
    code.line(`${update}(${args.join(', ')});`);
    if (model.states.length) {
      code.block('if (training)', () => {
        for (const s of model.states) {
          const src = `r.updates[${q(s.name)}]`;
          code.line(`if (typeof ${src} === 'number') ${leafVar.get(s.name)}[0] = ${src}; else ${leafVar.get(s.name)}.set(${src});`);
        }
      });
    }
    code.line('return loss;');
  });

  // state() / load(): params, optimizer slots, running statistics, step count.
  const entries: [string, string][] = [
    ...model.params.map((p) => [p.name, leafVar.get(p.name)!] as [string, string]),
    ...model.params.flatMap((p) => slots.map((s) => [`${p.name}.${s}`, slotVar(leafVar, names, p.name, s)] as [string, string])),
    ...model.states.map((s) => [`@${s.name}`, leafVar.get(s.name)!] as [string, string]),
  ];
  code.block('function state()', () => {
    code.line(`return { ${entries.map(([k, v]) => `${q(k)}: ${v}.slice()`).join(', ')}${entries.length ? ', ' : ''}"@step": Float.of(t) };`);
  });
  code.block('function load(saved)', () => {
    // A key the state does not have is a mistake (a misspelled or renamed param), never ignored.
    code.line(`const known = [${[...entries.map(([k]) => k), '@step'].map(q).join(', ')}];`);
    code.block('for (const key of Object.keys(saved))', () => {
      code.line("if (!known.includes(key)) throw new Error(`load(): the state has no entry '${key}'; its entries are ${known.join(', ')}`);");
    });
    for (const [k, v] of entries) {
      code.line(`if (own(saved, ${q(k)}) !== undefined) {`);
      code.line(`  if (saved[${q(k)}].length !== ${v}.length) throw new Error(\`state '${jsTemplateText(k)}' has \${saved[${q(k)}].length} values; expected \${${v}.length}\`);`);
      code.line(`  ${v}.set(saved[${q(k)}]);`);
      code.line('}');
    }
    code.line('if (own(saved, "@step") !== undefined) t = saved["@step"][0];');
  });
  code.line(`return { params, shapes, forward, grad, predict, step, state, load, ${more.map((m) => `${m}, `).join('')}train() { training = true; }, eval() { training = false; } };`);
}
