// gradc compare: the measurements behind the lecture's claims.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { interpret } from '../../compiler/interpret.js';
import { tensor } from '../../compiler/ir/tensor.js';
import { compare, formatComparison, treeCost, dagCost } from '../../compiler/teach/compare.js';
import { tangentName, tangents } from '../../compiler/teach/jvp.js';
import { topoSort } from '../../compiler/ir/node.js';
import { compareCommand } from '../../bin/commands/compare.js';
import { compile, compileSmall, examples, root, stdout, values } from './util.js';
import { readFileSync } from 'node:fs';

describe('compare', () => {
  it('the window model: reverse mode shares δ, the incorrect way recomputes it', () => {
    const c = compare(compile(readFileSync(join(root, 'examples/window.nn'), 'utf8')));
    // ∂s/∂W, ∂s/∂b, ∂s/∂x each need δ = u ⊙ 1[z > 0] (2 ops) when derived on their own.
    expect(c.allAtOnce.ops).toBe(4);
    expect(c.separately.ops).toBe(8);
    expect(c.inputs.constant).toBe(8 * 250 + 8 + 8 + 250);
    // The naive tree repeats δ in three gradients; the graph holds it once.
    expect(c.naive.ops).toBeGreaterThan(c.cse.ops);
    // Reverse mode: a small constant multiple of the forward pass; forward mode: one pass per input.
    expect(c.reverse.flops.constant! / c.forward.flops.constant!).toBeLessThan(4);
    expect(c.forwardMode.flops.constant).toBe(c.forwardPass.flops.constant! * 2266);
    expect(c.forwardMode.flops.constant! / c.reverse.flops.constant!).toBeGreaterThan(1000);
  });

  it('expression swell grows with depth; the shared graph grows linearly', () => {
    const model = compile(readFileSync(join(root, 'test/teach/models/deep_sigmoid.nn'), 'utf8'));
    const rows = compare(model).swell;
    expect(rows.map((r) => r.value)).toEqual(['h1', 'h2', 'h3', 'h4', 'h5', 'f']);
    const naive = rows.map((r) => r.naive.ops);
    const cse = rows.map((r) => r.cse.ops);
    // Shared: the same few ops per layer. Tree: each layer repeats everything below it.
    const steps = cse.slice(1).map((x, k) => x - cse[k]!);
    expect(new Set(steps).size).toBe(1);
    const growth = naive.slice(1).map((x, k) => x - naive[k]!);
    growth.slice(1).forEach((g, k) => expect(g).toBeGreaterThan(growth[k]!));
    expect(naive[naive.length - 1]! / cse[cse.length - 1]!).toBeGreaterThan(10);
  });

  it('counts a tree with repetition and a graph without', () => {
    const model = compile('param x = 2\nloss f = sigmoid(x) * sigmoid(x) * sigmoid(x)\n');
    const g = [...model.train.grads.values()];
    expect(treeCost(g).ops).toBeGreaterThan(dagCost(topoSort(g)).ops);
  });

  // The forward-mode tangents are built from the VJP rules; along a direction
  // v they must give the directional derivative ⟨∇loss, v⟩.
  it.each(examples.map((f) => [f.slice(root.length + 1), f] as const))('forward mode: tangent of the loss = ⟨∇loss, v⟩ on %s', async (_, file) => {
    const { model } = compileSmall(file);
    const v = await values(model);
    const leaves = topoSort([model.train.loss]).filter((n) => (n.op === 'param' || n.op === 'input') && model.train.grads.has((n.attrs as { name: string }).name));
    const t = tangents(model.builder, model.train.loss, leaves);
    const dir: Record<string, ReturnType<typeof tensor>> = {};
    for (const l of leaves) {
      const name = (l.attrs as { name: string }).name;
      const x = v.values[name]!;
      dir[tangentName(name)] = tensor(x.rows, x.cols, Array.from(x.data, (_, k) => Math.cos(3 * k + name.length)));
    }
    const tl = t.get(model.train.loss.id)!;
    const grads = leaves.map((l) => model.train.grads.get((l.attrs as { name: string }).name)!);
    const vals = interpret([tl, ...grads], { values: { ...v.values, ...dir }, dims: v.dims, seed: v.seed });
    const want = leaves.reduce((s, l, i) => {
      const g = vals.get(grads[i]!.id)!.data;
      const d = dir[tangentName((l.attrs as { name: string }).name)]!.data;
      return s + g.reduce((a, x, k) => a + x * d[k]!, 0);
    }, 0);
    expect(vals.get(tl.id)!.data[0]).toBeCloseTo(want, 9);
  });

  it('prints a table, and JSON', async () => {
    const out = await stdout(() => compareCommand(join(root, 'examples/window.nn'), {}));
    expect(out).toMatch(/incorrect way: each ∂\/∂θ on its own +8 /);
    expect(out).toMatch(/all at once: one backward pass +4 /);
    expect(out).toContain('forward mode: 2,266 passes');
    const json = JSON.parse(await stdout(() => compareCommand(join(root, 'examples/mlp.nn'), { json: true })));
    expect(json.forward.flops).toMatch(/N/); // symbolic in the batch size
    expect(json.separately.ops).toBeGreaterThan(json.allAtOnce.ops);
    expect(formatComparison(compare(compile(readFileSync(join(root, 'examples/max_example.nn'), 'utf8'))), 'm.nn')).toContain('expression swell');
  });
});
