import { describe, expect, it } from 'vitest';
import type { Ident, Stmt } from '../../grammar/ast.js';
import { lc, sexpr, statements } from './util.js';

/** A statement with places as `line:col` and expressions as S-expressions. */
function brief(s: Stmt): unknown {
  const ident = (i: Ident) => `${i.name}@${lc(i.loc)}`;
  switch (s.kind) {
    case 'dim':
      return { dim: s.items.map((i) => [ident(i.name), i.value && sexpr(i.value)]), at: lc(s.loc) };
    case 'input':
    case 'param':
      return {
        [s.kind]: s.names.map(ident),
        shape: s.shape?.map(sexpr),
        isInt: s.isInt,
        init: s.init && sexpr(s.init),
        value: s.value && sexpr(s.value),
        at: lc(s.loc),
      };
    case 'const':
      return { const: s.items.map((i) => [ident(i.name), sexpr(i.value)]), at: lc(s.loc) };
    case 'wrt':
      return { wrt: s.names.map(ident), at: lc(s.loc) };
    case 'def':
      return { def: ident(s.name), params: s.params.map(ident), body: sexpr(s.body), at: lc(s.loc) };
    case 'loss':
      return { loss: s.name && ident(s.name), expr: sexpr(s.expr), at: lc(s.loc) };
    case 'output':
      return { output: ident(s.name), expr: s.expr && sexpr(s.expr), at: lc(s.loc) };
    case 'optimizer':
    case 'schedule':
      return { [s.kind]: sexpr(s.spec), at: lc(s.loc) };
    case 'equation':
      return { eq: ident(s.name), expr: sexpr(s.expr), at: lc(s.loc) };
  }
}

const one = (source: string) => {
  const list = statements(source);
  expect(list).toHaveLength(1);
  return brief(list[0]!);
};

describe('dim', () => {
  it('binds sizes, with or without values', () => {
    expect(one('dim d = 50, n = 8')).toEqual({ dim: [['d@1:5', '50'], ['n@1:13', '8']], at: '1:1' });
    expect(one('dim N')).toEqual({ dim: [['N@1:5', undefined]], at: '1:1' });
    expect(one('dim h = 2*d, N')).toEqual({ dim: [['h@1:5', '(* 2 d)'], ['N@1:14', undefined]], at: '1:1' });
  });
});

describe('input and param', () => {
  it.each([
    ['input x : [5*d]', { input: ['x@1:7'], shape: ['(* 5 d)'], isInt: false }],
    ['input X : [d, N]', { input: ['X@1:7'], shape: ['d', 'N'], isInt: false }],
    ['input y : [N] int', { input: ['y@1:7'], shape: ['N'], isInt: true }],
    ['input y : int', { input: ['y@1:7'], shape: [], isInt: true }],
    ['input y : [] int', { input: ['y@1:7'], shape: [], isInt: true }],
    ['input s : []', { input: ['s@1:7'], shape: [], isInt: false }],
    ['input s', { input: ['s@1:7'], shape: undefined, isInt: false }],
    ['input x : [2] = [0.2, 0.4]', { input: ['x@1:7'], shape: ['2'], value: '[0.2 0.4]' }],
    ['input a, b : [n]', { input: ['a@1:7', 'b@1:10'], shape: ['n'] }],
    ['param W : [n, d] ~ xavier', { param: ['W@1:7'], shape: ['n', 'd'], init: 'xavier' }],
    ['param u : [n] ~ normal(0.1)', { param: ['u@1:7'], init: '(call normal 0.1)' }],
    ['param x, y, z', { param: ['x@1:7', 'y@1:10', 'z@1:13'], shape: undefined, init: undefined, value: undefined }],
    ['param x = 1', { param: ['x@1:7'], shape: undefined, value: '1' }],
    ['param x = -0.3', { param: ['x@1:7'], value: '(neg 0.3)' }],
    ['param x = 1/3', { param: ['x@1:7'], value: '(/ 1 3)' }],
    ['param W : [2, 2] = [[0.1, 0.5], [-0.3, 0.8]]', { shape: ['2', '2'], value: '[[0.1 0.5] [(neg 0.3) 0.8]]' }],
    ['param c : [n] ~ const(0.5)', { init: '(call const 0.5)' }],
    ['param r : [n] ~ uniform(r = 0.1)', { init: '(call uniform :r 0.1)' }],
    ['param b : [n, d+1] ~ zeros', { shape: ['n', '(+ d 1)'], init: 'zeros' }],
    ['param e : [] = []', { shape: [], value: '[]' }],
    ['param int : [n]', { param: ['int@1:7'], shape: ['n'], isInt: false }],
    ['param u ~ normal (0.1)', { init: '(call normal 0.1)' }],
    ['param w : [n,\n d] ~ uniform(\n r = 0.1)', { shape: ['n', 'd'], init: '(call uniform :r 0.1)' }],
  ])('%s', (source, expected) => {
    expect(one(source)).toMatchObject({ at: '1:1', ...expected });
  });

  it('takes values and shapes over several lines inside brackets', () => {
    const source = 'param W : [2,\n  2] = [\n  [0.1, 0.5],   # row 0\n  [-0.3, 0.8]  # row 1\n]\nparam b : [2]';
    const list = statements(source).map(brief);
    expect(list).toEqual([
      { param: ['W@1:7'], shape: ['2', '2'], isInt: false, init: undefined, value: '[[0.1 0.5] [(neg 0.3) 0.8]]', at: '1:1' },
      { param: ['b@6:7'], shape: ['2'], isInt: false, init: undefined, value: undefined, at: '6:1' },
    ]);
  });

  it('places a value list at its bracket', () => {
    const [stmt] = statements('input x : [2] = [0.2, 0.4]');
    if (stmt?.kind !== 'input' || stmt.value?.kind !== 'list') throw new Error('no list');
    expect([lc(stmt.value.loc), lc(stmt.value.start)]).toEqual(['1:17', '1:17']);
  });
});

