// What installing gradc brings: the tarball ships the compiler, the CLI, the
// guide, the examples and the LICENSE, not the compiled tests; Dawn (`webgpu`,
// ~130 MB) is an optional peer dependency loaded only for --target wgsl, with
// one line saying how to get it when it is absent.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

describe('the package', () => {
  it('ships the CLI, dist, docs, examples and LICENSE, not dist/test or training outputs', () => {
    const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const files: string[] = JSON.parse(out)[0].files.map((f: { path: string }) => f.path);
    expect(files).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'bin/gradc', 'docs/guide.md', 'dist/bin/cli.js', 'examples/digits.nn', 'examples/data/iris.csv']));
    expect(files.filter((f) => f.startsWith('dist/test/'))).toEqual([]);
    expect(files.filter((f) => /\.ckpt\.json$|\.curves\.svg$/u.test(f))).toEqual([]);
    expect(files.filter((f) => f.startsWith('bin/') && f !== 'bin/gradc')).toEqual([]); // the TypeScript sources are in dist
    expect(readFileSync(join(root, 'LICENSE'), 'utf8')).toMatch(/^MIT License/u);
    expect(pkg.license).toBe('MIT');
  });

  it("does not install Dawn: 'webgpu' is an optional peer dependency", () => {
    expect(pkg.dependencies.webgpu).toBeUndefined();
    expect(pkg.peerDependencies.webgpu).toBeDefined();
    expect(pkg.peerDependenciesMeta.webgpu.optional).toBe(true);
  });

  it('without webgpu, --target wgsl says in one line how to get it; the CPU target is unaffected', () => {
    // A resolve hook that hides the package, as on an install without it.
    const hook = join(mkdtempSync(join(tmpdir(), 'gradc-nowebgpu-')), 'hide.mjs');
    writeFileSync(hook, `import { register } from 'node:module';
register('data:text/javascript,' + encodeURIComponent("export async function resolve(s, c, next) { if (s === 'webgpu') { const e = new Error('Cannot find package webgpu'); e.code = 'ERR_MODULE_NOT_FOUND'; throw e; } return next(s, c); }"));
`);
    const env = { ...process.env, NODE_OPTIONS: `--import=${hook}`, NO_COLOR: '1' };
    const model = join(root, 'examples/sigmoid_neuron.nn');
    const gpu = spawnSync(join(root, 'bin/gradc'), ['grad', model, '--target', 'wgsl'], { env, encoding: 'utf8' });
    expect(gpu.status).toBe(1);
    expect(gpu.stderr).toBe("gradc: error: the WebGPU target in Node needs the optional 'webgpu' package (Dawn): run `npm install webgpu` beside gradc\n");
    const cpu = spawnSync(join(root, 'bin/gradc'), ['grad', model], { env, encoding: 'utf8' });
    expect(cpu.status, cpu.stderr).toBe(0);
    expect(JSON.parse(cpu.stdout).loss).toBeTypeOf('number');
  });
});
