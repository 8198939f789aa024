import { describe, expect, it } from 'vitest';
import { errors, expr, lc, tree } from './util.js';

describe('precedence and associativity (spec §4)', () => {
  it.each([
    // the examples of the spec
    ['W x + b', '(+ (mm W x) b)'],
    ['-W x', '(neg (mm W x))'],
    ['uᵀ h * 2', '(* (mm (T u) h) 2)'],
    ['2 W x', '(mm (mm 2 W) x)'],
    ['uᵀ W v', '(mm (mm (T u) W) v)'],
    ['||W x||^2', '(^ (norm (mm W x)) 2)'],
    ['x^2', '(^ x 2)'],
    ['s^2^3', '(^ s (^ 2 3))'],
    ['2^-t', '(^ 2 (neg t))'],
    ['-x^2', '(neg (^ x 2))'],
    ['W (x + b)', '(mm W (+ x b))'],
    ['f(x)', '(call f x)'],
    ['max(0, z)', '(call max 0 z)'],
    ['sum(x, axis = 1)', '(call sum x :axis 1)'],
    // level by level, loosest first
    ['a < b + c', '(< a (+ b c))'],
    ['a < b <= c', '(<= (< a b) c)'],
    ['a > b >= c == d != e', '(!= (== (>= (> a b) c) d) e)'],
    ['a + b - c', '(- (+ a b) c)'],
    ['a - b + c', '(+ (- a b) c)'],
    ['a + b * c', '(+ a (* b c))'],
    ['a * b / c * d', '(* (/ (* a b) c) d)'],
    ['a / b c', '(/ a (mm b c))'],
    ['a * -b', '(* a (neg b))'],
    ['a - -b', '(- a (neg b))'],
    ['- - x', '(neg (neg x))'],
    ['--x', '(neg (neg x))'],
    ['-a * b', '(* (neg a) b)'],
    ['-a b * c', '(* (neg (mm a b)) c)'],
    ['a b^2', '(mm a (^ b 2))'],
    ['a^2 b', '(mm (^ a 2) b)'],
    ['a^b c^d', '(mm (^ a b) (^ c d))'],
    ['2^-2^3', '(^ 2 (neg (^ 2 3)))'],
    ['x^-(-y)', '(^ x (neg (neg y)))'],
    ['xᵀ^2', '(^ (T x) 2)'],
    ['x^2ᵀ', '(^ x (T 2))'],
    ['-xᵀ y', '(neg (mm (T x) y))'],
    ['a @ b c', '(mm (@ a b) c)'],
    ['a b @ c', '(@ (mm a b) c)'],
    ['(a + b) c', '(mm (+ a b) c)'],
    ['(a)(b)', '(mm a b)'],
    ['f(x)(y)', '(mm (call f x) y)'],
    ['f(x) y', '(mm (call f x) y)'],
    ['f (x)', '(mm f x)'],
    ['2x', '(mm 2 x)'],
    ['(x + b)', '(+ x b)'],
    ['((x))', 'x'],
  ])('%s  →  %s', (source, expected) => {
    expect(tree(source)).toBe(expected);
  });
});

describe('spellings', () => {
  it.each([
    ['xᵀ', '(T x)'],
    ["x'", '(T x)'],
    ['x^T', '(T x)'],
    ["x''", '(T (T x))'],
    ['x^Tᵀ', '(T (T x))'],
    ["x^T'", '(T (T x))'],
    ['x^T y', '(mm (T x) y)'],
    ['x^T(y)', '(mm (T x) y)'],
    ['x^T+y', '(+ (T x) y)'],
    ['x^T2', '(^ x T2)'],
    ['x^Tx', '(^ x Tx)'],
    ['x^T_1', '(^ x T_1)'],
    ['x^Tλ', '(^ x Tλ)'],
    ['x^(T)', '(^ x T)'],
    ['x^ T', '(^ x T)'],
    ['uᵀ', '(T u)'],
    ['uᵀv', '(mm (T u) v)'],
    ['(W x)ᵀ', '(T (mm W x))'],
    ['a ⊙ b', '(* a b)'],
    ['a · b', '(@ a b)'],
    ['a @ b', '(@ a b)'],
    ['a·b@c', '(@ (@ a b) c)'],
    ['‖x‖', '(norm x)'],
    ['||x||', '(norm x)'],
    ['‖W x + b‖', '(norm (+ (mm W x) b))'],
    ['a ‖x‖', '(mm a (norm x))'],
    ['‖x‖ ‖y‖', '(mm (norm x) (norm y))'],
    ['||x||||y||', '(mm (norm x) (norm y))'],
    ['‖x‖^2 + ||y||', '(+ (^ (norm x) 2) (norm y))'],
    ['‖f(x, y)‖', '(norm (call f x y))'],
    ['‖x|| + ||y‖', '(+ (norm x) (norm y))'],
    ['‖(a + b) c‖', '(norm (mm (+ a b) c))'],
    ['E[:, i]', '(index E i)'],
    ['E [ : , i + 1 ]', '(index E (+ i 1))'],
    ['E[:, i]ᵀ W', '(mm (T (index E i)) W)'],
    ['E[:, ids][:, j]', '(index (index E ids) j)'],
    ['σ(z) + λ * δ', '(+ (call σ z) (* λ δ))'],
    ['γ β', '(mm γ β)'],
  ])('%s  →  %s', (source, expected) => {
    expect(tree(source)).toBe(expected);
  });

  it('records ⊙ as * and · / @ as explicit products', () => {
    const odot = expr('a ⊙ b');
    expect(odot.kind === 'binary' && odot.op).toBe('*');
    const dot = expr('a · b');
    expect(dot.kind === 'matmul' && dot.explicit).toBe(true);
    const juxt = expr('a b');
    expect(juxt.kind === 'matmul' && juxt.explicit).toBe(false);
  });
});

