// How a generated module (JS, or the WebGPU host, which is JS too) checks the
// inputs a program reads and binds the run-time dims from them: the same
// checks, in the same order, with the same messages, in every target. A target
// says only how it names an input's value, its length, and a dim.
import { numel } from '../compiler/ir/size.js';
import type { Size } from '../compiler/ir/size.js';
import type { InputInfo, Model } from '../compiler/model.js';
import type { Code } from './code.js';
import { jsString, jsTemplateText } from './escape.js';

export interface BindSpelling {
  /** The input's value as given by the caller, or undefined (a presence check: own properties only). */
  given(name: string): string;
  /** The input's element count (an expression). */
  length(name: string): string;
  /** Element k of the input (an expression). */
  element(name: string, k: string): string;
  /** A run-time dim's variable. */
  dim(name: string): string;
  /** Whether the dim was fixed by create({ dims }) (an expression). */
  fixed(name: string): string;
  /** How the caller passes dims, for the message: `create({ dims: … })`. */
  create(dims: string): string;
  /** A size as an expression of the dim variables. */
  size(s: Size): string;
}

const q = jsString;
const t = jsTemplateText;

/** Every input is present. */
export function emitPresence(code: Code, inputs: readonly InputInfo[], sp: BindSpelling): void {
  for (const i of inputs) code.line(`if (${sp.given(i.name)} === undefined) throw new Error(${q(`missing input '${i.name}'`)});`);
}

/** Run-time dims not fixed at create(), from the first input that holds a multiple of them. */
export function emitDims(code: Code, model: Model, inputs: readonly InputInfo[], sp: BindSpelling): void {
  for (const dim of model.dims.filter((d) => d.value === undefined)) {
    const from = inputs.find((i) => numel(i.shape).linearIn()?.dim === dim.name);
    if (!from) continue;
    const { factor } = numel(from.shape).linearIn()!;
    const d = sp.dim(dim.name);
    code.block(`if (!${sp.fixed(dim.name)})`, () => {
      code.line(`${d} = ${sp.length(from.name)}${factor === 1 ? '' : ` / ${factor}`};`);
      code.line(`if (!(Number.isInteger(${d}) && ${d} > 0)) throw new Error(\`input '${t(from.name)}' has \${${sp.length(from.name)}} elements, not a positive multiple of ${factor}\`);`);
    });
  }
}

/** One input's checks: the dims its size needs are known, its length fits its shape, its labels are in range. */
export function emitInputChecks(code: Code, i: InputInfo, inputs: readonly InputInfo[], sp: BindSpelling): void {
  const n = sp.size(numel(i.shape));
  for (const d of numel(i.shape).dims) {
    if (!inputs.some((j) => numel(j.shape).linearIn()?.dim === d)) {
      code.line(`if (!${sp.dim(d)}) throw new Error(${q(`dim '${d}' cannot be read from the inputs: pass ${sp.create(`{ dims: { ${d}: … } }`)}`)});`);
    }
  }
  const dims = `[${i.type.dims.map((x) => x.key).join(', ')}]`;
  code.line(`if (${sp.length(i.name)} !== ${n}) throw new Error(\`input '${t(i.name)}' has \${${sp.length(i.name)}} elements; its shape ${dims} needs \${${n}}\`);`);
  if (i.int && i.bound) {
    const bound = sp.size(i.bound);
    code.block(`for (let k = 0; k < ${n}; k++)`, () => {
      code.line(`const c = ${sp.element(i.name, 'k')};`);
      code.line(`if (!(Number.isInteger(c) && c >= 0 && c < ${bound})) throw new RangeError(\`input '${t(i.name)}'[\${k}] is \${c}: must be an integer in [0, \${${bound}})\`);`);
    });
  }
}
