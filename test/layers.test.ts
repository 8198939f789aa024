// Layers point one way: bin → runtime → targets → compiler → grammar. Every
// import in the project's source (static or dynamic) is read and must point to
// the same layer or one below.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');
/** Lowest first. */
const LAYERS = ['grammar', 'compiler', 'targets', 'runtime', 'bin'];

function sources(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => relative(root, join(e.parentPath, e.name)));
}

const layerOf = (file: string) => LAYERS.indexOf(file.split('/')[0]!);

/** Every relative import of a file, as a path from the project root. */
function imports(file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  const specs = [...text.matchAll(/(?:from\s+|import\s*\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g)].map((m) => m[1]!);
  return specs.map((s) => relative(root, resolve(root, dirname(file), s)));
}

describe('imports by layer', () => {
  const files = LAYERS.flatMap(sources);
  it('reads the sources', () => {
    for (const layer of LAYERS) expect(files.some((f) => f.startsWith(`${layer}/`)), layer).toBe(true);
  });
  it('no import points from a lower layer to a higher one', () => {
    const upward = files.flatMap((f) => imports(f).filter((to) => layerOf(to) > layerOf(f)).map((to) => `${f} → ${to}`));
    expect(upward).toEqual([]);
  });
});
