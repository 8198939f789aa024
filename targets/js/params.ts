// The CPU module's params and optimizer slots: their arrays in create(), filled
// by the initializers (targets/init.ts), and the variable of each slot.
import type { Size } from '../../compiler/ir/size.js';
import type { Model } from '../../compiler/model.js';
import type { Code } from '../code.js';
import { jsString } from '../escape.js';
import { initExpr } from '../init.js';
import type { Names } from '../names.js';
import { OPTIMIZER_SLOTS } from '../optimizer.js';

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

export function emitOptimizerState(code: Code, model: Model, leafVar: Map<string, string>, names: Names, size: (s: Size) => string): void {
  const slots = OPTIMIZER_SLOTS[model.optimizer.name] ?? [];
  if (!slots.length) return;
  code.comment(`Optimizer state (${model.optimizer.name}): ${slots.join(', ')} per param.`);
  for (const p of model.params) {
    for (const s of slots) code.line(`const ${slotVar(leafVar, names, p.name, s)} = new Float(${size(p.shape[0].mul(p.shape[1]))});`);
  }
}

const slotNames = new WeakMap<Names, Map<string, string>>();
export function slotVar(leafVar: Map<string, string>, names: Names, param: string, slot: string): string {
  let m = slotNames.get(names);
  if (!m) slotNames.set(names, (m = new Map()));
  const key = `${param}.${slot}`;
  if (!m.has(key)) m.set(key, names.fresh(`${leafVar.get(param)}_${slot}`));
  return m.get(key)!;
}
