// The views of a compiled model: the derivative typeset by KaTeX from the
// LaTeX emitter's rows, the forward/backward graph drawn by Graphviz
// (@viz-js/viz) from the DOT emitter, and the generated code with each line
// tied to the model line it came from (the JS source map; the WGSL's `← file:N`
// comments, which the same origins write).
import { instance, type Viz } from '@viz-js/viz';
import katex from 'katex';
import type { Compilation, TexRow } from '../targets/library.js';
export { sourceLines } from '../targets/sourcemap.js';

const el = <K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string) => {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
};

/** Where a click on an equation, a generated line or a model line goes: every view marks that model line. */
export type Select = (line: number | undefined) => void;

export async function renderDerivative(into: HTMLElement, c: Compilation, select: Select): Promise<void> {
  const { forward, derivative } = await c.latex();
  const section = (title: string, rows: TexRow[]) => {
    const box = el('section');
    box.append(el('h3', undefined, title));
    for (const r of rows) {
      const line = c.model!.origins.get(r.node.id)?.loc.line;
      const row = el('div', 'eq');
      if (line !== undefined) row.dataset.line = String(line);
      row.title = line !== undefined ? `from line ${line} (${c.model!.origins.get(r.node.id)!.rule}): click to see its code` : '';
      katex.render(`${r.lhs} = ${r.rhs} \\quad ${r.note}`, row, { throwOnError: false, displayMode: false });
      row.addEventListener('click', () => select(line));
      box.append(row);
    }
    return box;
  };
  const note = el('p', 'note', 'δ: an error signal, ∂loss/∂(a forward value), computed once and reused by every gradient below it.');
  into.replaceChildren(section('forward', forward), section('derivative', derivative), ...(derivative.some((r) => r.lhs.startsWith('\\delta')) ? [note] : []));
}

let viz: Promise<Viz> | undefined;
/** Graphviz (WebAssembly) starts on first use; starting it early hides that from the first keystroke. */
export function warmGraphviz(): Promise<Viz> {
  viz ??= instance();
  return viz;
}

/** Draws the graph; hovering a node shows its shape and local gradient in `tip`. */
export async function renderGraph(into: HTMLElement, tip: HTMLElement, c: Compilation, select: Select): Promise<void> {
  const svg = (await warmGraphviz()).renderSVGElement(c.dot());
  // Fit the panel's width, but never below 0.6 of Graphviz’s size (labels stay legible: wider graphs scroll).
  const box = svg.viewBox.baseVal;
  const scale = Math.min(1.6, Math.max(0.6, (into.clientWidth || 800) / box.width));
  svg.setAttribute('width', `${Math.round(box.width * scale)}px`);
  svg.setAttribute('height', `${Math.round(box.height * scale)}px`);
  for (const g of svg.querySelectorAll<SVGGElement>('g.node')) {
    const title = g.querySelector('title');
    const m = /^n(\d+)$/u.exec(title?.textContent ?? '');
    title?.remove(); // the tip below replaces the browser's tooltip
    if (!m) continue;
    const id = Number(m[1]);
    // Worked out on hover: a node's local gradient costs a VJP, and a graph has dozens of nodes.
    const info = () => c.node(id);
    g.addEventListener('mouseenter', () => {
      const n = info();
      if (!n) return;
      tip.replaceChildren(
        el('div', 'tip-head', `${n.expr || n.op}`),
        el('div', undefined, `shape ${n.shape}${n.backward ? ' · backward pass' : ''}`),
        ...(n.line ? [el('div', 'tip-origin', `line ${n.line}: ${n.rule}`)] : []),
        ...n.local.map((l) => el('div', 'tip-local', l.expr)),
      );
      tip.hidden = false;
    });
    g.addEventListener('mousemove', (e) => {
      const r = into.getBoundingClientRect();
      tip.style.left = `${e.clientX - r.left + 14}px`;
      tip.style.top = `${e.clientY - r.top + 14}px`;
    });
    g.addEventListener('mouseleave', () => (tip.hidden = true));
    g.addEventListener('click', () => select(info()?.line));
  }
  into.replaceChildren(svg, tip);
}

/** The model line of each WGSL line: a `← model.nn:N, …` comment starts a block that runs to the next one or a blank line. */
export function linesFromComments(text: string, file: string): (number | undefined)[] {
  const marker = new RegExp(`← ${file.replace(/[.*+?^${}()|[\]\\]/gu, '\\$&')}:(\\d+)`, 'u');
  const lines = text.split('\n');
  const out: (number | undefined)[] = new Array(lines.length).fill(undefined);
  let current: number | undefined;
  lines.forEach((l, i) => {
    const m = marker.exec(l);
    if (m) {
      current = Number(m[1]);
      // The comment lines just above the marker (`// h = relu(…)`) describe the same code.
      for (let k = i - 1; k >= 0 && /^\s*\/\/ /u.test(lines[k]!) && out[k] === undefined && !/^\s*\/\/\s*$/u.test(lines[k]!); k--) out[k] = current;
    } else if (!l.trim() || /^\s*(fn|@compute|export function|function)\b/u.test(l)) current = undefined;
    out[i] = current;
  });
  return out;
}

/** A code listing whose lines carry their model line; a click on one selects it. */
export function renderCode(into: HTMLElement, text: string, lines: (number | undefined)[], select: Select): void {
  const pre = el('pre', 'code');
  const frag = document.createDocumentFragment();
  text.split('\n').forEach((l, i) => {
    const span = el('span', 'cl', `${l}\n`);
    const line = lines[i];
    if (line !== undefined) {
      span.dataset.line = String(line);
      span.classList.add('traced');
      span.addEventListener('click', () => select(line));
    }
    frag.append(span);
  });
  pre.append(frag);
  into.replaceChildren(pre);
}

/** Marks everything that came from model line `line` in `root` (and scrolls the first into view where asked). */
export function markLine(root: HTMLElement, line: number | undefined, scroll: boolean): void {
  for (const e of root.querySelectorAll('.marked')) e.classList.remove('marked');
  if (line === undefined) return;
  const hits = root.querySelectorAll<HTMLElement>(`[data-line="${line}"]`);
  hits.forEach((e) => e.classList.add('marked'));
  if (!scroll) return;
  const seen = new Set<Element | null>();
  for (const h of hits) {
    const pane = h.closest('.scroll');
    if (seen.has(pane)) continue;
    seen.add(pane);
    h.scrollIntoView({ block: 'nearest' });
  }
}
