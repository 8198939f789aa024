// The CPU module's input checks: each program reads its inputs through
// targets/bind.ts, which writes the checks and messages every target shares.
import { isScalarShape } from '../../compiler/ir/size.js';
import type { Model } from '../../compiler/model.js';
import { emitDims, emitInputChecks, emitPresence, type BindSpelling } from '../bind.js';
import type { Code } from '../code.js';
import type { Env, Program } from './program.js';

/** Reads the inputs a program uses: checks presence, lengths and labels, binds run-time dims (targets/bind.ts). */
export function emitBind(code: Code, model: Model, prog: Program, env: Env): void {
  const { leafVar, dimVar, size, q } = env;
  const sp: BindSpelling = {
    given: (name) => `own(inputs, ${q(name)})`,
    length: (name) => `${leafVar.get(name)!}.length`,
    element: (name, k) => `${leafVar.get(name)!}[${k}]`,
    dim: (d) => dimVar.get(d)!,
    fixed: (d) => `${dimVar.get(d)!}_fixed`,
    create: (dims) => `create(${dims})`,
    size,
  };
  emitPresence(code, prog.inputs, sp);
  for (const i of prog.inputs) {
    const v = leafVar.get(i.name)!;
    if (isScalarShape(i.shape)) {
      code.line(`${v}[0] = typeof inputs[${q(i.name)}] === 'number' ? inputs[${q(i.name)}] : inputs[${q(i.name)}][0];`);
    } else code.line(`${v} = inputs[${q(i.name)}];`);
  }
  emitDims(code, model, prog.inputs, sp);
  for (const i of prog.inputs) emitInputChecks(code, i, prog.inputs, sp);
}
