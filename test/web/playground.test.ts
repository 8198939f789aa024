// The playground in a real browser: Debian's chromium driven by playwright-core
// (never a browser download), WebGPU through SwiftShader. It types a model and
// waits for the derivative, graph and code; types a broken one and finds the
// CLI's message under the exact place; trains digits a few epochs on WebGPU and
// on the CPU module and checks that the loss falls and the two agree.
// Screenshots and the measured times go to dist/test-artifacts/web/.
// Without chromium it says so in one line and skips.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveStatic } from '../../bin/commands/playground.js';
import type { EpochRecord } from '../../runtime/train/checkpoint.js';

const root = resolve(import.meta.dirname, '../..');
const CHROMIUM = '/usr/bin/chromium';
const SITE = join(root, 'dist/web');
export const ARTIFACTS = join(root, 'dist/test-artifacts/web');
const have = existsSync(CHROMIUM);
if (!have) console.log(`browser tests: skipped: no chromium at ${CHROMIUM} (apt-get install chromium)`);

/** ../shared/notes/webgpu-without-a-gpu.md §5: headless chromium with SwiftShader's Vulkan for WebGPU. */
const FLAGS = ['--headless', '--no-sandbox', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--enable-unsafe-webgpu', '--enable-features=Vulkan'];

const WINDOW = `dim d = 50, n = 8
input  x : [5*d]
param  W : [n, 5*d] ~ xavier
param  b : [n] ~ zeros
param  u : [n] ~ normal(0.1)
wrt x
s = uᵀ h
h = relu(z)
z = W x + b
loss s
`;
const BROKEN = 'param W : [3, 4]\ninput x : [5]\nloss J = sum(W x)\n';

interface Probe {
  coldStartMs?: number;
  updateMs: number[];
  updates: number;
  ok?: boolean;
  training: boolean;
  trainError?: string;
  offline?: boolean;
  backend?: string;
  run?: { history: EpochRecord[]; result?: { reason: string; history: EpochRecord[] } };
}

// What page.evaluate's functions see in the browser (this project's tsconfig has no DOM library).
declare const window: { gradc: Probe };
declare const document: { querySelector(s: string): { textContent: string | null } | null; createRange(): DomRange; getElementById(id: string): { click(): void } | null };
declare function setInterval(f: () => void, ms: number): number;
declare function clearInterval(t: number): void;
interface DomRange { setStart(n: unknown, k: number): void; setEndBefore(n: unknown): void; toString(): string }

const probe = (page: Page) => page.evaluate(() => {
  const p = window.gradc;
  return { ...p, run: p.run && { history: p.run.history, result: p.run.result && { reason: p.run.result.reason, history: p.run.result.history } } };
});

describe.skipIf(!have)('the playground in chromium', { timeout: 120_000 }, () => {
  let browser: Browser;
  let server: Server;
  let url: string;
  let page: Page;
  const measured: Record<string, unknown> = {};

  beforeAll(async () => {
    // The site as `npm run build:web` writes it, from the sources under test.
    mkdirSync(ARTIFACTS, { recursive: true });
    await build({ configFile: join(root, 'web/vite.config.ts'), logLevel: 'error' });
    server = await serveStatic(SITE, 0);
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS }); // playwright gives it a fresh profile
    page = await browser.newPage({ viewport: { width: 1366, height: 800 } });
    page.on('pageerror', (e) => console.log(`page error: ${e.message}`));
    page.on('console', (m) => m.type() === 'warning' && console.log(`page: ${m.text()}`));
  }, 120_000);

  afterAll(async () => {
    writeFileSync(join(ARTIFACTS, 'measured.json'), JSON.stringify(measured, null, 2) + '\n');
    console.log(`browser tests: measured ${JSON.stringify(measured)}`);
    await browser?.close();
    server?.close();
  });

  /** Replaces the editor's text by typing it, key by key, as a user would. */
  async function typeModel(text: string): Promise<number> {
    const before = (await probe(page)).updates;
    await page.click('.cm-content');
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Delete');
    await page.keyboard.type(text);
    await page.waitForFunction((n) => window.gradc.updates > n, before);
    // Let the last keystroke's update finish.
    await page.waitForTimeout(300);
    return before;
  }

  it('shows the derivative, the graph and the code of a typed model', async () => {
    await page.goto(url);
    await page.waitForFunction(() => window.gradc.coldStartMs !== undefined, undefined, { timeout: 30_000 });
    measured.coldStartToFirstDerivativeMs = Math.round((await probe(page)).coldStartMs!);

    await typeModel(WINDOW);
    const p = await probe(page);
    expect(p.ok).toBe(true);
    // The derivative, typeset: δ named, and every gradient.
    const math = await page.textContent('#math');
    expect(math).toContain('δ');
    for (const g of ['W', 'b', 'u', 'x']) expect(await page.locator(`#math .eq:has-text("∂s∂${g}")`).count(), g).toBeGreaterThan(0);
    // The graph: forward and backward nodes; hovering one shows its shape and local gradient.
    expect(await page.locator('#graph svg g.node').count()).toBeGreaterThan(8);
    await page.locator('#graph svg g.node', { hasText: 'relu' }).first().hover();
    const tip = await page.textContent('#tip');
    expect(tip).toContain('shape [8]');
    expect(tip).toContain('1[z > 0]');
    await page.screenshot({ path: join(ARTIFACTS, 'graph.png') });

    // The code, and a click on an equation marks the generated lines of its model line.
    await page.click('#tabs button[data-tab=code]');
    await page.locator('#math .eq', { hasText: 'relu' }).first().click();
    const marked = await page.locator('#code .cl.marked').allTextContents();
    expect(marked.length).toBeGreaterThan(0);
    expect(marked.join('')).toMatch(/relu|> 0/u);
    expect(await page.locator('.cm-line.nn-marked').textContent()).toBe('h = relu(z)');
    await page.screenshot({ path: join(ARTIFACTS, 'code.png') });
    // And back: a generated line marks its equation and its model line.
    await page.locator('#code .cl.traced', { hasText: 's = uᵀ h' }).first().click();
    expect(await page.locator('.cm-line.nn-marked').textContent()).toBe('s = uᵀ h');
    expect(await page.locator('#math .eq.marked').count()).toBeGreaterThan(0);
    // One keystroke at a time (a comment's letters: the views redraw each time), each measured
    // from the keystroke to the derivative, graph and code on screen.
    await page.click('.cm-content');
    await page.keyboard.press('Control+End');
    await page.keyboard.type('#');
    const each: number[] = [];
    for (const ch of 'abcdefgh') {
      const n = (await probe(page)).updates;
      await page.keyboard.type(ch);
      await page.waitForFunction((k) => window.gradc.updates > k, n);
      const q = await probe(page);
      each.push(Math.round(q.updateMs[q.updateMs.length - 1]!));
    }
    each.sort((a, b) => a - b);
    measured.keystrokeToViewsMs = { median: each[each.length >> 1], max: each[each.length - 1], samples: each };
    // The model travels in the URL.
    expect(decodeURIComponent(new URL(page.url()).hash)).toContain('h = relu(z)');
  });

  it('puts the command line\'s message under the exact place', async () => {
    await typeModel(BROKEN);
    expect((await probe(page)).ok).toBe(false);
    const dir = mkdtempSync(join(tmpdir(), 'gradc-web-'));
    writeFileSync(join(dir, 'model.nn'), BROKEN);
    let cli = '';
    try {
      execFileSync(join(root, 'bin/gradc'), ['model.nn'], { cwd: dir, stdio: 'pipe' });
    } catch (e) {
      cli = String((e as { stderr: Buffer }).stderr);
    }
    expect(cli).toMatch(/^model\.nn:3:15: error: /u);
    expect((await page.textContent('#diagnostics'))!.trim()).toBe(cli.trim());
    // The underline sits where the caret does: line 3, column 15 (the product's blank in `W x`).
    const [, line, col] = /^model\.nn:(\d+):(\d+):/u.exec(cli)!.map(Number);
    const range = page.locator('.cm-lintRange-error');
    await expect.poll(() => range.count()).toBe(1);
    const at = await range.first().evaluate((e) => {
      const row = e.closest('.cm-line')!;
      const before = document.createRange();
      before.setStart(row, 0);
      before.setEndBefore(e);
      return { line: [...row.parentElement!.children].indexOf(row) + 1, col: before.toString().length + 1, text: row.textContent };
    });
    expect(at).toEqual({ line, col, text: 'loss J = sum(W x)' });
    await page.screenshot({ path: join(ARTIFACTS, 'diagnostic.png') });
  });

  it('explains on the values in its form, as `gradc explain --at` does, and compares as a table', async () => {
    if (!page.url().startsWith(url)) await page.goto(url);
    await page.selectOption('#examples', 'max_example.nn');
    await page.waitForFunction(() => window.gradc.ok === true);
    await page.click('#tabs button[data-tab=explain]');
    await page.fill('#explain-form input[name=y]', '3');
    await page.click('#explain-form button[type=submit]');
    await expect.poll(() => page.textContent('#explain-out')).toContain('gradients');
    const dir = mkdtempSync(join(tmpdir(), 'gradc-web-'));
    writeFileSync(join(dir, 'at.json'), '{"y": 3}');
    const cli = execFileSync(join(root, 'bin/gradc'), ['explain', join(root, 'examples/max_example.nn'), '--at', join(dir, 'at.json')]).toString();
    expect(await page.textContent('#explain-out')).toBe(cli);
    await page.screenshot({ path: join(ARTIFACTS, 'explain.png') });

    await page.click('#tabs button[data-tab=compare]');
    const rows = page.locator('#compare table').first().locator('tr');
    await expect.poll(() => rows.count()).toBe(9);
    const json = JSON.parse(execFileSync(join(root, 'bin/gradc'), ['compare', join(root, 'examples/max_example.nn'), '--json']).toString()) as { reverse: { ops: number } };
    expect(await rows.nth(4).locator('td').allTextContents()).toEqual(['reverse mode: forward + backward', String(json.reverse.ops), expect.any(String), expect.any(String)]);
    await page.screenshot({ path: join(ARTIFACTS, 'compare.png') });
  });

  /** Trains the digits example for a few epochs on one backend; returns its history. */
  async function trainDigits(backend: 'webgpu' | 'cpu', epochs: number): Promise<EpochRecord[]> {
    if (!page.url().startsWith(url)) await page.goto(url);
    await page.selectOption('#examples', 'digits.nn');
    await page.waitForFunction(() => window.gradc.ok === true);
    await page.click('#tabs button[data-tab=train]');
    await page.selectOption('#train-form select[name=data]', 'digits');
    await page.selectOption('#train-form select[name=backend]', backend);
    await page.fill('#train-form input[name=epochs]', String(epochs));
    await page.evaluate(() => (window.gradc.run = undefined)); // wait for this run, not the last one
    await page.click('#train-start');
    await page.waitForFunction(() => {
      const p = window.gradc;
      return p.trainError !== undefined || (p.run?.result !== undefined && !p.training);
    }, undefined, { timeout: 90_000 });
    const p = await probe(page);
    expect(p.trainError).toBeUndefined();
    expect(p.backend).toBe(backend);
    expect(p.run!.result!.reason).toBe('epochs');
    return p.run!.result!.history;
  }

  it('trains digits on WebGPU and on the CPU module: the loss falls and the two agree', async () => {
    const epochs = 3;
    const gpu = await trainDigits('webgpu', epochs);
    await page.screenshot({ path: join(ARTIFACTS, 'train.png') });
    const cpu = await trainDigits('cpu', epochs);
    expect(gpu).toHaveLength(epochs);
    expect(cpu).toHaveLength(epochs);
    for (const h of [gpu, cpu]) {
      expect(h[epochs - 1]!.train_loss).toBeLessThan(h[0]!.train_loss * 0.6);
      expect(h[epochs - 1]!.val_accuracy).toBeGreaterThan(0.85);
    }
    // Same seed, same params, same batches, both float32: only the order of sums differs.
    gpu.forEach((g, k) => {
      expect(Math.abs(g.train_loss - cpu[k]!.train_loss) / cpu[k]!.train_loss, `epoch ${k + 1} train loss`).toBeLessThan(1e-2);
      expect(Math.abs(g.val_accuracy! - cpu[k]!.val_accuracy!), `epoch ${k + 1} accuracy`).toBeLessThanOrEqual(0.02);
    });

    // Stopped mid-epoch and resumed, the CPU run ends exactly where the uninterrupted one did.
    await page.evaluate(() => (window.gradc.run = undefined));
    await page.click('#train-start');
    // Polled inside the page (the loop lets timers in every 50 ms), so that the stop lands in epoch 2.
    await page.evaluate(() => new Promise<void>((done) => {
      const t = setInterval(() => {
        if ((window.gradc.run?.history.length ?? 0) < 1) return;
        clearInterval(t);
        document.getElementById('train-stop')!.click();
        done();
      }, 5);
    }));
    await page.waitForFunction(() => window.gradc.run?.result?.reason === 'interrupted' && !window.gradc.training);
    await page.click('#train-resume');
    await page.waitForFunction(() => window.gradc.run?.result?.reason === 'epochs' && !window.gradc.training, undefined, { timeout: 60_000 });
    expect((await probe(page)).run!.result!.history).toEqual(cpu);

    // The download: the CPU module and its trained state.
    const files = new Map<string, string>();
    const got = new Promise<void>((done) => page.on('download', async (d) => {
      files.set(d.suggestedFilename(), readFileSync((await d.path())!, 'utf8'));
      if (files.size === 2) done();
    }));
    await page.click('#train-download');
    await got;
    expect([...files.keys()].sort()).toEqual(['model.js', 'model.params.json']);
    expect(files.get('model.js')).toContain('export function create(');
    const state = JSON.parse(files.get('model.params.json')!) as Record<string, number[]>;
    expect(state.W1).toHaveLength(64 * 64);
    expect(state['@step']).toEqual([45 * epochs]);
    measured.digits = { epochs, webgpu: gpu.map((r) => [r.train_loss, r.val_accuracy]), cpu: cpu.map((r) => [r.train_loss, r.val_accuracy]) };
  }, 240_000); // SwiftShader runs the GPU steps on this machine's CPUs

  it('trains on a CSV file given to the page exactly as `gradc train` does on the CPU', async () => {
    if (!page.url().startsWith(url)) await page.goto(url);
    await page.selectOption('#examples', 'iris.nn');
    await page.waitForFunction(() => window.gradc.ok === true);
    await page.click('#tabs button[data-tab=train]');
    await page.setInputFiles('#train-form input[name=file]', join(root, 'examples/data/iris.csv'));
    await expect.poll(() => page.inputValue('#train-form select[name=data]')).toBe('file');
    await page.selectOption('#train-form select[name=backend]', 'cpu');
    await page.fill('#train-form input[name=epochs]', '5');
    await page.fill('#train-form input[name=batch]', '16');
    await page.evaluate(() => (window.gradc.run = undefined));
    await page.click('#train-start');
    await page.waitForFunction(() => window.gradc.trainError !== undefined || (window.gradc.run?.result !== undefined && !window.gradc.training), undefined, { timeout: 60_000 });
    const p = await probe(page);
    expect(p.trainError).toBeUndefined();
    const page5 = p.run!.result!.history.at(-1)!;
    const dir = mkdtempSync(join(tmpdir(), 'gradc-web-'));
    const cli = JSON.parse(execFileSync(join(root, 'bin/gradc'), ['train', join(root, 'examples/iris.nn'), '--data', join(root, 'examples/data/iris.csv'), '--val', '0.2', '--epochs', '5', '--batch', '16', '--json', '--checkpoint', join(dir, 'ck.json')]).toString()) as { train_loss: number; val_loss: number; val_accuracy: number };
    expect({ train_loss: page5.train_loss, val_loss: page5.val_loss, val_accuracy: page5.val_accuracy }).toEqual({ train_loss: cli.train_loss, val_loss: cli.val_loss, val_accuracy: cli.val_accuracy });
  });

  it('works offline once loaded', async () => {
    if (!page.url().startsWith(url)) await page.goto(url);
    await page.waitForFunction(() => window.gradc.offline === true, undefined, { timeout: 30_000 });
    await page.context().setOffline(true);
    try {
      await page.reload();
      await page.waitForFunction(() => window.gradc.coldStartMs !== undefined, undefined, { timeout: 30_000 });
      expect(await page.textContent('#math')).toContain('δ');
      expect(await page.locator('#graph svg g.node').count()).toBeGreaterThan(3);
    } finally {
      await page.context().setOffline(false);
    }
  });
});

