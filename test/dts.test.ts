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

function typecheck(dir: string, code: string): string {
  writeFileSync(join(dir, 'use.ts'), code);
  try {
    execFileSync(tsc, ['--noEmit', '--strict', '--target', 'es2022', '--lib', 'es2022,dom', '--module', 'nodenext', '--moduleResolution', 'nodenext', 'use.ts'], { cwd: dir, encoding: 'utf8' });
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
export async function gpu() {
  const m = await createGpu(device);
  const r = await m.grad(inputs);
  return [loss, dW, p, r.grad.W, await m.step(inputs)];
}
`;

  it('accept correct use of the CPU and GPU modules', () => {
    expect(typecheck(dir, use)).toBe('');
  });

  it('reject a wrong one', () => {
    expect(typecheck(dir, use.replace('const loss: number = cpu.step(inputs);', 'const loss: string = cpu.step(inputs);'))).toMatch(/not assignable/);
    expect(typecheck(dir, use.replace('const r = await m.grad(inputs);\n  return [', 'const r = m.grad(inputs);\n  return [r.grad, '))).toMatch(/grad/);
  });
});
