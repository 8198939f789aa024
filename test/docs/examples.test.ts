// The documentation runs as written.
// - README.md: every `$ gradc …` line runs from the repository's root, exits 0
//   and prints the lines shown under it (`…` stands for lines left out); every
//   `./bin/gradc …` line of a sh block runs and exits 0.
// - docs/*.md: each page runs in a fresh folder (with `examples/` linked in),
//   top to bottom: a block after "Save this as `NAME`:" is written to NAME;
//   `$ gradc …` and `$ node FILE` lines run there, their shown lines checked.
//   Then every other js block runs as a module there, and every saved page's
//   module script runs in Node with `fetch` reading the folder, a `document`
//   that records what the page shows (compared with the "The page shows:"
//   block), and, for WebGPU pages, `navigator.gpu` from the webgpu package.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodeDevice } from '../../runtime/gpu/device.js';
import { gradc } from '../helpers/cli.js';

const root = resolve(import.meta.dirname, '../..');
const docs = readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`);

interface Block {
  info: string;
  lines: string[];
  /** The file the text before the block says to save it as. */
  saveAs?: string;
  /** The text just before the block says it is what a page shows. */
  shows: boolean;
}

function blocks(text: string): Block[] {
  const out: Block[] = [];
  const re = /^```(\S*)\n([\s\S]*?)^```$/gmu;
  let last = 0;
  for (const m of text.matchAll(re)) {
    const before = (text.slice(last, m.index).trim().split(/\n\s*\n/u).pop() ?? '').replace(/\s+/gu, ' ');
    last = m.index + m[0].length;
    const save = /as `([^`]+)`:$/u.exec(before);
    out.push({ info: m[1]!, lines: m[2]!.replace(/\n$/u, '').split('\n'), saveAs: save?.[1], shows: /The page shows:$/u.test(before) });
  }
  return out;
}

/** A command line and the lines shown under it, up to the next command. */
function commands(b: Block): { line: string; shown: string[] }[] {
  const out: { line: string; shown: string[] }[] = [];
  b.lines.forEach((line, i) => {
    if (!line.startsWith('$ ')) return;
    const end = b.lines.findIndex((l, k) => k > i && l.startsWith('$ '));
    out.push({ line: line.slice(2), shown: b.lines.slice(i + 1, end < 0 ? undefined : end) });
  });
  return out;
}

/** Each shown line appears in `got`, in order; `…` skips any number of lines. */
function expectShown(got: string, shown: string[], what: string): void {
  const lines = got.split('\n').map((l) => l.trimEnd());
  let at = 0;
  for (const want of shown.map((l) => l.trimEnd())) {
    if (want === '…') continue;
    const k = lines.indexOf(want, at);
    expect(k, `${what}: line not printed (in order): ${want}\n--- got:\n${got}`).toBeGreaterThanOrEqual(0);
    at = k + 1;
  }
}

async function inDir<T>(dir: string, f: () => Promise<T>): Promise<T> {
  const cwd = process.cwd();
  process.chdir(dir);
  try {
    return await f();
  } finally {
    process.chdir(cwd);
  }
}

const split = (s: string) => s.trim().split(/\s+/u);

