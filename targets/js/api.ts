// The CPU module's Model API (cli-and-modules.md): forward, grad, step with the
// fused optimizer update, state and load, over the programs.
import { isScalarShape, type Size } from '../../compiler/ir/size.js';
import type { Model } from '../../compiler/model.js';
import type { ProgramKind } from '../../compiler/program.js';
import type { Code } from '../code.js';
import { jsTemplateText } from '../escape.js';
import type { Names } from '../names.js';
import { emitUpdate, OPTIMIZER_SLOTS, scheduleExpr } from '../optimizer.js';
import { slotVar } from './params.js';

/**
 * state() and load() over `entries` ([state key, the array holding it]): the
 * same in every CPU module (MODEL.js, MODEL.wasm.js). load() refuses a key
 * the state does not have (a misspelled or renamed param), never ignores it.
 */
export function emitStateLoad(code: Code, entries: [string, string][], q: (s: string) => string): void {
  code.block('function state()', () => {
    code.line(`return { ${entries.map(([k, v]) => `${q(k)}: ${v}.slice()`).join(', ')}${entries.length ? ', ' : ''}"@step": Float.of(t) };`);
  });
  code.block('function load(saved)', () => {
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
}

/** The call of the program of `kind` for the current mode. */
export const pickProgram = (model: Model, kind: ProgramKind): string =>
  model.hasModes ? `(training ? ${kind}_train(inputs) : ${kind}_eval(inputs))` : `${kind}_train(inputs)`;

/**
 * forward, grad and predict over the mode's programs, and create({ copy })'s
 * fresh copies: the same in every CPU module (MODEL.js, MODEL.wasm.js), whose
 * results live in memory that the next call overwrites.
 */
export function emitCalls(code: Code, model: Model, q: (s: string) => string): void {
  const pick = (kind: ProgramKind) => pickProgram(model, kind);
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
}

export function emitApi(code: Code, model: Model, leafVar: Map<string, string>, names: Names, size: (s: Size) => string, q: (s: string) => string, more: string[] = [], dims: string[] = []): void {
  emitCalls(code, model, q);

  // step: gradient, then the fused optimizer update, then state updates.
  const opt = model.optimizer;
  const slots = OPTIMIZER_SLOTS[opt.name] ?? [];
  const gradVar = new Map(model.params.map((p) => [p.name, names.fresh(`${leafVar.get(p.name)!}_grad`)]));
  const targets = model.params.map((p) => {
    const scalar = isScalarShape(p.shape);
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
    code.line(`const r = ${pickProgram(model, 'grad')};`);
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
  emitStateLoad(code, entries, q);
  code.line(`return { params, shapes, forward, grad, predict, step, state, load, ${more.map((m) => `${m}, `).join('')}train() { training = true; }, eval() { training = false; } };`);
}
