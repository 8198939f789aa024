// The histogram picture of `gradc stats` / `gradc train --stats`: one row per
// initializer (or epoch), one small histogram per layer, each with its mean and
// std; tanh and sigmoid on their whole range, so that a collapse to 0 is a spike.
// Plain SVG text, like curves.ts.
import type { LayerStats } from './stats.js';

const esc = (s: string) => s.replace(/&/gu, '&amp;').replace(/</gu, '&lt;').replace(/>/gu, '&gt;');
const num = (x: number) => +x.toFixed(2);
const short = (v: number) => (v === 0 ? '0' : Math.abs(v) >= 1e3 || Math.abs(v) < 1e-2 ? v.toExponential(1) : String(+v.toPrecision(3)));

/** Rows of histograms: `rows[i]` is a label and its layers. */
export function histogramsSvg(title: string, rows: { label: string; layers: LayerStats[] }[]): string {
  const w = 150;
  const h = 110;
  const left = 90;
  const cols = Math.max(1, ...rows.map((r) => r.layers.length));
  const W = left + cols * w;
  const H = 40 + rows.length * h;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">`,
    `<title>${esc(title)}</title>`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="12" y="22" font-family="sans-serif" font-size="14">${esc(title)}</text>`,
    '<g font-family="sans-serif" font-size="10">',
  ];
  rows.forEach((row, i) => {
    const y0 = 40 + i * h;
    out.push(`<text x="8" y="${y0 + h / 2}" font-size="12" font-weight="bold">${esc(row.label)}</text>`);
    row.layers.forEach((l, j) => {
      const x0 = left + j * w;
      const [bw, bh] = [(w - 16) / l.histogram.counts.length, h - 50];
      const peak = Math.max(1, ...l.histogram.counts);
      out.push(`<text x="${x0 + 4}" y="${y0 + 10}">${esc(l.name)}</text>`);
      out.push(`<rect x="${x0 + 4}" y="${y0 + 14}" width="${w - 12}" height="${bh}" fill="none" stroke="#ccc"/>`);
      l.histogram.counts.forEach((c, k) => {
        const bar = (c / peak) * bh;
        if (bar > 0) out.push(`<rect x="${num(x0 + 4 + k * bw)}" y="${num(y0 + 14 + bh - bar)}" width="${num(bw)}" height="${num(bar)}" fill="#1f77b4"/>`);
      });
      out.push(`<text x="${x0 + 4}" y="${y0 + bh + 25}" fill="#555">${short(l.histogram.lo)} … ${short(l.histogram.hi)}</text>`);
      out.push(`<text x="${x0 + 4}" y="${y0 + bh + 37}">μ ${short(l.mean)}  σ ${short(l.std)}</text>`);
    });
  });
  out.push('</g>', '</svg>', '');
  return out.join('\n');
}
