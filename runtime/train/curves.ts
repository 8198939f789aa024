// Training curves: an SVG (train/val loss, validation accuracy, learning rate
// per epoch) written next to the checkpoint, and sparklines for the terminal.
// Plain SVG text: no dependency, readable, viewable in any browser.
import type { EpochRecord } from './checkpoint.js';
import { RATIO_BAND } from './metrics.js';
import type { EpochWatch } from './watch.js';

const esc = (s: string) => s.replace(/&/gu, '&amp;').replace(/</gu, '&lt;').replace(/>/gu, '&gt;');
const num = (x: number) => +x.toFixed(2);

/** About `count` round tick values covering [lo, hi]. */
export function ticks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((f) => f * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(+v.toPrecision(12));
  return out;
}

const label = (v: number) => (v === 0 ? '0' : Math.abs(v) >= 1e4 || Math.abs(v) < 1e-3 ? v.toExponential(0) : String(+v.toPrecision(4)));

interface Series {
  name: string;
  color: string;
  points: [number, number][];
  dashed?: boolean;
}

/** One chart: axes, ticks, grid, the series and a legend, inside a box at (x0, y0). */
interface PanelOptions {
  log?: boolean;
  yMin?: number;
  yMax?: number;
  /** A horizontal band to shade (the update/param ratio's), and a line inside it. */
  band?: { lo: number; hi: number; at: number };
  /** Shade between series 0 and 1 (the gap between train and validation accuracy). */
  gap?: boolean;
}

