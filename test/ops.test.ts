// One small model per primitive, typed over every op: a new op without a case
// here does not compile. Each model's gradients are checked by central finite
// differences on the generated module, and the module against the reference
// interpreter.
import { describe, expect, it } from 'vitest';
import type { Op } from '../compiler/ir/node.js';
import { topoSort } from '../compiler/ir/node.js';
import { close, compileOk, fdCheck, jsVsReference } from './helpers/run.js';
import { CASES, H } from './helpers/op-cases.js';

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
