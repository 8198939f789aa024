// One small model per primitive, typed over every op: a new op without a case
// here does not compile. Each model's gradients are checked by central finite
// differences on the generated module, and the module against the reference
// interpreter.
import { describe, expect, it } from 'vitest';
import type { Op } from '../compiler/ir/node.js';
import { topoSort } from '../compiler/ir/node.js';
import { close, compileOk, fdCheck, jsVsReference } from './helpers/run.js';

const H = 'dim n = 3, m = 4\ndim N\nparam x : [n] ~ normal(1)\nparam y : [n] ~ normal(1)\nparam A : [n, m] ~ normal(1)\nparam B : [m, n] ~ normal(1)\ninput X : [m, N]\ninput lab : [N] int\ninput ids : [5] int\n';

/** A model whose graph contains the op (checked below), with smooth values away from kinks. */
const CASES: { [O in Op]: string } = {
  param: 'loss f = sum(x)',
  input: 'loss f = sum(A X)',
  state: 'param g : [m] ~ ones\nparam bt : [m]\nloss f = sum(batchnorm(X, g, bt)^3)',
  const: 'loss f = sum(2 * x)',
  size: 'loss f = sum(A X) / N',
  mask: 'loss f = sum(dropout(A X, 0.3)^2)',
  neg: 'loss f = sum(-x * y)',
  exp: 'loss f = sum(exp(x))',
  log: 'loss f = sum(log(1 + x^2))',
  sqrt: 'loss f = sum(sqrt(1 + x^2))',
  abs: 'loss f = sum(abs(x) * y)',
  sign: 'loss f = sum(sign(x) * y)',
  sin: 'loss f = sum(sin(x))',
  cos: 'loss f = sum(cos(x))',
  tanh: 'loss f = sum(tanh(x))',
  sigmoid: 'loss f = sum(σ(x))',
  relu: 'loss f = sum(relu(x) * y)',
  softplus: 'loss f = sum(softplus(x))',
  add: 'loss f = sum((x + y)^2)',
  sub: 'loss f = sum((x - y)^2)',
  mul: 'loss f = sum(x * y)',
  div: 'loss f = sum(x / (2 + y^2))',
  pow: 'loss f = sum((1 + x^2)^(1 + y^2))',
  max: 'loss f = sum(max(x, y))',
  min: 'loss f = sum(min(x, y))',
  lt: 'loss f = sum((x < y) * x)',
  le: 'loss f = sum((x <= y) * x)',
  gt: 'loss f = sum((x > y) * x)',
  ge: 'loss f = sum((x >= y) * x)',
  eq: 'loss f = sum((x == y) + x)',
  ne: 'loss f = sum((x != y) * x)',
  where: 'loss f = sum(where(x > y, x * y, exp(x)))',
  transpose: 'loss f = sum((Aᵀ ⊙ B)^2)',
  reshape: 'loss f = xᵀ y',
  broadcast: 'loss f = sum(sum(A, axis = 1)^2)',
  matmul: 'loss f = sum((A B)^2) + sum(B x)',
  sum: 'loss f = sum(sum(A, axis = 0)^2) + sum(sum(A, axis = 1)^3)',
  rmax: 'loss f = max(x) + sum(max(A, axis = 1))',
  logsumexp: 'loss f = logsumexp(x) + sum(logsumexp(A, axis = 0))',
  onehot: 'param W : [n, m] ~ normal(1)\nloss f = mean(softmax_cross_entropy(W X, lab))',
  pick: 'param W : [n, m] ~ normal(1)\nloss f = sum(pick(W X, lab))',
  gathercols: 'param E : [n, 7] ~ normal(1)\nloss f = sum(E[:, ids]^2)',
  scattercols: 'param E : [n, 7] ~ normal(1)\nloss f = sum(E[:, ids]^2)',
  concat: 'loss f = sum(concat(x, B x, y)^2)',
  slice: 'loss f = sum(concat(x, B x, y)^2)',
};

describe('every primitive', () => {
  for (const [op, body] of Object.entries(CASES) as [Op, string][]) {
    it(`${op}: in the graph, gradients agree with finite differences and the module with the interpreter`, async () => {
      const model = compileOk(H + body);
      const g = model.train;
      const ops = new Set(topoSort([g.loss, ...g.grads.values(), ...g.updates.values()]).map((n) => n.op));
      expect(ops.has(op), `the graph of ${JSON.stringify(body)} has no ${op}`).toBe(true);
      for (const t of await fdCheck(model)) expect(t.maxRelError, `${op}: ∂/∂${t.name}`).toBeLessThan(1e-5);
      const { js, ref } = await jsVsReference(model);
      expect(close([js.loss], [ref.loss])).toBe(true);
      for (const k of Object.keys(ref.grad)) expect(close(js.grad[k]!, ref.grad[k]!), `${op}: grad ${k}`).toBe(true);
    });
  }
});
