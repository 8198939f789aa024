// The wasm module's memory: results are views on it, reused call after call;
// the memory grows when a run-time size grows (params survive, their views
// are refreshed), and a smaller size afterwards reuses what is there.
import { describe, expect, it } from 'vitest';
import { importModule } from '../../runtime/load-module.js';
import type { GeneratedModule } from '../../runtime/module-types.js';
import { emitWasm } from '../../targets/wasm/index.js';
import { compile } from '../wgsl/util.js';

const source = 'dim N\ninput X : [6, N]\ninput y : [N] int\nparam W : [3, 6] ~ xavier\nparam b : [3]\nloss L = mean(softmax_cross_entropy(W X + b, y))\n';

describe('wasm memory', () => {
  it('returns views, reuses them, grows with N and keeps the params', async () => {
    const mod = await importModule<GeneratedModule>(emitWasm(compile(source)).host);
    const m = mod.create({ seed: 4 }) as ReturnType<GeneratedModule['create']> & { memory: { buffer: ArrayBuffer } };
    const batch = (N: number) => ({ X: Float32Array.from({ length: 6 * N }, (_, k) => Math.sin(k)), y: Int32Array.from({ length: N }, (_, k) => k % 3) });
    const small = batch(5);
    const r1 = m.grad(small);
    const g1 = r1.grad.W as Float32Array;
    expect(g1.buffer).toBe(m.memory.buffer);
    const copy = g1.slice();
    const r2 = m.grad(small);
    // Same object, same view, same numbers: nothing new per call.
    expect(r2).toBe(r1);
    expect(r2.grad.W).toBe(g1);
    expect(Array.from(g1)).toEqual(Array.from(copy));
    const W = m.params.W!.slice();
    const before = m.memory.buffer.byteLength;
    const big = batch(20000);
    m.grad(big);
    expect(m.memory.buffer.byteLength).toBeGreaterThan(before);
    // The params survived the growth, in fresh views on the new buffer.
    expect(m.params.W!.buffer).toBe(m.memory.buffer);
    expect(Array.from(m.params.W!)).toEqual(Array.from(W));
    const grown = m.memory.buffer.byteLength;
    const r3 = m.grad(small);
    expect(m.memory.buffer.byteLength).toBe(grown);
    expect(Array.from(r3.grad.W as Float32Array)).toEqual(Array.from(copy));
  });
});