describe('the other declarations', () => {
  it.each([
    ['const λ = 1e-4', { const: [['λ@1:7', '0.0001']] }],
    ['const a = 1, b = 2', { const: [['a@1:7', '1'], ['b@1:14', '2']] }],
    ['wrt x, y', { wrt: ['x@1:5', 'y@1:8'] }],
    ['def f(z) = 1 / (1 + exp(-z))', { def: 'f@1:5', params: ['z@1:7'], body: '(/ 1 (+ 1 (call exp (neg z))))' }],
    ['def g(a, b) = a * b', { def: 'g@1:5', params: ['a@1:7', 'b@1:10'], body: '(* a b)' }],
    ['def k() = 1', { def: 'k@1:5', params: [], body: '1' }],
    ['loss J = mean(F)', { loss: 'J@1:6', expr: '(call mean F)' }],
    ['loss s', { loss: undefined, expr: 's' }],
    ['loss uᵀ h', { loss: undefined, expr: '(mm (T u) h)' }],
    ['output p = softmax(F)', { output: 'p@1:8', expr: '(call softmax F)' }],
    ['output p', { output: 'p@1:8', expr: undefined }],
    ['optimizer adam(lr = 1e-3)', { optimizer: '(call adam :lr 0.001)' }],
    ['optimizer sgd', { optimizer: 'sgd' }],
    ['optimizer momentum(0.1, rho = 0.8)', { optimizer: '(call momentum 0.1 :rho 0.8)' }],
    [
      'schedule warmup(steps = 100, then = cosine(period = 1000))',
      { schedule: '(call warmup :steps 100 :then (call cosine :period 1000))' },
    ],
    ['schedule exp(k = 0.1)', { schedule: '(call exp :k 0.1)' }],
    ['schedule step (every = 10)', { schedule: '(call step :every 10)' }],
    ['z = W x + b', { eq: 'z@1:1', expr: '(+ (mm W x) b)' }],
    ['int = 3', { eq: 'int@1:1', expr: '3' }],
    ['dims = x', { eq: 'dims@1:1', expr: 'x' }],
    ['loss_2 = constant', { eq: 'loss_2@1:1', expr: 'constant' }],
  ])('%s', (source, expected) => {
    expect(one(source)).toMatchObject({ at: '1:1', ...expected });
  });
});

describe('statements', () => {
  it('end at newlines and semicolons; blank lines and ;; are empty statements', () => {
    const list = statements('\n\na = 1; b = 2;;\n\n  c = 3   # done\n;\n').map(brief);
    expect(list).toEqual([
      { eq: 'a@3:1', expr: '1', at: '3:1' },
      { eq: 'b@3:8', expr: '2', at: '3:8' },
      { eq: 'c@5:3', expr: '3', at: '5:3' },
    ]);
  });

  it('accept CRLF line ends, tabs and a byte-order mark', () => {
    const list = statements('\ufeffa = 1\r\n\tb = a\r\n').map(brief);
    expect(list).toEqual([
      { eq: 'a@1:2', expr: '1', at: '1:2' },
      { eq: 'b@2:2', expr: 'a', at: '2:2' },
    ]);
  });

  it('parse the window model of the spec', () => {
    const source = [
      '# CS224N lecture 4: window classifier, one window of 5 words',
      'dim d = 50, n = 8',
      'input  x : [5*d]          # concatenated word vectors',
      'param  W : [n, 5*d] ~ xavier',
      'param  b : [n] ~ zeros',
      'param  u : [n] ~ normal(0.1)',
      'wrt x                     # also differentiate w.r.t. the word vectors',
      '',
      's = uᵀ h                  # equations may come in any order',
      'h = relu(z)',
      'z = W x + b',
      'loss s',
    ].join('\n');
    expect(statements(source).map(brief)).toMatchObject([
      { dim: [['d@2:5', '50'], ['n@2:13', '8']] },
      { input: ['x@3:8'], shape: ['(* 5 d)'] },
      { param: ['W@4:8'], shape: ['n', '(* 5 d)'], init: 'xavier' },
      { param: ['b@5:8'], init: 'zeros' },
      { param: ['u@6:8'], init: '(call normal 0.1)' },
      { wrt: ['x@7:5'] },
      { eq: 's@9:1', expr: '(mm (T u) h)' },
      { eq: 'h@10:1', expr: '(call relu z)' },
      { eq: 'z@11:1', expr: '(+ (mm W x) b)' },
      { loss: undefined, expr: 's', at: '12:1' },
    ]);
  });
});
