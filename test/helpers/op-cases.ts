// One small model per primitive, typed over every op: a new op without a case
// here does not compile. Shared by the op tests of every target (test/ops.test.ts,
// test/torch/).
import type { Op } from '../../compiler/ir/node.js';

export const H = `dim n = 3, m = 4
dim N
param x : [n] ~ normal(1)
param y : [n] ~ normal(1)
param A : [n, m] ~ normal(1)
param B : [m, n] ~ normal(1)
input X : [m, N]
input lab : [N] int
input ids : [5] int
input a : [12]
input c : [12]
`;
/** The grid: equal pairs (ties of comparisons, max and min), ±0, both signs, a few magnitudes. */
export const GRID = { a: [-2.5, -1, -0.5, -0, 0, 0.25, 0.5, 1, 1.5, 2, 3, -3], c: [-2.5, 1, -0.5, 0, 0.5, 0.25, -0.5, 2, 1.5, -2, 3, 1] };

/** A model whose graph contains the op (checked below), its gradient taken at smooth random values away from kinks. */
export const CASES: { [O in Op]: string } = {
  param: 'loss f = sum(x)',
  input: 'loss f = sum(A X)',
  state: 'param g : [m] ~ ones\nparam bt : [m]\nloss f = sum(batchnorm(X, g, bt)^3)',
  const: 'loss f = sum(2 * x)',
  size: 'loss f = sum(A X) / N',
  mask: 'loss f = sum(dropout(A X, 0.3)^2)',
  neg: 'output o = -a\nloss f = sum(-x * y)',
  exp: 'output o = exp(a)\nloss f = sum(exp(x))',
  log: 'output o = log(a * a + 0.5)\nloss f = sum(log(1 + x^2))',
  sqrt: 'output o = sqrt(a * a + 0.5)\nloss f = sum(sqrt(1 + x^2))',
  abs: 'output o = abs(a)\nloss f = sum(abs(x) * y)',
  sign: 'output o = sign(a)\nloss f = sum(sign(x) * y)',
  sin: 'output o = sin(a)\nloss f = sum(sin(x))',
  cos: 'output o = cos(a)\nloss f = sum(cos(x))',
  tanh: 'output o = tanh(a)\nloss f = sum(tanh(x))',
  sigmoid: 'output o = σ(a)\nloss f = sum(σ(x))',
  relu: 'output o = relu(a)\nloss f = sum(relu(x) * y)',
  softplus: 'output o = softplus(a)\nloss f = sum(softplus(x))',
  erf: 'output o = erf(a)\nloss f = sum(erf(x) * y)',
  gelu: 'output o = gelu(a)\nloss f = sum(gelu(x) * y)',
  add: 'output o = a + c\nloss f = sum((x + y)^2)',
  sub: 'output o = a - c\nloss f = sum((x - y)^2)',
  mul: 'output o = a * c\nloss f = sum(x * y)',
  div: 'output o = a / (c * c + 1)\nloss f = sum(x / (2 + y^2))',
  pow: 'output o = (a * a + 0.5)^c + a^3\nloss f = sum((1 + x^2)^(1 + y^2))',
  max: 'output o = max(a, c)\nloss f = sum(max(x, y))',
  min: 'output o = min(a, c)\nloss f = sum(min(x, y))',
  lt: 'output o = a < c\nloss f = sum((x < y) * x)',
  le: 'output o = a <= c\nloss f = sum((x <= y) * x)',
  gt: 'output o = a > c\nloss f = sum((x > y) * x)',
  ge: 'output o = a >= c\nloss f = sum((x >= y) * x)',
  eq: 'output o = a == c\nloss f = sum((x == y) + x)',
  ne: 'output o = a != c\nloss f = sum((x != y) * x)',
  where: 'output o = where(a > c, a, 2 * c)\nloss f = sum(where(x > y, x * y, exp(x)))',
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

