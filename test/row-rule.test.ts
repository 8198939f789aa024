// Spec §4's row rule, for every built-in: an elementwise operator or function
// of a row is a row (`relu(xᵀ W)`, `softmax(xᵀ W)`); reductions, lookups and
// `concat` give columns (or a scalar). The orientation is read the way the
// language reads it: a row r makes `r u` a scalar, a column c makes `uᵀ c` one.
import { describe, expect, it } from 'vitest';
import { BUILTINS } from '../compiler/analyze/builtins.js';
import { compileSource } from '../compiler/compile.js';

type Orientation = 'row' | 'column' | 'scalar' | 'matrix' | 'error';

const DECLS = 'param x : [3]\nparam u : [3]\nparam X : [3, 3]\nparam a\nparam g : [3]\nparam c : [3]\ninput i : int\ninput y : [3] int\n';

/** What `e` is, by which use of it type-checks ('error': none does). */
function orientation(e: string): Orientation {
  const ok = (loss: string) => compileSource(`${DECLS}loss J = ${loss}`).model !== undefined;
  const found: Orientation[] = [];
  if (ok(`(${e}) u`)) found.push('row');
  if (ok(`uᵀ (${e})`)) found.push('column');
  if (ok(`${e}`)) found.push('scalar');
  if (ok(`uᵀ (${e}) u`) && !found.length) found.push('matrix');
  if (found.length > 1) throw new Error(`${e} is ${found.join(' and ')}`);
  return found[0] ?? 'error';
}

/** Every built-in, called on a row where it takes one, and what the spec says the result is. */
const CASES: Record<string, [string, Orientation][]> = {
  erf: [['erf(xᵀ)', 'row']], gelu: [['gelu(xᵀ X)', 'row']],
  exp: [['exp(xᵀ)', 'row']], log: [['log(xᵀ)', 'row']], sqrt: [['sqrt(xᵀ)', 'row']], abs: [['abs(xᵀ)', 'row']],
  sin: [['sin(xᵀ)', 'row']], cos: [['cos(xᵀ)', 'row']], tanh: [['tanh(xᵀ)', 'row']], sigmoid: [['sigmoid(xᵀ)', 'row']],
  σ: [['σ(xᵀ X)', 'row']], relu: [['relu(xᵀ X)', 'row']], softplus: [['softplus(xᵀ)', 'row']], sign: [['sign(xᵀ)', 'row']],
  hardtanh: [['hardtanh(xᵀ)', 'row']],
  leaky_relu: [['leaky_relu(xᵀ)', 'row'], ['leaky_relu(xᵀ, a = 0.2)', 'row']],
  elu: [['elu(xᵀ)', 'row']],
  prelu: [['prelu(xᵀ, a)', 'row'], ['prelu(xᵀ, g)', 'error']],
  max: [['max(xᵀ, uᵀ)', 'row'], ['max(xᵀ, 0)', 'row'], ['max(xᵀ)', 'scalar'], ['max(X, axis = 0)', 'column'], ['max(xᵀ X, axis = 0)', 'scalar']],
  min: [['min(xᵀ, uᵀ)', 'row'], ['min(xᵀ)', 'scalar'], ['min(X, axis = 1)', 'column']],
  where: [['where(xᵀ > 0, xᵀ, uᵀ)', 'row'], ['where(xᵀ > 0, xᵀ, u)', 'error']],
  sum: [['sum(xᵀ)', 'scalar'], ['sum(X, axis = 0)', 'column'], ['sum(X, axis = 1)', 'column'], ['sum(xᵀ, axis = 0)', 'scalar']],
  mean: [['mean(xᵀ)', 'scalar'], ['mean(X, axis = 0)', 'column']],
  logsumexp: [['logsumexp(xᵀ)', 'scalar'], ['logsumexp(X, axis = 0)', 'column']],
  norm: [['norm(xᵀ)', 'scalar']],
  softmax: [['softmax(xᵀ X)', 'row'], ['softmax(X)', 'matrix']],
  log_softmax: [['log_softmax(xᵀ)', 'row']],
  pick: [['pick(softmax(xᵀ), i)', 'scalar'], ['pick(softmax(X), y)', 'column']],
  cross_entropy: [['cross_entropy(softmax(xᵀ), i)', 'scalar'], ['cross_entropy(softmax(X), y)', 'column']],
  softmax_cross_entropy: [['softmax_cross_entropy(xᵀ, i)', 'scalar'], ['softmax_cross_entropy(X, y)', 'column']],
  sigmoid_bce: [['sigmoid_bce(xᵀ, 1)', 'row']],
  squared_error: [['squared_error(xᵀ, uᵀ)', 'scalar'], ['squared_error(X, X)', 'column']],
  dropout: [['dropout(xᵀ, 0.5)', 'row']],
  batchnorm: [['batchnorm(X, g, c)', 'matrix'], ['batchnorm(xᵀ, g, c)', 'error']],
  concat: [['concat(x)', 'column'], ['concat(xᵀ)', 'error'], ['concat(xᵀ, uᵀ)', 'error']],
};

describe('the row rule (spec §4) holds for every built-in', () => {
  it('covers every built-in', () => {
    expect(Object.keys(CASES).sort()).toEqual(Object.keys(BUILTINS).sort());
  });

  it.for(Object.entries(CASES).flatMap(([name, cases]) => cases.map(([e, want]) => [name, e, want] as const)))('%s: %s is a %s', ([, e, want]) => {
    expect(orientation(e)).toBe(want);
  });

  it('lookups give columns', () => {
    const decls = 'param E : [3, 5]\ninput k : int\ninput ids : [2] int\n';
    expect(compileSource(`${decls}param u : [3]\nloss J = uᵀ E[:, k]`).model).toBeDefined();
    expect(compileSource(`${decls}param v : [3]\nloss J = sum(vᵀ E[:, ids])`).model).toBeDefined();
  });
});
