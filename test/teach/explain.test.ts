// gradc explain: the lecture's trace on the user's numbers.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { interpret } from '../../compiler/interpret.js';
import { formatTrace, trace } from '../../compiler/teach/trace.js';
import { explainCommand } from '../../bin/commands/explain.js';
import { compile, compileSmall, conformance, examples, root, stdout, values } from './util.js';

const MAX = `param x = 1, y = 2, z = 0
loss f = (x + y) * max(y, z)
`;

describe('explain', () => {
  it('reproduces the lecture: f = (x + y)·max(y, z) at x = 1, y = 2, z = 0', async () => {
    const model = compile(MAX);
    const t = trace(model, await values(model));
    const num = (name: string) => t.forward.find((s) => s.name === name)!.value.data[0];
    expect(num('f')).toBe(6);
    const grad = Object.fromEntries(t.gradients.map((g) => [g.name, [...g.value.data]]));
    expect(grad).toEqual({ x: [2], y: [5], z: [0] });
    // y is used twice: its gradient is the sum of the two paths, 3 (through max) + 2 (through +).
    const y = t.gradients.find((g) => g.name === 'y')!;
    expect(y.parts.map((p) => p.data[0])).toEqual([3, 2]);

    const text = formatTrace(t);
    expect(text).toContain('f = t1 * t2 = 6');
    expect(text).toContain('∂f/∂x = 2');
    expect(text).toContain('∂f/∂y = 3 + 2 = 5');
    expect(text).toContain('∂f/∂z = 0');
    // The intuitions, at the right nodes.
    expect(text).toMatch(/f = t1 \* t2 +× switches/);
    expect(text).toMatch(/t2 = max\(y, z\) +max routes/);
    expect(text).toMatch(/t1 = x \+ y +\+ distributes/);
    expect(text).toContain('a copy adds');
    // upstream × local at the max gate: 3 × 1 to y, 3 × 0 to z.
    expect(text).toMatch(/→ y: local ∂t2\/∂y = .* = 1 +downstream 3 × 1 = 3/);
    expect(text).toMatch(/→ z: local ∂t2\/∂z = .* = 0 +downstream 3 × 0 = 0/);
    // Topological order: every value is printed after what it is computed from.
    const order = t.forward.map((s) => s.name);
    expect(order.indexOf('t1')).toBeGreaterThan(Math.max(order.indexOf('x'), order.indexOf('y')));
    expect(order.indexOf('f')).toBe(order.length - 1);
  });

  it('prints the trace from the command line, with the values in the file', async () => {
    const out = await stdout(() => explainCommand(join(root, 'examples/max_example.nn'), {}));
    expect(out).toContain('∂f/∂y = 3 + 2 = 5');
    const json = JSON.parse(await stdout(() => explainCommand(join(root, 'examples/max_example.nn'), { json: true })));
    expect(json.grad).toEqual({ x: 2, y: 5, z: 0 });
  });

  it('the sigmoid neuron of the lecture: σ′ = σ(1 − σ) = 0.1966 at the top', async () => {
    const model = compile('param w0 = 2, x0 = -1, w1 = -3, x1 = -2, w2 = -3\nloss f = sigmoid(w0 * x0 + w1 * x1 + w2)\n');
    const t = trace(model, await values(model));
    const top = t.backward[0]!;
    expect(top.flows[0]!.local!.expr).toBe('f * (1 - f)');
    expect(top.flows[0]!.local!.value.data[0]).toBeCloseTo(0.19661, 5);
    const g = Object.fromEntries(t.gradients.map((x) => [x.name, x.value.data[0]!]));
    for (const [k, v] of Object.entries({ w0: -0.19661, x0: 0.39322, w1: -0.39322, x1: -0.58984, w2: 0.19661 })) expect(g[k]).toBeCloseTo(v, 4);
  });

  // Each node's downstream is its VJP: walked node by node, the trace must
  // arrive at the compiled gradient, on every example.
  const all = [...examples.map((file) => ({ file, at: undefined as string | undefined })), ...conformance];
  it.each(all.map((c) => [c.file.slice(root.length - 4), c] as const))('adds up to the compiled gradient: %s', async (_, c) => {
    const { model } = c.at ? { model: compile((await import('node:fs')).readFileSync(c.file, 'utf8')) } : compileSmall(c.file);
    const v = await values(model, c.at);
    const t = trace(model, v);
    const roots = [...model.train.grads.values()];
    const want = interpret(roots, { values: v.values, dims: v.dims, seed: v.seed });
    for (const g of t.gradients) {
      const expected = [...want.get(model.train.grads.get(g.name)!.id)!.data];
      const got = [...g.value.data];
      expect(got.length).toBe(expected.length);
      got.forEach((x, k) => expect(Math.abs(x - expected[k]!)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(expected[k]!))));
    }
    expect(t.gradients.map((g) => g.name)).toEqual([...model.train.grads.keys()]);
  });
});
