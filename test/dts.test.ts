// The declaration files gradc writes type-check a user's code against the
// generated modules, and catch a wrong use.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TARGETS } from '../targets/index.js';
import { compileOk } from './helpers/run.js';

const root = resolve(import.meta.dirname, '..');
const tsc = resolve(root, 'node_modules/.bin/tsc');

/** Type-checks use.ts in `dir` with these compiler flags (default: the DOM library's WebGPU types). */
function typecheck(dir: string, code: string, lib = ['--lib', 'es2022,dom']): string {
  writeFileSync(join(dir, 'use.ts'), code);
  try {
    execFileSync(tsc, ['--noEmit', '--strict', '--target', 'es2022', ...lib, '--module', 'nodenext', '--moduleResolution', 'nodenext', 'use.ts'], { cwd: dir, encoding: 'utf8' });
    return '';
  } catch (e) {
    return String((e as { stdout?: string }).stdout);
  }
}

describe('generated declarations', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gradc-dts-'));
  const model = compileOk('dim N\nparam W : [3, 4] ~ xavier\ninput X : [4, N]\ninput y : [N] int\nloss J = mean(softmax_cross_entropy(W X, y))\noutput p = softmax(W X)');
  for (const t of ['js', 'wgsl'] as const) for (const f of TARGETS[t]!.files(model, 'm', { source: 'm.nn' })) writeFileSync(join(dir, f.name), f.text);
  const use = `import { create } from './m.js';
import { create as createGpu } from './m.gpu.js';
declare const device: GPUDevice;
const inputs = { X: new Float32Array(8), y: new Int32Array(2) };
const cpu = create({ seed: 1 });
const loss: number = cpu.step(inputs);
const dW: Float32Array = cpu.grad(inputs).grad.W;
const p: Float32Array = cpu.forward(inputs).outputs.p;
const q: Float32Array = cpu.predict({ X: inputs.X }).p;
const kept = create({ copy: true }).grad(inputs).grad.W;
export async function gpu() {
  const m = await createGpu(device, { pipelines: 'ahead' });
  const r = await m.grad(inputs);
  const out: Float32Array = (await m.predict({ X: inputs.X })).p;
  await m.dispose();
  return [loss, dW, p, q, kept, out, r.grad.W, await m.step(inputs)];
}
`;

  it('accept correct use of the CPU and GPU modules', () => {
    expect(typecheck(dir, use)).toBe('');
  });

  // @webgpu/types and TypeScript's own DOM library declare the same names, so
  // projects that use both set skipLibCheck, as @webgpu/types' README says.
  const webgpuTypes = ['--types', '@webgpu/types', '--typeRoots', resolve(root, 'node_modules'), '--skipLibCheck'];
  it('type-check with @webgpu/types: in Node (no DOM library) and beside the DOM library', () => {
    for (const lib of [['--lib', 'es2022'], ['--lib', 'es2022,dom']]) {
      expect(typecheck(dir, use, [...lib, ...webgpuTypes])).toBe('');
      expect(typecheck(dir, use.replace("pipelines: 'ahead'", "pipelines: 'eager'"), [...lib, ...webgpuTypes])).toMatch(/not assignable/);
    }
    // Without any WebGPU types GPUDevice is unknown: the check above is not vacuous.
    expect(typecheck(dir, use, ['--lib', 'es2022', '--types', 'node', '--typeRoots', resolve(root, 'node_modules/@types')])).toMatch(/GPUDevice/);
  });

  it('reject a wrong one', () => {
    expect(typecheck(dir, use.replace('const loss: number = cpu.step(inputs);', 'const loss: string = cpu.step(inputs);'))).toMatch(/not assignable/);
    expect(typecheck(dir, use.replace('const r = await m.grad(inputs);', 'const r = m.grad(inputs);'))).toMatch(/grad/);
    // predict needs only the inputs the outputs read, and returns only outputs.
    expect(typecheck(dir, use.replace('cpu.predict({ X: inputs.X }).p', 'cpu.predict({ X: inputs.X }).loss'))).toMatch(/loss/);
    expect(typecheck(dir, use.replace('await m.dispose();', 'await cpu.dispose();'))).toMatch(/dispose/);
  });
});
