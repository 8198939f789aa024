// Every op of the op table on the wasm target: the wasm module's gradients equal
// the reference interpreter's and the JS module's (float32) within float32
// rounding. Driven by the op table, so a new op without a case does not compile.
import { describe, expect, it } from 'vitest';
import type { Op } from '../../compiler/ir/node.js';
import { topoSort } from '../../compiler/ir/node.js';
import { OPS } from '../../compiler/ops/index.js';
import { CASES, H } from '../helpers/op-cases.js';
import { compileOk, jsVsReference } from '../helpers/run.js';
import { worst } from '../wgsl/util.js';

const ops = Object.keys(OPS) as Op[];

describe('every primitive on the wasm target', () => {
  it('covers the whole op table', () => {
    expect(ops.length).toBeGreaterThan(40);
    expect(ops.filter((op) => !CASES[op])).toEqual([]);
  });
  for (const op of ops) {
    it(`${op}: wasm = reference interpreter = JS`, async () => {
      const model = compileOk(H + CASES[op]);
      const g = model.train;
      expect(topoSort([g.loss, ...g.grads.values(), ...g.updates.values()]).some((n) => n.op === op), `no ${op} in the graph`).toBe(true);
      const wasm = await jsVsReference(model, 0, 'f32', 'wasm');
      const js = await jsVsReference(model, 0, 'f32', 'js');
      const w1 = worst(wasm.js, wasm.ref, 1e-4, 1e-5);
      expect(w1.ratio, `${op}: wasm vs interpreter, worst at ${w1.at}`).toBeLessThanOrEqual(1);
      const w2 = worst(wasm.js, js.js, 1e-4, 1e-5);
      expect(w2.ratio, `${op}: wasm vs JS, worst at ${w2.at}`).toBeLessThanOrEqual(1);
    });
  }
});