describe('README.md runs as written', () => {
  const list: { args: string[]; shown?: string[] }[] = [];
  for (const b of blocks(readFileSync(join(root, 'README.md'), 'utf8'))) {
    for (const c of commands(b)) if (c.line.startsWith('gradc ')) list.push({ args: split(c.line).slice(1), shown: c.shown });
    if (b.info !== 'sh') continue;
    for (const line of b.lines) {
      const sh = /(?:^|&& )\.\/bin\/gradc ([^#]*?)\s*(?:#.*)?$/u.exec(line);
      if (sh) list.push({ args: split(sh[1]!) });
    }
  }
  it('finds the examples', () => expect(list.length).toBeGreaterThan(6));
  for (const ex of list) {
    it(`gradc ${ex.args.join(' ')}`, async () => {
      const r = await inDir(root, () => gradc(...ex.args));
      expect(r.code, r.err).toBe(0);
      if (ex.shown) expectShown(r.out + r.err, ex.shown, `gradc ${ex.args.join(' ')}`);
    }, 60_000);
  }
});

/** Runs a page's module script in Node, with the browser pieces it uses; returns what it shows. */
const PAGE_PRELUDE = `
import { readFileSync } from 'node:fs';
let shown = '';
globalThis.document = { querySelector: () => ({ set textContent(v) { shown += v; }, get textContent() { return shown; } }) };
globalThis.fetch = async (url) => ({ json: async () => JSON.parse(readFileSync(url, 'utf8')), text: async () => readFileSync(url, 'utf8') });
if (process.env.PAGE_GPU) {
  const { nodeDevice } = await import(process.env.PAGE_GPU);
  const probe = await nodeDevice();
  globalThis.navigator = { gpu: { requestAdapter: async () => (probe.device ? { requestDevice: async () => probe.device } : null) } };
}
process.on('beforeExit', () => { process.stdout.write(shown); process.exit(0); });
`;

// Pages that show commands run them; pages that only explain (limits, the op
// table) have none to run. The guide must always be among the runnable ones.
const runnable = docs.filter((page) => blocks(readFileSync(join(root, page), 'utf8')).some((b) => commands(b).some((c) => /^(gradc|node) /u.test(c.line))));
it('runs the guide', () => expect(runnable).toContain('docs/guide.md'));

for (const page of runnable) {
  describe(`${page} runs as written`, () => {
    const all = blocks(readFileSync(join(root, page), 'utf8'));
    const dir = mkdtempSync(join(tmpdir(), 'gradc-docs-'));
    symlinkSync(join(root, 'examples'), join(dir, 'examples'));
    const node = (file: string, env: Record<string, string> = {}) =>
      execFileSync(process.execPath, [file], { cwd: dir, encoding: 'utf8', env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });

    it('top to bottom: files saved, commands run, their output as shown', async () => {
      let ran = 0;
      for (const b of all) {
        if (b.saveAs) writeFileSync(join(dir, b.saveAs), b.lines.join('\n') + '\n');
        for (const c of commands(b)) {
          const args = split(c.line);
          if (args[0] === 'gradc') {
            const r = await inDir(dir, () => gradc(...args.slice(1)));
            expect(r.code, `${c.line}\n${r.err}`).toBe(0);
            expectShown(r.out + r.err, c.shown, c.line);
          } else if (args[0] === 'node') {
            expectShown(node(args[1]!), c.shown, c.line);
          } else continue;
          ran++;
        }
      }
      expect(ran).toBeGreaterThan(0);
    }, 120_000);

    it('the code blocks that are not files run as modules', () => {
      const loose = all.filter((b) => b.info === 'js' && !b.saveAs);
      loose.forEach((b, k) => {
        writeFileSync(join(dir, `block${k}.mjs`), b.lines.join('\n') + '\n');
        node(`block${k}.mjs`);
      });
    }, 60_000);

    it('the pages run, and show what the page says they show', async (ctx) => {
      const pages = all.map((b, k) => [b, all[k + 1]] as const).filter(([b]) => b.info === 'html' && b.saveAs);
      if (!pages.length) return ctx.skip();
      const gpu = (await nodeDevice()).device !== undefined;
      for (const [b, next] of pages) {
        const script = /<script type="module">([\s\S]*?)<\/script>/u.exec(b.lines.join('\n'))?.[1];
        expect(script, `${b.saveAs} has a module script`).toBeDefined();
        const usesGpu = script!.includes('navigator.gpu');
        if (usesGpu && !gpu) continue; // no WebGPU device on this machine (the device test says why)
        writeFileSync(join(dir, `${b.saveAs}.mjs`), PAGE_PRELUDE + script);
        const out = node(`${b.saveAs}.mjs`, usesGpu ? { PAGE_GPU: join(root, 'dist/runtime/gpu/device.js'), XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? tmpdir() } : {});
        expect(next?.shows, `a "The page shows:" block follows ${b.saveAs}`).toBe(true);
        expect(out.trim()).toBe(next!.lines.join('\n').trim());
      }
    }, 300_000);
  });
}