function panel(x0: number, y0: number, w: number, h: number, title: string, series: Series[], opts: PanelOptions): string {
  const pad = { l: 52, r: 10, t: 26, b: 34 };
  const all = series.flatMap((s) => s.points).filter(([, y]) => Number.isFinite(y) && (!opts.log || y > 0));
  const xs = all.map(([x]) => x);
  const ys = all.map(([, y]) => y);
  const xlo = Math.min(1, ...xs);
  const xhi = Math.max(xlo + 1, ...xs);
  let ylo = opts.yMin ?? Math.min(...ys);
  let yhi = opts.yMax ?? Math.max(...ys);
  // Nothing to draw (on a log scale: nothing positive, a gradient that is exactly 0): an empty unit range, never log10(0).
  if (!all.length) [ylo, yhi] = opts.log ? [0.1, 1] : [0, 1];
  const f = opts.log ? Math.log10 : (v: number) => v;
  if (f(yhi) - f(ylo) < 1e-12) [ylo, yhi] = opts.log ? [ylo / 2, yhi * 2] : [ylo - 0.5 * Math.abs(ylo || 1), yhi + 0.5 * Math.abs(yhi || 1)];
  const [flo, fhi] = [f(ylo), f(yhi)];
  const X = (x: number) => x0 + pad.l + ((x - xlo) / (xhi - xlo)) * (w - pad.l - pad.r);
  const Y = (y: number) => y0 + h - pad.b - ((f(y) - flo) / (fhi - flo)) * (h - pad.t - pad.b);
  const out: string[] = [`<g font-family="sans-serif" font-size="11">`];
  out.push(`<text x="${x0 + pad.l}" y="${y0 + 16}" font-size="13" font-weight="bold">${esc(title)}</text>`);
  const yt = opts.log ? logTicks(ylo, yhi) : ticks(ylo, yhi);
  for (const v of yt) {
    out.push(`<line x1="${num(X(xlo))}" x2="${num(X(xhi))}" y1="${num(Y(v))}" y2="${num(Y(v))}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${num(X(xlo) - 6)}" y="${num(Y(v) + 4)}" text-anchor="end" fill="#555">${label(v)}</text>`);
  }
  for (const v of ticks(xlo, xhi, 6).filter((v) => Number.isInteger(v))) {
    out.push(`<text x="${num(X(v))}" y="${num(y0 + h - pad.b + 16)}" text-anchor="middle" fill="#555">${v}</text>`);
  }
  out.push(`<text x="${num((X(xlo) + X(xhi)) / 2)}" y="${y0 + h - 4}" text-anchor="middle" fill="#555">epoch</text>`);
  out.push(`<rect x="${num(X(xlo))}" y="${y0 + pad.t}" width="${num(X(xhi) - X(xlo))}" height="${h - pad.t - pad.b}" fill="none" stroke="#999"/>`);
  if (opts.band) {
    const clip = (v: number) => Math.min(Math.max(Y(Math.min(Math.max(v, ylo), yhi)), y0 + pad.t), y0 + h - pad.b);
    const [top, bottom] = [clip(opts.band.hi), clip(opts.band.lo)];
    if (bottom > top) out.push(`<rect class="band" x="${num(X(xlo))}" y="${num(top)}" width="${num(X(xhi) - X(xlo))}" height="${num(bottom - top)}" fill="#2ca02c" fill-opacity="0.12"/>`);
    if (opts.band.at >= ylo && opts.band.at <= yhi) out.push(`<line x1="${num(X(xlo))}" x2="${num(X(xhi))}" y1="${num(Y(opts.band.at))}" y2="${num(Y(opts.band.at))}" stroke="#2ca02c" stroke-dasharray="2 2"/>`);
  }
  if (opts.gap && series.length >= 2) {
    const [a, b] = [series[0]!.points, series[1]!.points];
    const byX = new Map(b.map(([x, y]) => [x, y]));
    const both = a.filter(([x, y]) => Number.isFinite(y) && Number.isFinite(byX.get(x) ?? NaN));
    if (both.length > 1) {
      const d = [...both.map(([x, y]) => `${num(X(x))},${num(Y(y))}`), ...both.reverse().map(([x]) => `${num(X(x))},${num(Y(byX.get(x)!))}`)].join(' ');
      out.push(`<polygon class="gap" points="${d}" fill="#d62728" fill-opacity="0.15"/>`);
    }
  }
  series.forEach((s, k) => {
    const pts = s.points.filter(([, y]) => Number.isFinite(y) && (!opts.log || y > 0));
    if (!pts.length) return;
    const d = pts.map(([x, y]) => `${num(X(x))},${num(Y(y))}`).join(' ');
    out.push(`<polyline points="${d}" fill="none" stroke="${s.color}" stroke-width="1.8"${s.dashed ? ' stroke-dasharray="5 3"' : ''}/>`);
    if (pts.length <= 40) for (const [x, y] of pts) out.push(`<circle cx="${num(X(x))}" cy="${num(Y(y))}" r="2.2" fill="${s.color}"/>`);
    const lx = x0 + w - pad.r - 90;
    const ly = y0 + pad.t + 14 + 15 * k;
    out.push(`<line x1="${lx}" x2="${lx + 18}" y1="${ly - 4}" y2="${ly - 4}" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5 3"' : ''}/>`);
    out.push(`<text x="${lx + 23}" y="${ly}">${esc(s.name)}</text>`);
  });
  out.push('</g>');
  return out.join('\n');
}

function logTicks(lo: number, hi: number): number[] {
  const out: number[] = [];
  const decades = Math.log10(hi / lo);
  const mult = decades < 1.5 ? [1, 2, 5] : [1];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
    for (const m of mult) {
      const v = m * 10 ** e;
      if (v >= lo * 0.999 && v <= hi * 1.001) out.push(+v.toPrecision(6));
    }
  }
  return out.length >= 2 ? out : ticks(lo, hi);
}

