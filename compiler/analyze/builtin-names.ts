// The names of the built-in functions (spec §6): they cannot be bound by the user.
export const BUILTIN_NAMES: ReadonlySet<string> = new Set([
  'exp', 'log', 'sqrt', 'abs', 'sin', 'cos', 'tanh', 'sigmoid', 'σ', 'relu', 'softplus', 'sign',
  'hardtanh', 'leaky_relu', 'elu', 'prelu', 'max', 'min', 'where',
  'sum', 'mean', 'logsumexp', 'norm', 'softmax', 'log_softmax', 'pick',
  'cross_entropy', 'softmax_cross_entropy', 'sigmoid_bce', 'squared_error',
  'dropout', 'batchnorm', 'concat',
]);
