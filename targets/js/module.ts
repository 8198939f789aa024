// The self-contained CPU module (cli-and-modules.md): plain loops over typed
// arrays, no imports, buffers planned once per set of run-time sizes. This file
// assembles it: helpers, create() with params (params.ts), the programs
// (program.ts, inputs checked by bind.ts) and the Model API (api.ts).
import { isScalarShape, type Size } from '../../compiler/ir/size.js';
import type { Graph, InputInfo, Model } from '../../compiler/model.js';
import { modulePrograms } from '../../compiler/program.js';
import { hash3, normal, uniform } from '../../compiler/random.js';
import { Code } from '../code.js';
import { headerLines } from '../describe.js';
import { DEFAULT_MAX_MEMORY, paramElements } from '../memory.js';
import { jsString, urlOfFile } from '../escape.js';
import { sourceMap } from '../sourcemap.js';
import { definedFunctions, Names } from '../names.js';
import { inputsRead, plan } from '../plan.js';
import { emitApi } from './api.js';
import { KERNEL_LOCALS } from './kernels.js';
import { emitOptimizerState, emitParams } from './params.js';
import { emitProgram, type Program } from './program.js';
import { programSchedule, schedule } from './schedule.js';
import { fromRowsSource } from '../rows.js';
import { JS_HELPERS, jsSpelling } from './spelling.js';

/** The counter-based random numbers, emitted from their source. */
const RANDOM = [hash3, uniform, normal];

export interface JsModuleOptions {
  precision?: 'f32' | 'f64';
  /** The model's file name, for the header. */
  source?: string;
  version?: string;
  /** More methods of the model object, each a program like grad's (targets/js/hvp.ts adds `hvp`). */
  extra?: ExtraMethod[];
}

/** A method computing `graph.grads` (and the loss) from the inputs and `inputs`, spelled by `source`, which calls `${name}_train(inputs)`. */
export interface ExtraMethod {
  name: string;
  graph: Graph;
  inputs: InputInfo[];
  source: string;
}

/** Identifiers the module defines itself, besides its helper functions; user names are kept clear of them. */
const OWN = [
  'create', 'Float', 'seed', 'dims', 't', 'lr', 'lr0',
  'training', 'params', 'shapes', 'inputs', 'k', 'i', 'j', 'c', 'acc', 'aik', 'm', 's', 'g', 'v', 'norm2', 'scale',
  'maxMemory', 'planned', 'lr1', 'ic2', 'm1', 'v1', 'G1', 's1', 'r', 'loss', 'result', 'fail', 'checkLabels', 'copyIn', 'load', 'own', 'known', 'key', 'state', 'step', 'grad', 'forward', 'train', 'eval',
  'opts', 'predict', 'copy', 'fresh', 'dispose', 'fromRows', 'forward_train', 'forward_eval', 'grad_train', 'grad_eval', 'predict_eval',
];

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
  names.claim(...OWN, ...definedFunctions(JS_HELPERS), ...RANDOM.map((f) => f.name), ...KERNEL_LOCALS);
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

  // Programs: forward and grad for each mode that differs, and predict (compiler/program.ts decides).
  const programs: Program[] = [];
  for (const { fn, kind, graph: g, roots } of modulePrograms(model)) {
    const p = plan(roots);
    programs.push({ fn, kind, graph: g, plan: p, sched: schedule(p), inputs: inputsRead(model.inputs, p) });
  }
  for (const x of extra) {
    const { graph: g, plan: p, schedule: sched } = programSchedule(model, x.graph, 'grad', false);
    programs.push({ fn: `${x.name}_train`, kind: 'grad', graph: g, plan: p, sched, inputs: inputsRead([...model.inputs, ...x.inputs], p) });
  }

  header(code, model, opts);
  code.line(`const Float = ${F};`).line();
  code.comment('Scalar functions, as compiler/ops/scalar.ts defines them for the reference interpreter.');
  code.lines(JS_HELPERS).line();
  code.comment("A value by the user's name, never one every object inherits (a tensor may be called `constructor`).");
  code.line('const own = (o, k) => (o != null && Object.hasOwn(o, k) ? o[k] : undefined);').line();
  code.comment('Counter-based random numbers: the same draws in every gradc target.');
  for (const f of RANDOM) code.lines(f.toString()).line();

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
      const scalar = isScalarShape(i.shape);
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
  code.comment(headerLines(model, opts, ['A self-contained ES module: plain loops over typed arrays, no dependencies.']).join('\n'));
}
