// One small model per primitive, typed over every op: a new op without a case
// here does not compile. For every op: the reference interpreter's gradients
// agree with finite differences of the interpreter's own loss, and every target
// of TARGETS_UNDER_TEST (helpers/targets.ts) computes what the interpreter
// computes, gradients and outputs. Elementwise ops also write `o` at a grid of
// points with ties, zeros and signs (inputs a, c), so that a target spelling an
// op wrongly (< for ≤, tanh for sigmoid, …) fails here.
import { describe, expect, it } from 'vitest';
import { randomInput, againstDifferences } from '../bin/commands/check.js';
import { interpret } from '../compiler/interpret.js';
import type { Op } from '../compiler/ir/node.js';
import { topoSort } from '../compiler/ir/node.js';
import { bindValues } from '../runtime/values.js';
import { compileOk } from './helpers/run.js';
import { CASES, GRID, H } from './helpers/op-cases.js';
import { firstDifference, leafValues, openTarget, reference, TARGETS_UNDER_TEST, withParams } from './helpers/targets.js';

const SEED = 0;
const cases = Object.entries(CASES) as [Op, string][];
const load = (body: string) => {
  const model = compileOk(H + body);
  return { model, values: withParams(model, bindValues(model, 'values', GRID, {}, randomInput(SEED)), SEED) };
};

describe('every primitive, on the reference interpreter', () => {
  it.for(cases)('%s: in the graph; gradients agree with finite differences', ([op, body]) => {
    const { model, values } = load(body);
    const g = model.train;
    const ops = new Set(topoSort([g.loss, ...g.outputs.values(), ...g.grads.values(), ...g.updates.values()]).map((n) => n.op));
    expect(ops.has(op), `the graph of ${JSON.stringify(body)} has no ${op}`).toBe(true);
    const ref = reference(model, values, SEED);
    const leaves = leafValues(model, values);
    const lossAt = () => interpret([g.loss], { values: leaves, dims: values.dims, seed: SEED }).get(g.loss.id)!.data[0]!;
    expect(Object.keys(ref.grad).length).toBeGreaterThan(0);
    for (const [name, grad] of Object.entries(ref.grad)) {
      const { maxRelError } = againstDifferences(grad, leaves[name]!.data as Float64Array, lossAt, ref.loss);
      expect(maxRelError, `${op}: ∂/∂${name}`).toBeLessThan(1e-5);
    }
  });
});

for (const target of TARGETS_UNDER_TEST) {
  describe(`every primitive, on the ${target.name} target`, () => {
    it.for(cases)(`%s: ${target.name} computes what the interpreter computes`, async ([op, body], ctx) => {
      const run = await openTarget(target);
      if (typeof run === 'string') return ctx.skip(`${target.name}: ${run}`);
      const { model, values } = load(body);
      const diff = firstDifference(await run(model, values, SEED), reference(model, values, SEED), target.rtol, target.atol);
      expect(diff, `${op} on ${target.name}`).toBeUndefined();
    });
  });
}