describe('gradc playground', () => {
  it('serves the built site on 127.0.0.1 and prints the address', async () => {
    if (!existsSync(join(SITE, 'index.html'))) await build({ configFile: join(root, 'web/vite.config.ts'), logLevel: 'error' });
    const child = spawn(process.execPath, [join(root, 'bin/gradc'), 'playground', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const line = await new Promise<string>((ok, fail) => {
        let out = '';
        child.stdout.on('data', (d) => {
          out += String(d);
          if (out.includes('\n')) ok(out);
        });
        child.on('exit', (code) => fail(new Error(`exited ${code}`)));
      });
      const m = /^gradc playground: (http:\/\/127\.0\.0\.1:\d+\/)/u.exec(line);
      expect(m, line).not.toBeNull();
      const page = await fetch(m![1]!);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<div id="editor"');
      expect((await fetch(`${m![1]}..%2f..%2fpackage.json`)).status).toBe(404);
    } finally {
      child.kill('SIGTERM');
    }
  });

  it('says which port when --port is not one', () => {
    let err = '';
    let code = 0;
    try {
      execFileSync(process.execPath, [join(root, 'bin/gradc'), 'playground', '--port', 'x'], { stdio: 'pipe' });
    } catch (e) {
      err = String((e as { stderr: Buffer }).stderr);
      code = (e as { status: number }).status;
    }
    expect(code).toBe(2);
    expect(err).toContain("--port wants a port number");
  });
});
