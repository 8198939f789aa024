// The documentation's own examples run as written: every `$ gradc …` line in
// README.md and docs/*.md runs from the repository's root, exits 0, and prints
// the lines shown under it (a line `…` stands for lines left out). Every
// `./bin/gradc …` line in a sh block runs and exits 0.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gradc } from '../helpers/cli.js';

const root = resolve(import.meta.dirname, '../..');
const pages = ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

interface Example {
  page: string;
  args: string[];
  /** The output lines shown under the command, or undefined when only its exit code is checked. */
  shown?: string[];
}

/** Fenced blocks of a page: their info string and lines. */
function blocks(text: string): { info: string; lines: string[] }[] {
  const out: { info: string; lines: string[] }[] = [];
  const re = /^```(\S*)\n([\s\S]*?)^```$/gmu;
  for (const m of text.matchAll(re)) out.push({ info: m[1]!, lines: m[2]!.replace(/\n$/u, '').split('\n') });
  return out;
}

export function examples(): Example[] {
  const list: Example[] = [];
  for (const page of pages) {
    for (const b of blocks(readFileSync(join(root, page), 'utf8'))) {
      b.lines.forEach((line, i) => {
        const cmd = /^\$ gradc (.*)$/u.exec(line);
        if (cmd) {
          const end = b.lines.findIndex((l, k) => k > i && l.startsWith('$ '));
          list.push({ page, args: cmd[1]!.split(/\s+/u), shown: b.lines.slice(i + 1, end < 0 ? undefined : end) });
        }
        const sh = b.info === 'sh' ? /(?:^|&& )\.\/bin\/gradc ([^#]*?)\s*(?:#.*)?$/u.exec(line) : null;
        if (sh) list.push({ page, args: sh[1]!.split(/\s+/u) });
      });
    }
  }
  return list;
}

describe('the documentation runs as written', () => {
  const all = examples();
  it('finds the examples', () => expect(all.length).toBeGreaterThan(6));

  for (const ex of all) {
    it(`${ex.page}: gradc ${ex.args.join(' ')}`, async () => {
      const cwd = process.cwd();
      process.chdir(root);
      try {
        const r = await gradc(...ex.args);
        expect(r.code, r.err).toBe(0);
        if (!ex.shown) return;
        // Each shown line appears in order; `…` skips any number of lines.
        const got = (r.out + r.err).split('\n').map((l) => l.trimEnd());
        let at = 0;
        for (const want of ex.shown.map((l) => l.trimEnd())) {
          if (want === '…') continue;
          const k = got.indexOf(want, at);
          expect(k, `line not printed (in order): ${want}\n--- got:\n${got.join('\n')}`).toBeGreaterThanOrEqual(0);
          at = k + 1;
        }
      } finally {
        process.chdir(cwd);
      }
    }, 60_000);
  }
});