describe('numbers', () => {
  it.each([
    ['3', 3],
    ['0.5', 0.5],
    ['.5', 0.5],
    ['1e-3', 1e-3],
    ['2.5E+4', 25000],
    ['10e2', 1000],
    ['3.', 3],
    ['007', 7],
  ])('%s is %d', (source, value) => {
    expect(expr(source)).toMatchObject({ kind: 'num', value });
  });

  it('stops a number where it stops: 2e is 2 times e, 1.5.5 is 1.5 times .5', () => {
    expect(tree('2e')).toBe('(mm 2 e)');
    expect(tree('1.5.5')).toBe('(mm 1.5 0.5)');
    expect(tree('1e-3x')).toBe('(mm 0.001 x)');
  });

  it('refuses a number too large for a double', () => {
    expect(errors('x = 1e999')).toEqual(['1:5 syntax error: the number 1e999 is too large']);
  });
});

describe('calls', () => {
  it.each([
    ['f()', '(call f)'],
    ['f(a, b, k = 1, m = x y)', '(call f a b :k 1 :m (mm x y))'],
    ['leaky_relu(x, a = 0.01)', '(call leaky_relu x :a 0.01)'],
    ['f(g(x), h(y, z))', '(call f (call g x) (call h y z))'],
    ['f(x == 1)', '(call f (== x 1))'],
    ['f(-x)', '(call f (neg x))'],
    ['exp(-(w0 * x0 + w1))', '(call exp (neg (+ (* w0 x0) w1)))'],
  ])('%s  →  %s', (source, expected) => {
    expect(tree(source)).toBe(expected);
  });

  it('may span lines inside the parentheses', () => {
    expect(tree('f(a,\n  b,   # a comment\n\n  k = 1\n)')).toBe('(call f a b :k 1)');
    expect(tree('(a +\n b)\n')).toBe('(+ a b)');
    expect(tree('f(W\n x)')).toBe('(call f (mm W x))');
  });

  it('keeps keyword names and places', () => {
    const e = expr('sum(x, axis = 1)');
    if (e.kind !== 'call') throw new Error('not a call');
    expect(e.callee).toBe('sum');
    expect(e.kwargs.map((k) => [k.name, lc(k.nameLoc)])).toEqual([['axis', '1:12']]);
  });

  it('refuses a positional argument after keyword arguments', () => {
    expect(errors('x = f(k = 1, y)')).toEqual(['1:14 syntax error: a positional argument cannot follow keyword arguments']);
  });
});

describe('places', () => {
  // Each node: [kind, loc, start] in pre-order.
  function places(source: string): string[] {
    const out: string[] = [];
    const walk = (e: ReturnType<typeof expr>): void => {
      out.push(`${e.kind} ${lc(e.loc)} ${lc(e.start)}`);
      switch (e.kind) {
        case 'binary':
        case 'matmul':
          walk(e.left);
          walk(e.right);
          break;
        case 'neg':
        case 'transpose':
        case 'norm':
          walk(e.operand);
          break;
        case 'index':
          walk(e.target);
          walk(e.columns);
          break;
        case 'call':
          e.args.forEach(walk);
          e.kwargs.forEach((k) => walk(k.value));
          break;
      }
    };
    walk(expr(source));
    return out;
  }

  it('puts an operator expression at its operator and starts it at its first character', () => {
    // e = W x + b
    // 123456789012
    expect(places('W x + b')).toEqual(['binary 1:9 1:5', 'matmul 1:6 1:5', 'name 1:5 1:5', 'name 1:7 1:7', 'name 1:11 1:11']);
  });

  it('puts a juxtaposition at the first blank after the left operand', () => {
    // e = uᵀ   W v
    expect(places('uᵀ   W v')).toEqual([
      'matmul 1:11 1:5',
      'matmul 1:7 1:5',
      'transpose 1:6 1:5',
      'name 1:5 1:5',
      'name 1:10 1:10',
      'name 1:12 1:12',
    ]);
    // no blank: at the right operand
    expect(places('2x')).toEqual(['matmul 1:6 1:5', 'num 1:5 1:5', 'name 1:6 1:6']);
  });

  it('places neg, calls, norms, indexing and parentheses', () => {
    // e = -f(x) * ‖y‖ + (a)ᵀ E[:, i]
    // 1234567890123456789012345678901
    expect(places('-f(x) * ‖y‖ + (a)ᵀ E[:, i]')).toEqual([
      'binary 1:17 1:5',
      'binary 1:11 1:5',
      'neg 1:5 1:5',
      'call 1:6 1:6',
      'name 1:8 1:8',
      'norm 1:13 1:13',
      'name 1:14 1:14',
      'matmul 1:23 1:19',
      'transpose 1:22 1:19',
      'name 1:20 1:19',
      'index 1:25 1:24',
      'name 1:24 1:24',
      'name 1:29 1:29',
    ]);
  });

  it('counts columns in code points and sets lengths in UTF-16 units', () => {
    // 𝑥 is one code point, two UTF-16 units
    const e = expr('𝑥𝑦 + 1');
    expect(e.kind).toBe('binary');
    expect(lc(e.loc)).toBe('1:8');
    if (e.kind !== 'binary') return;
    expect(e.left).toMatchObject({ kind: 'name', name: '𝑥𝑦', loc: { line: 1, col: 5, offset: 4, length: 4 } });
    expect(e.loc.offset).toBe(9);
  });

  it('places ^T at the caret', () => {
    const e = expr('x^T');
    expect(e).toMatchObject({ kind: 'transpose', loc: { col: 6, length: 2 } });
  });
});
