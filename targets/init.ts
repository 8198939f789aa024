// Initializers (spec §2) as code: the same formulas and random streams on every
// target, so the same seed gives the same params everywhere.
import type { ParamInfo } from '../compiler/model.js';
import type { Shape } from '../compiler/ir/size.js';
import { lit } from './optimizer.js';

/** Fan-in and fan-out: W [out, in] has fan-in `in`; a vector's are both its length. */
export function fans(p: ParamInfo, size: (s: Shape[number]) => string): [string, string] {
  const d = p.type.dims;
  if (d.length === 2) return [size(d[1]!), size(d[0]!)];
  if (d.length === 1) return [size(d[0]!), size(d[0]!)];
  return ['1', '1'];
}

/** How a target names the square root and the two random helpers (the formulas of runtime/random.ts). */
export interface InitSpelling {
  sqrt: string;
  uniform: string;
  normal: string;
}

export const JS_INIT: InitSpelling = { sqrt: 'Math.sqrt', uniform: 'uniform', normal: 'normal' };

/**
 * An expression for element k of param `p` (param number `stream`, from 1),
 * in terms of `seed`, `k`, and the helpers uniform() and normal(). The
 * arithmetic is the same in JS and Python; `sp` names the functions.
 */
export function initExpr(p: ParamInfo, stream: number, size: (s: Shape[number]) => string, sp: InitSpelling = JS_INIT): string {
  const a = p.init.args;
  const [fin, fout] = fans(p, size);
  const u = `(2 * ${sp.uniform}(seed, ${stream}, k) - 1)`; // U(−1, 1)
  const n = `${sp.normal}(seed, ${stream}, k)`;
  switch (p.init.name) {
    case 'zeros':
      return '0';
    case 'ones':
      return '1';
    case 'const':
      return lit(a.c);
    case 'normal':
      return `${lit(a.std)} * ${n}`;
    case 'uniform':
      return `${lit(a.r)} * ${u}`;
    case 'small':
      return `0.01 * ${n}`;
    case 'xavier':
      // U(−r, r) has variance r²/3 = 2/(fan_in + fan_out).
      return `${sp.sqrt}(6 / (${fin} + ${fout})) * ${u}`;
    case 'xavier_normal':
      return `${sp.sqrt}(2 / (${fin} + ${fout})) * ${n}`;
    case 'he':
      return `${sp.sqrt}(2 / ${fin}) * ${n}`;
  }
  throw new Error(`internal: initializer ${p.init.name}`);
}
