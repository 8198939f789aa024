// The wasm target through the command line: files written, --emit wat, grad,
// check and train with --target wasm, and the generated declaration compiled
// with tsc against real use.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const cli = resolve(root, 'bin/gradc');
const gradc = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: 'utf8' });

describe.skipIf(!existsSync(resolve(root, 'dist/bin/cli.js')))('gradc --target wasm', () => {
  it('writes MODEL.wasm.js and MODEL.wasm.d.ts, which import nothing and type-check against use', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gradc-wasm-'));
    const r = gradc('examples/mlp.nn', '--target', 'wasm', '-o', dir);
    expect(r.status, r.stderr).toBe(0);
    const js = readFileSync(join(dir, 'mlp.wasm.js'), 'utf8');
    expect(js).not.toMatch(/^\s*import\s/m);
    expect(js).toMatch(/WebAssembly\.compile/);
    expect(readFileSync(join(dir, 'mlp.wasm.d.ts'), 'utf8')).toMatch(/export function create/);
    writeFileSync(join(dir, 'use.ts'), `import { create } from './mlp.wasm.js';\nconst m = create({ seed: 1, dims: { N: 2 } });\nconst r = m.grad({ X: new Float32Array(8), y: [0, 1] });\nconst w: Float32Array = r.grad.W1;\nconst l: number = m.step({ X: new Float32Array(8), y: [0, 1] });\nvoid w; void l;\n`);
    const tsc = spawnSync(process.execPath, [resolve(root, 'node_modules/typescript/bin/tsc'), '--noEmit', '--strict', '--module', 'nodenext', '--target', 'es2022', '--skipLibCheck', 'use.ts'], { cwd: dir, encoding: 'utf8' });
    expect(tsc.status, tsc.stdout + tsc.stderr).toBe(0);
  });

  it('--emit wat prints the module text with the model and its trace', () => {
    const r = gradc('examples/window.nn', '--emit', 'wat');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^\(module$/m);
    expect(r.stdout).toMatch(/;;\s+h = relu\(z\)/);
    expect(r.stdout).toMatch(/← window\.nn:\d+, /);
  });

  it('grad and check run the wasm module', () => {
    const js = JSON.parse(gradc('grad', 'examples/norm_wx.nn').stdout);
    const r = gradc('grad', 'examples/norm_wx.nn', '--target', 'wasm');
    expect(r.status, r.stderr).toBe(0);
    const wasm = JSON.parse(r.stdout);
    expect(wasm.loss).toBeCloseTo(js.loss, 6);
    expect(wasm.grad.W.flat()).toEqual(js.grad.W.flat().map((v: number) => expect.closeTo(v, 6)));
    const c = gradc('check', 'examples/window.nn', '--target', 'wasm', '--json');
    expect(c.status, c.stdout + c.stderr).toBe(0);
    const out = JSON.parse(c.stdout);
    expect(out.ok).toBe(true);
    expect(out.tensors.length).toBe(4);
  });

  it('f64 is a command-line error with the wasm target, not a crash', () => {
    const r = gradc('grad', 'examples/norm_wx.nn', '--target', 'wasm', '--precision', 'f64');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/float32/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('train --target wasm reaches the JS target\'s accuracy on iris', () => {
    const args = ['train', 'examples/iris.nn', '--data', 'examples/data/iris.csv', '--val', '0.2', '--epochs', '60', '--batch', '16', '--json'];
    const dir = mkdtempSync(join(tmpdir(), 'gradc-wasm-train-'));
    const js = JSON.parse(execFileSync(process.execPath, [cli, ...args, '--checkpoint', join(dir, 'a.json')], { cwd: root, encoding: 'utf8' }));
    const wasm = JSON.parse(execFileSync(process.execPath, [cli, ...args, '--target', 'wasm', '--checkpoint', join(dir, 'b.json')], { cwd: root, encoding: 'utf8' }));
    expect(wasm.val_accuracy).toBeGreaterThan(0.85);
    expect(Math.abs(wasm.val_loss - js.val_loss)).toBeLessThan(1e-3 * Math.max(1, js.val_loss));
  });
});