/** The SVG of a run's history; with `watch`, also the gradient norms, the update/param ratios and train-vs-validation accuracy. */
export function curvesSvg(history: EpochRecord[], title: string, watch: EpochWatch[] = []): string {
  const loss: Series[] = [{ name: 'train loss', color: '#1f77b4', points: history.map((r) => [r.epoch, r.train_loss]) }];
  if (history.some((r) => r.val_loss !== null)) loss.push({ name: 'val loss', color: '#d62728', dashed: true, points: history.filter((r) => r.val_loss !== null).map((r) => [r.epoch, r.val_loss!]) });
  const positive = loss.flatMap((s) => s.points.map(([, y]) => y)).filter(Number.isFinite);
  const log = positive.length > 1 && Math.min(...positive) > 0 && Math.max(...positive) / Math.min(...positive) > 20;
  const panels: [string, Series[], PanelOptions][] = [[`loss${log ? ' (log scale)' : ''}`, loss, { log }]];
  if (watch.length) panels.push(...watchPanels(watch));
  else if (history.some((r) => r.val_accuracy !== null)) {
    const acc = history.filter((r) => r.val_accuracy !== null).map((r) => [r.epoch, r.val_accuracy!] as [number, number]);
    panels.push(['validation accuracy', [{ name: 'val accuracy', color: '#2ca02c', points: acc }], { yMin: Math.min(...acc.map(([, a]) => a), 0.9), yMax: 1 }]);
  }
  panels.push(['learning rate', [{ name: 'lr', color: '#9467bd', points: history.map((r) => [r.epoch, r.lr]) }], {}]);
  const w = 340;
  const h = 260;
  const W = w * panels.length;
  const H = h + 30;
  const body = panels.map(([t, s, o], k) => panel(k * w, 30, w, h, t, s, o)).join('\n');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">`,
    `<title>${esc(title)}</title>`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="12" y="20" font-family="sans-serif" font-size="14">${esc(title)}</text>`,
    body,
    '</svg>',
    '',
  ].join('\n');
}

const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

/** Accuracy (train vs val, the gap shaded), the gradient norm (global and per param) and the update/param ratios (the band shaded). */
function watchPanels(watch: EpochWatch[]): [string, Series[], PanelOptions][] {
  const out: [string, Series[], PanelOptions][] = [];
  const series = (name: string, color: string, v: (w: EpochWatch) => number | null | undefined, dashed = false): Series => ({
    name, color, dashed, points: watch.flatMap((w) => { const y = v(w); return y === null || y === undefined ? [] : [[w.epoch, y] as [number, number]]; }),
  });
  const acc = [series('train acc', '#1f77b4', (w) => w.train_accuracy), series('val acc', '#d62728', (w) => w.val_accuracy, true)].filter((s) => s.points.length);
  if (acc.length) {
    const lo = Math.min(0.9, ...acc.flatMap((s) => s.points.map(([, y]) => y)));
    out.push([acc.length === 2 ? 'train and validation accuracy (gap shaded)' : 'accuracy', acc, { yMin: lo, yMax: 1, gap: acc.length === 2 }]);
  }
  const names = Object.keys(watch[0]!.grad_norms);
  const many = names.length > COLORS.length - 1;
  const norms = [series('‖g‖ all', '#000000', (w) => w.grad_norm), ...(many ? [] : names.map((n, k) => series(n, COLORS[k]!, (w) => w.grad_norms[n], true)))];
  out.push(['gradient norm (log scale)', norms, { log: true }]);
  if (watch.some((w) => w.update_ratios)) {
    const ratios = names.slice(0, COLORS.length).map((n, k) => series(n, COLORS[k]!, (w) => w.update_ratios?.[n]));
    out.push(['‖update‖ / ‖param‖ (log; ~1e-3 band)', ratios, { log: true, band: { lo: RATIO_BAND[0], hi: RATIO_BAND[1], at: 1e-3 } }]);
  }
  return out;
}

const BARS = '▁▂▃▄▅▆▇█';

/**
 * A one-line chart of `values` (at most `width` characters: longer series are
 * averaged in buckets), on a log scale when they are positive and span more than 20×.
 */
export function sparkline(values: number[], width = 48): string {
  const pos = values.filter(Number.isFinite);
  if (!pos.length) return '';
  const log = Math.min(...pos) > 0 && Math.max(...pos) / Math.min(...pos) > 20;
  let v = log ? values.map(Math.log10) : values;
  const finite = v.filter(Number.isFinite);
  if (v.length > width) {
    const all = v;
    v = Array.from({ length: width }, (_, k) => {
      const part = all.slice(Math.floor((k * all.length) / width), Math.floor(((k + 1) * all.length) / width)).filter(Number.isFinite);
      return part.length ? part.reduce((a, b) => a + b, 0) / part.length : NaN;
    });
  }
  const lo = Math.min(...finite);
  const hi = Math.max(...finite);
  return v.map((x) => (Number.isFinite(x) ? BARS[hi > lo ? Math.round(((x - lo) / (hi - lo)) * (BARS.length - 1)) : 0] : ' ')).join('');
}
