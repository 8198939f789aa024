// The gradc playground: type a model, and as you type see its diagnostics,
// derivative, graph and code; explain it on your numbers, compare the ways to
// differentiate it, and train it in the page. Everything runs here: the
// compiler is the library entry point (targets/library.ts), bundled.
import 'katex/dist/katex.min.css';
import './style.css';
import type { EditorView } from '@codemirror/view';
import { compile, type Compilation } from '../targets/library.js';
import { createEditor, setMarkedLines, setText, showDiagnostics } from './editor.js';
import { renderCompare, renderExplainForm, runExplain } from './teach.js';
import { DATASETS, drawCurves, gpuDevice, gunzip, PageRun, StepChart, type Backend } from './train.js';
import { linesFromComments, markLine, renderCode, renderDerivative, renderGraph, sourceLines, warmGraphviz } from './views.js';

declare const __GRADC_VERSION__: string;

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;

const EXAMPLES: Record<string, string> = Object.fromEntries(
  Object.entries(import.meta.glob('../examples/*.nn', { query: '?raw', import: 'default', eager: true }) as Record<string, string>).map(([path, text]) => [path.replace(/^.*\//u, ''), text]),
);

/** What the browser tests read: timings (ms) and the state of the last update and run. */
export interface PlaygroundProbe {
  /** From navigation start to the first derivative, graph and code on screen. */
  coldStartMs?: number;
  /** From the last edit to its derivative, graph and code on screen, for each update. */
  updateMs: number[];
  updates: number;
  ok?: boolean;
  run?: PageRun;
  backend?: Backend;
  training: boolean;
  trainError?: string;
  /** Everything the page loaded is cached: it works offline from now on. */
  offline?: boolean;
}
const probe: PlaygroundProbe = { updateMs: [], updates: 0, training: false };
(window as unknown as { gradc: PlaygroundProbe }).gradc = probe;

// ---- the model in the URL --------------------------------------------------
const fromHash = (): string | undefined => {
  const m = /^#model=(.*)$/su.exec(location.hash);
  try {
    return m ? decodeURIComponent(m[1]!) : undefined;
  } catch {
    return undefined;
  }
};
const FILE = 'model.nn';
const examples = $<HTMLSelectElement>('examples');
for (const name of Object.keys(EXAMPLES)) examples.add(new Option(name, name));
const initial = fromHash() ?? EXAMPLES['window.nn'] ?? '';
examples.value = Object.entries(EXAMPLES).find(([, t]) => t === initial)?.[0] ?? '';

// ---- the update loop: compile on every change, render what is visible -------
let current: Compilation | undefined;
let lang: 'js' | 'wgsl' = 'js';
let activeTab = 'graph';
let editedAt = performance.now();
let pending = false;
let running = false;

function select(line: number | undefined, from?: 'editor'): void {
  markLine($('math'), line, true);
  markLine($('code'), line, true);
  if (from !== 'editor') editor.dispatch({ effects: setMarkedLines.of(line === undefined ? [] : [line]) });
}

function renderCodePane(c: Compilation): void {
  if (lang === 'js') {
    const { text, map } = c.js();
    renderCode($('code'), text, sourceLines(map), select);
  } else {
    const text = c.wgsl().wgsl;
    renderCode($('code'), text, linesFromComments(text, c.file), select);
  }
}

async function renderTab(c: Compilation): Promise<void> {
  if (activeTab === 'compare') renderCompare($('compare'), c);
  if (activeTab === 'explain') await renderExplainForm($<HTMLFormElement>('explain-form'), c);
}

async function update(): Promise<void> {
  if (running) {
    pending = true;
    return;
  }
  running = true;
  try {
    do {
      pending = false;
      const since = editedAt;
      const text = editor.state.doc.toString();
      const c = compile(text, { file: FILE, version: __GRADC_VERSION__ });
      current = c;
      showDiagnostics(editor, c.diagnostics);
      const diag = $('diagnostics');
      diag.textContent = c.diagnostics.map((d) => d.text).join('\n');
      diag.hidden = !c.diagnostics.length;
      diag.classList.toggle('has-errors', !c.ok);
      document.body.classList.toggle('broken', !c.ok);
      probe.ok = c.ok;
      setStatus(c.ok ? `${c.model!.params.length} params · loss ${c.model!.loss.name}` : `${c.diagnostics.filter((d) => d.severity === 'error').length} error(s)`);
      if (c.ok) {
        renderCodePane(c);
        await Promise.all([renderDerivative($('math'), c, select), renderGraph($('graph'), $('tip'), c, select)]);
        if (pending) continue; // newer text is waiting: its update is what counts
        const ms = performance.now() - since;
        probe.updateMs.push(ms);
        probe.coldStartMs ??= performance.now();
        await renderTab(c);
      }
      probe.updates++;
      history.replaceState(null, '', `#model=${encodeURIComponent(text)}`);
    } while (pending);
  } catch (e) {
    setStatus(`internal error: ${(e as Error).message}`, true);
    console.error(e);
  } finally {
    running = false;
  }
}

function setStatus(text: string, error = false): void {
  const s = $('status');
  s.textContent = text;
  s.classList.toggle('error', error);
}

const editor: EditorView = createEditor($('editor'), initial, {
  change: () => {
    editedAt = performance.now();
    void update();
  },
  line: (n) => select(n, 'editor'),
});
void warmGraphviz();
void update();

examples.addEventListener('change', () => setText(editor, EXAMPLES[examples.value] ?? ''));
window.addEventListener('hashchange', () => {
  const t = fromHash();
  if (t !== undefined && t !== editor.state.doc.toString()) setText(editor, t);
});
$('share').addEventListener('click', async () => {
  await navigator.clipboard?.writeText(location.href).catch(() => {});
  setStatus('link copied: it holds the model');
});

// ---- tabs -------------------------------------------------------------------
for (const b of document.querySelectorAll<HTMLButtonElement>('#tabs button')) {
  b.addEventListener('click', () => {
    activeTab = b.dataset.tab!;
    for (const x of document.querySelectorAll('#tabs button, .tab')) x.classList.remove('active');
    b.classList.add('active');
    $(`tab-${activeTab}`).classList.add('active');
    if (current?.ok) void renderTab(current);
  });
}
for (const r of document.querySelectorAll<HTMLInputElement>('input[name=lang]')) {
  r.addEventListener('change', () => {
    lang = r.value as 'js' | 'wgsl';
    if (current?.ok) renderCodePane(current);
  });
}
$<HTMLFormElement>('explain-form').addEventListener('submit', (e) => {
  e.preventDefault();
  if (current?.ok) void runExplain($<HTMLFormElement>('explain-form'), $('explain-out'), current);
});

// ---- training ---------------------------------------------------------------
const form = $<HTMLFormElement>('train-form');
const field = (name: string) => form.elements.namedItem(name) as HTMLInputElement | HTMLSelectElement;
const chart = new StepChart($<HTMLCanvasElement>('step-chart'));
let dropped: { file: string; text: string } | undefined;
let run: PageRun | undefined;

field('data').addEventListener('change', () => {
  const d = DATASETS[field('data').value];
  field('columns').value = d?.columns ?? '';
  if (field('data').value === 'file') (field('file') as HTMLInputElement).click();
});
field('columns').value = DATASETS.digits!.columns ?? '';
const takeFile = async (f: File) => {
  dropped = { file: f.name, text: await gunzip(new Uint8Array(await f.arrayBuffer())) };
  field('data').value = 'file';
  field('columns').value = '';
  trainStatus(`${f.name}: ${dropped.text.split('\n').filter(Boolean).length} lines; set the columns if the header does not name the inputs`);
};
field('file').addEventListener('change', () => {
  const f = (field('file') as HTMLInputElement).files?.[0];
  if (f) void takeFile(f);
});
const drop = $('drop');
drop.addEventListener('dragover', (e) => {
  e.preventDefault();
  drop.classList.add('over');
});
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', (e) => {
  e.preventDefault();
  drop.classList.remove('over');
  const f = e.dataTransfer?.files[0];
  if (f) void takeFile(f);
});

function trainStatus(text: string, error = false): void {
  const s = $('train-status');
  s.textContent = text;
  s.classList.toggle('error', error);
}

const buttons = (training: boolean, canResume: boolean) => {
  $<HTMLButtonElement>('train-start').disabled = training;
  $<HTMLButtonElement>('train-stop').disabled = !training;
  $<HTMLButtonElement>('train-resume').disabled = training || !canResume;
  $<HTMLButtonElement>('train-download').disabled = training || !run?.history.length;
  probe.training = training;
};

async function go(resume: boolean): Promise<void> {
  if (!current?.ok) return trainStatus('the model has errors: fix them first', true);
  try {
    if (!resume) {
      const which = field('data').value;
      const data = which === 'file' ? dropped : { file: DATASETS[which]!.file, text: await DATASETS[which]!.text() };
      if (!data) return trainStatus('choose or drop a CSV file first', true);
      let backend = field('backend').value as Backend | 'auto';
      if (backend === 'auto') backend = typeof (await gpuDevice()) === 'string' ? 'cpu' : 'webgpu';
      run = new PageRun(current, {
        data: { ...data, columns: field('columns').value.trim() || undefined },
        backend,
        epochs: Number(field('epochs').value),
        batch: Number(field('batch').value),
        val: Number(field('val').value),
        seed: Number(field('seed').value),
      }, {
        status: trainStatus,
        step: (info) => {
          chart.push(info);
          if (info.position === info.steps || info.step % 8 === 0) {
            chart.draw();
            trainStatus(`${run!.settings.backend === 'webgpu' ? 'WebGPU' : 'CPU'} · epoch ${info.epoch + 1}/${info.epochs} · step ${info.position}/${info.steps} · loss ${info.loss.toPrecision(4)} · lr ${info.lr.toPrecision(3)}${info.examplesPerSecond === null ? "" : ` · ${Math.round(info.examplesPerSecond)} examples/s`}`);
          }
        },
        epoch: (h) => drawCurves($('curves'), h, `${current!.file} on ${run!.settings.data.file}`),
      });
      probe.run = run;
      probe.backend = backend;
      probe.trainError = undefined;
      chart.reset();
      trainStatus(`preparing ${backend === 'webgpu' ? 'the WebGPU module' : 'the CPU module'}…`);
      await run.prepare();
    }
    buttons(true, false);
    const r = await run!.run();
    chart.draw();
    const last = r.history[r.history.length - 1];
    const acc = last?.val_accuracy == null ? '' : ` · validation accuracy ${(100 * last.val_accuracy).toFixed(1)} %`;
    if (r.reason === 'diverged') trainStatus(r.error!, true);
    else trainStatus(`${r.reason === 'interrupted' ? 'stopped' : 'done'} after ${r.epoch} epochs (${r.step} steps, ${r.seconds.toFixed(1)} s)${last ? ` · train loss ${last.train_loss.toPrecision(4)}` : ''}${acc}`);
    buttons(false, r.reason === 'interrupted');
  } catch (e) {
    probe.trainError = (e as Error).message;
    trainStatus((e as Error).message, true);
    buttons(false, false);
  }
}

form.addEventListener('submit', (e) => {
  e.preventDefault();
  void go(false);
});
$('train-stop').addEventListener('click', () => run?.stop());
$('train-resume').addEventListener('click', () => void go(true));
$('train-download').addEventListener('click', () => {
  for (const f of run?.downloads() ?? []) {
    const a = Object.assign(document.createElement('a'), { href: URL.createObjectURL(new Blob([f.text], { type: 'text/plain' })), download: f.name });
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  }
});

// ---- offline once loaded ----------------------------------------------------
// The service worker (public/sw.js) answers from the cache without a network;
// what loaded before it started (the page, the bundle, KaTeX's fonts) is put there now.
async function keepOffline(): Promise<void> {
  await navigator.serviceWorker.register('./sw.js');
  const worker = (await navigator.serviceWorker.ready).active!;
  const here = location.href.split('#')[0]!;
  const urls = [here, ...performance.getEntriesByType('resource').map((e) => e.name).filter((u) => new URL(u).origin === location.origin && !u.startsWith('blob:'))];
  const reply = new MessageChannel();
  const kept = new Promise<string | undefined>((ok) => (reply.port1.onmessage = (e) => ok((e.data as { error?: string }).error)));
  worker.postMessage({ keep: [...new Set(urls)] }, [reply.port2]);
  const error = await kept;
  if (error) throw new Error(error);
  probe.offline = true;
}
if ('serviceWorker' in navigator) {
  const wait = setInterval(() => {
    if (probe.coldStartMs === undefined) return;
    clearInterval(wait);
    if (!navigator.onLine) return; // loaded from the cache already
    void keepOffline().catch((e) => console.warn(`gradc: not kept for offline use: ${(e as Error).message}`));
  }, 500);
}
