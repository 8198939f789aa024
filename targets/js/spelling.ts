// How the JS target spells elementwise ops and reads arrays.
import { erf, erfc, gelu, sigmoid, sign, softplus } from '../../compiler/ops/scalar.js';
import type { Spelling } from '../expr.js';

const fn = (f: string) => ([a]: string[]) => `${f}(${a})`;
const bin = (op: string) => ([a, b]: string[]) => `(${a} ${op} ${b})`;
const cmp = (op: string) => ([a, b]: string[]) => `(${a} ${op} ${b} ? 1 : 0)`;

export function jsSpelling(size: Spelling['size']): Spelling {
  return {
    op: {
      neg: ([a]) => `-${a}`,
      exp: fn('Math.exp'), log: fn('Math.log'), sqrt: fn('Math.sqrt'), abs: fn('Math.abs'),
      sign: fn('sign'), sin: fn('Math.sin'), cos: fn('Math.cos'), tanh: fn('Math.tanh'),
      sigmoid: fn('sigmoid'), softplus: fn('softplus'), erf: fn('erf'), gelu: fn('gelu'),
      relu: ([a]) => `Math.max(${a}, 0)`,
      add: bin('+'), sub: bin('-'), mul: bin('*'), div: bin('/'),
      pow: ([a, b]) => (b === '2' ? `square(${a})` : `Math.pow(${a}, ${b})`),
      max: ([a, b]) => `Math.max(${a}, ${b})`,
      min: ([a, b]) => `Math.min(${a}, ${b})`,
      lt: cmp('<'), le: cmp('<='), gt: cmp('>'), ge: cmp('>='), eq: cmp('==='), ne: cmp('!=='),
      where: ([c, a, b]) => `(${c} !== 0 ? ${a} : ${b})`,
    },
    num: (v) => (Number.isFinite(v) ? (Object.is(v, -0) ? '0' : String(v)) : v > 0 ? 'Infinity' : v < 0 ? '-Infinity' : 'NaN'),
    size,
    load: (name, index) => `${name}[${index}]`,
    loadInt: (name, index) => `${name}[${index}]`,
    select: (c, a, b) => `(${c} !== 0 ? ${a} : ${b})`,
    isEqual: (a, b) => `(${a} === ${b} ? 1 : 0)`,
  };
}

/**
 * Helpers the generated module defines: the reference's own scalar functions
 * (compiler/ops/scalar.ts), emitted from their source, so that the module and
 * the interpreter compute the same formulas; and square, for x^2.
 */
export const JS_HELPERS = [sigmoid, softplus, sign, erf, erfc, gelu].map((f) => f.toString()).join('\n') + `
function square(x) {
  return x * x;
}`;

