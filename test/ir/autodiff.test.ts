import { describe, expect, it } from 'vitest';
import { Builder } from '../../compiler/ir/builder.js';
import { SCALAR, Size } from '../../compiler/ir/size.js';
import { gradients } from '../../compiler/autodiff.js';
import { interpret } from '../../compiler/interpret.js';
import { tensor } from '../../compiler/ir/tensor.js';

const scalars = (o: Record<string, number>) =>
  Object.fromEntries(Object.entries(o).map(([k, v]) => [k, tensor(1, 1, [v])]));

describe('reverse mode on the IR', () => {
  it('reproduces the lecture: f = (x + y) · max(y, z) at (1, 2, 0)', () => {
    const b = new Builder();
    const [x, y, z] = ['x', 'y', 'z'].map((n) => b.param(n, SCALAR)) as [any, any, any];
    const f = b.mul(b.add(x, y), b.binary('max', y, z));
    const g = gradients(b, f, [x, y, z]);
    const v = interpret([f, ...g.values()], { values: scalars({ x: 1, y: 2, z: 0 }), dims: {} });
    expect(v.get(f.id)!.data[0]).toBe(6);
    expect([x, y, z].map((n) => v.get(g.get(n)!.id)!.data[0])).toEqual([2, 5, 0]);
  });

  it('shares common subexpressions by construction', () => {
    const b = new Builder();
    const x = b.param('x', SCALAR);
    expect(b.exp(b.mul(x, x))).toBe(b.exp(b.mul(x, x)));
    expect(b.param('x', SCALAR)).toBe(x);
    expect(b.param('y', SCALAR)).not.toBe(x);
  });

  it('reduces a broadcast bias: d/db sum(W X + b) = N per row', () => {
    const b = new Builder();
    const N = Size.dim('N');
    const W = b.param('W', [Size.of(2), Size.of(3)]);
    const X = b.input('X', [Size.of(3), N]);
    const bias = b.param('b', [Size.of(2), Size.of(1)]);
    const loss = b.sum(b.add(b.matmul(W, X), bias));
    const g = gradients(b, loss, [bias, W]);
    const values = { W: tensor(2, 3, [1, 2, 3, 4, 5, 6]), X: tensor(3, 4, new Array(12).fill(1)), b: tensor(2, 1, [0, 0]) };
    const v = interpret([loss, ...g.values()], { values, dims: { N: 4 } });
    expect([...v.get(g.get(bias)!.id)!.data]).toEqual([4, 4]);
    expect([...v.get(g.get(W)!.id)!.data]).toEqual([4, 4, 4, 4, 4, 4]);
  });
});
