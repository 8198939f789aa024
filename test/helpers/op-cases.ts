// One small model per primitive, typed over every op: a new op without a case
// here does not compile. Shared by the op tests of every target (test/ops.test.ts,
// test/torch/).
import type { Op } from '../../compiler/ir/node.js';

/** The declarations every case starts with. */
export const H = 'dim n = 3, m = 4\ndim N\nparam x : [n] ~ normal(1)\nparam y : [n] ~ normal(1)\nparam A : [n, m] ~ normal(1)\nparam B : [m, n] ~ normal(1)\ninput X : [m, N]\ninput lab : [N] int\ninput ids : [5] int\n';

/** A model whose graph contains the op (each test checks that), with smooth values away from kinks. */
export const CASES: { [O in Op]: string } = {
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

