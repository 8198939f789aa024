// The library entry point, `import { compile } from 'gradc'` (targets/library.ts):
// resolved through package.json's exports as a user resolves it, it gives what
// the command line prints; and nothing on its path, nor on the page's, imports
// a Node built-in (files, Dawn and the CLI stay out of the browser bundle).
import { execFileSync } from 'node:child_process';
import { builtinModules } from 'node:module';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const gradc = (...args: string[]) => {
  try {
    return { out: execFileSync(join(root, 'bin/gradc'), args, { cwd: root, stdio: 'pipe' }).toString(), err: '' };
  } catch (e) {
    return { out: '', err: String((e as { stderr: Buffer }).stderr) };
  }
};

describe("import { compile } from 'gradc'", () => {
  it('resolves through package.json exports, with declarations', async () => {
    const lib = (await import('gradc')) as typeof import('../../targets/library.js');
    expect(typeof lib.compile).toBe('function');
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { exports: { '.': { types: string; default: string } } };
    expect(readFileSync(join(root, pkg.exports['.'].types), 'utf8')).toContain('export declare function compile(');
  });

  it('gives what the command line prints: the derivative, the messages, the modules', async () => {
    const { compile } = await import('../../targets/library.js');
    const source = readFileSync(join(root, 'examples/window.nn'), 'utf8');
    const c = compile(source, { file: 'window.nn' });
    expect(c.ok).toBe(true);
    expect(c.grad()).toBe(gradc('examples/window.nn', '--emit', 'grad').out);
    const { derivative } = await c.latex();
    expect(derivative.map((r) => r.lhs)).toEqual(['\\delta', ...['W', 'b', 'u', 'x'].map((p) => `\\frac{\\partial s}{\\partial ${p}}`)]);
    expect(c.js().text).toContain('export function create(');
    expect(c.wgsl().wgsl).toContain('@compute');
    expect(c.dot()).toContain('digraph gradc');
    expect(await c.svg()).toBe(gradc('examples/window.nn', '--emit', 'svg').out);

    const broken = 'param W : [3, 4]\ninput x : [5]\nloss J = sum(W x)\n';
    const dir = mkdtempSync(join(tmpdir(), 'gradc-lib-'));
    writeFileSync(join(dir, 'broken.nn'), broken);
    const b = compile(broken, { file: join(dir, 'broken.nn') });
    expect(b.ok).toBe(false);
    expect(() => b.grad()).toThrow(/has errors/u);
    const cli = gradc(join(dir, 'broken.nn')).err;
    expect(cli).toMatch(/broken\.nn:3:15: error: shape mismatch/u);
    expect(b.diagnostics.map((d) => d.text).join('\n') + '\n').toBe(cli);
  });

  it('tells a node’s shape and local gradient (what the graph shows on hover)', async () => {
    const { compile } = await import('../../targets/library.js');
    const c = compile(readFileSync(join(root, 'examples/window.nn'), 'utf8'));
    const relu = c.model!.train.loss.inputs.flatMap((x) => [x, ...x.inputs]).find((n) => n.op === 'relu');
    const info = c.node(relu!.id)!;
    expect(info).toMatchObject({ op: 'relu', shape: '[8]', expr: 'relu(z)', line: 10, backward: false });
    expect(info.local).toEqual([{ input: 'z', expr: '∂/∂z = 1[z > 0]' }]);
  });
});

/** Relative imports (static and dynamic) of a TypeScript file, resolved to files, and its bare imports. */
function imports(file: string): { local: string[]; bare: string[] } {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\s(?:[^'"]*?\sfrom\s)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gu)]
    .filter((m) => !/^\s*(?:import|export)\s+type\s/u.test(m[0].replace(/^\n/u, '')))
    .map((m) => m[1] ?? m[2]!);
  const local = specs.filter((s) => s.startsWith('.')).map((s) => join(dirname(file), s.replace(/\.js$/u, '.ts')));
  return { local: local.filter((f) => f.endsWith('.ts')), bare: specs.filter((s) => !s.startsWith('.')) };
}

describe('the browser path', () => {
  it('reaches no Node built-in, Dawn or command-line file from the library or the page', () => {
    const seen = new Set<string>();
    const bare = new Map<string, string>();
    const todo = [join(root, 'targets/library.ts'), join(root, 'web/main.ts')];
    while (todo.length) {
      const f = todo.pop()!;
      if (seen.has(f)) continue;
      seen.add(f);
      const { local, bare: b } = imports(f);
      for (const s of b) bare.set(s, f);
      todo.push(...local.filter((x) => !x.includes('?')));
    }
    expect(seen.size).toBeGreaterThan(40); // the whole compiler is on the path
    const node = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
    const bad = [...bare].filter(([s]) => node.has(s) || s === 'webgpu' || s === 'commander' || s === 'cli-progress');
    expect(bad).toEqual([]);
    expect([...seen].filter((f) => f.startsWith(join(root, 'bin/')))).toEqual([]);
  });
});
