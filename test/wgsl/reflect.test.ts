// Without a GPU: what wgsl_reflect reads from the emitted shaders.
// 1. The bindings of every entry point, as reflected from the WGSL, are exactly
//    those the host module binds for it (binding number, buffer, access), and
//    stay within the storage-buffer limit every WebGPU device has (8).
// 2. The kernels that share workgroup memory (tiled products, tree reductions)
//    have no data race: wgsl_reflect runs each workgroup's invocations in
//    lockstep and checks every access between two barriers.
import { describe, expect, it } from 'vitest';
import type * as Reflect from 'wgsl_reflect';
import { importModule } from '../../runtime/load-module.js';
import { emitWgsl } from '../../targets/wgsl/index.js';
import { compile, corpus, FEATURES } from './util.js';

// The package's ES module build (its main entry is a CommonJS file that Node cannot import by name).
const { WgslReflect, detectRaces } = (await import('wgsl_reflect/wgsl_reflect.module.js' as string)) as typeof Reflect;

type Binding = [number, string, GPUBufferBindingType];
type Table = Record<string, [string, Binding[], () => number[]][]>;

async function hostKernels(host: string, dims: Record<string, number> = {}) {
  const { kernels } = await importModule<{ kernels(d: Record<string, number>): Table }>(host);
  return Object.values(kernels(dims)).flat();
}

describe('reflected bindings equal the host module\'s', () => {
  it.for([...corpus(), ...FEATURES])('%s', async ([, source]) => {
    const { wgsl, host } = emitWgsl(compile(source));
    const reflected = new Map(
      new WgslReflect(wgsl).entry.compute.map((e) => [
        e.name,
        e.resources.map((r): Binding => {
          expect(r.group).toBe(0);
          const type = r.resourceType === 0 ? 'uniform' : r.access === 'read' ? 'read-only-storage' : 'storage';
          return [r.binding, r.name, type];
        }).sort((a, b) => a[0] - b[0]),
      ]),
    );
    const kernels = await hostKernels(host);
    expect(kernels.map(([entry]) => entry).sort()).toEqual([...reflected.keys()].sort());
    for (const [entry, bindings] of kernels) {
      expect(bindings, entry).toEqual(reflected.get(entry));
      expect(bindings.filter(([, , type]) => type !== 'uniform').length, entry).toBeLessThanOrEqual(8);
    }
  });
});

// Small enough for the interpreter: a 36×12 product (4 outputs per thread along the rows),
// its transposed backward products (2 and 1 per thread), softmax reductions over 3 classes,
// sums over all elements.
const SMALL = `
dim N = 12
input X : [18, N]
input y : [N] int
param W : [36, 18] ~ he
param V : [3, 36] ~ xavier
H = relu(W X)
loss J = mean(softmax_cross_entropy(V H, y)) + 0.01 * sum(W^2)
`;

/** Buffers for one dispatch: random values, labels below 3, and the uniform with the dims. */
function bindGroups(dims: number[]) {
  const random = (n: number) => Float32Array.from({ length: n }, (_, k) => Math.sin(k * 12.9898) * 0.5);
  const run = new ArrayBuffer(64);
  new Uint32Array(run).set(dims);
  return { 0: { 0: { uniform: run }, 1: random(1024), 2: random(1024), 3: new Int32Array(64).map((_, k) => k % 3), 4: random(4096), 5: random(1024), 6: random(1024) } };
}

describe('kernels with workgroup memory have no data race', async () => {
  const { wgsl, host } = emitWgsl(compile(SMALL));
  const shared = (await hostKernels(host)).filter(([entry]) => /\bworkgroupBarrier\(\)/.test(kernelText(wgsl, entry)));
  it('there are tiled products and reductions to check', () => {
    expect(shared.some(([entry]) => /\btileA\[/.test(kernelText(wgsl, entry)))).toBe(true);
    expect(shared.some(([entry]) => /\bpartial\[/.test(kernelText(wgsl, entry)))).toBe(true);
  });
  // The grad program holds the forward kernels too; dims are fixed, so the counts need none.
  const cases: [string, number[]][] = shared.filter(([entry]) => entry.startsWith('grad_')).map(([entry, , groups]) => [entry, groups()]);
  it.for(cases)('%s', { timeout: 120_000 }, ([entry, groups]) => {
    const { races, errors } = detectRaces(wgsl, entry, groups, bindGroups([]));
    expect(errors).toEqual([]);
    expect(races.map((r) => r.message)).toEqual([]);
  });
  it('a tiled product without its second barrier is caught', { timeout: 120_000 }, () => {
    const [entry, , groups] = shared.find(([e]) => /\btileA\[/.test(kernelText(wgsl, e)))!;
    const broken = wgsl.replace(kernelText(wgsl, entry), kernelText(wgsl, entry).replace('workgroupBarrier(); // the tiles', '// the tiles'));
    expect(broken).not.toBe(wgsl);
    expect(detectRaces(broken, entry, groups(), bindGroups([])).races.length).toBeGreaterThan(0);
  });
});

/** The text of one entry point, from its `fn` line to its closing brace. */
function kernelText(wgsl: string, entry: string): string {
  const start = wgsl.indexOf(`fn ${entry}(`);
  return wgsl.slice(start, wgsl.indexOf('\n}\n', start) + 2);
}
