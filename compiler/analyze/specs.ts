// Initializers, optimizers and schedules as the user writes them
// (`~ normal(0.1)`, `optimizer adam(lr = 1e-3)`), checked against their tables.
import type { Expr } from '../../grammar/ast.js';
import type { Spec } from '../model.js';
import type { Scope } from './scope.js';

type ArgKind = 'number' | 'bool' | 'schedule';
/** Parameters in positional order, each with a default (undefined: required). */
type Table = Record<string, [string, ArgKind, number | boolean | string | undefined][]>;

export const INITIALIZERS: Table = {
  zeros: [], ones: [], const: [['c', 'number', undefined]], normal: [['std', 'number', undefined]],
  uniform: [['r', 'number', undefined]], small: [], xavier: [], xavier_normal: [], he: [],
};

const COMMON: Table[string] = [['weight_decay', 'number', 0], ['clip', 'number', 0]];
export const OPTIMIZERS: Table = {
  sgd: [['lr', 'number', 0.01], ...COMMON],
  momentum: [['lr', 'number', 0.01], ['rho', 'number', 0.9], ...COMMON],
  nesterov: [['lr', 'number', 0.01], ['rho', 'number', 0.9], ...COMMON],
  adagrad: [['lr', 'number', 0.01], ['eps', 'number', 1e-7], ...COMMON],
  rmsprop: [['lr', 'number', 0.01], ['alpha', 'number', 0.9], ['eps', 'number', 1e-7], ...COMMON],
  adam: [['lr', 'number', 1e-3], ['beta1', 'number', 0.9], ['beta2', 'number', 0.999], ['eps', 'number', 1e-8], ...COMMON],
};

export const SCHEDULES: Table = {
  constant: [],
  step: [['every', 'number', undefined], ['factor', 'number', 0.5]],
  exp: [['k', 'number', undefined]],
  inv_t: [['k', 'number', undefined]],
  warmup: [['steps', 'number', undefined], ['then', 'schedule', 'constant']],
  transformer: [['d_model', 'number', undefined], ['warmup', 'number', 4000]],
  cosine: [['period', 'number', undefined], ['min', 'number', 0], ['restart', 'bool', false]],
};

/** Reads `name` or `name(args…)` against a table; reports and returns undefined on a mistake. */
export function readSpec(scope: Scope, e: Expr, table: Table, what: string): Spec | undefined {
  const name = e.kind === 'name' ? e.name : e.kind === 'call' ? e.callee : undefined;
  if (name === undefined || !Object.hasOwn(table, name)) {
    const known = Object.keys(table).join(', ');
    scope.diags.error(e.start, name === undefined ? `expected ${what} (one of ${known})` : `unknown ${what} '${name}' (known: ${known})`);
    return undefined;
  }
  const params = table[name]!;
  const given = new Map<string, Expr>();
  let ok = true;
  if (e.kind === 'call') {
    if (e.args.length > params.length) {
      scope.diags.error(e.args[params.length]!.start, `${name} takes at most ${params.length} argument${params.length === 1 ? '' : 's'}`);
      return undefined;
    }
    e.args.forEach((a, i) => given.set(params[i]![0], a));
    for (const kw of e.kwargs) {
      if (!params.some(([p]) => p === kw.name)) {
        scope.diags.error(kw.nameLoc, `${name} has no argument '${kw.name}'${params.length ? ` (it takes ${params.map(([p]) => p).join(', ')})` : ''}`);
        ok = false;
      } else given.set(kw.name, kw.value);
    }
  }
  const args: Spec['args'] = {};
  for (const [p, kind, dflt] of params) {
    const a = given.get(p);
    if (!a) {
      if (dflt === undefined) {
        scope.diags.error(e.loc, `${name} needs the argument '${p}'`);
        ok = false;
      } else if (kind === 'schedule') args[p] = { name: String(dflt), args: {}, loc: e.loc };
      else args[p] = dflt as number | boolean;
      continue;
    }
    if (kind === 'schedule') {
      const s = readSpec(scope, a, SCHEDULES, 'schedule');
      if (s) args[p] = s;
      else ok = false;
    } else if (kind === 'bool' && a.kind === 'name' && (a.name === 'true' || a.name === 'false')) {
      args[p] = a.name === 'true';
    } else {
      const v = scope.constant(a, `'${p}'`);
      if (v === undefined) ok = false;
      else args[p] = kind === 'bool' ? v !== 0 : v;
    }
  }
  return ok ? { name, args, loc: e.start } : undefined;
}
