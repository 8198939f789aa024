// The ravine lesson (examples/ravine.nn) with every optimizer: each run is the
// generated module's own `step`, 80 steps from (−5, −2). Prints how close each
// gets to the minimum and writes examples/ravine.svg: the trajectories over
// the loss contours. Run `npm install` (which builds dist/) first.
//   node examples/ravine.mjs [STEPS] [OUT.svg]
import { readFileSync, writeFileSync } from 'node:fs';
import { compileSource } from '../dist/compiler/compile.js';
import { instantiate } from '../dist/runtime/instantiate.js';

const here = new URL('.', import.meta.url);
const source = readFileSync(new URL('ravine.nn', here), 'utf8');
const steps = Number(process.argv[2] ?? 80);
const out = process.argv[3] ?? new URL('ravine.svg', here).pathname;

const RUNS = [
  ['gradient descent, lr 0.39 (large)', 'sgd(lr = 0.39)', '#d62728'],
  ['gradient descent, lr 0.05 (small)', 'sgd(lr = 0.05)', '#ff7f0e'],
  ['Adagrad, lr 1', 'adagrad(lr = 1)', '#2ca02c'],
  ['RMSProp, lr 0.1', 'rmsprop(lr = 0.1)', '#1f77b4'],
  ['Adam, lr 0.3', 'adam(lr = 0.3)', '#9467bd'],
];

// f(x, y) = a x² + b y², read from the model so the contours match it.
const [, a, b] = /loss f = ([\d.]+) \* x\^2 \+ ([\d.]+) \* y\^2/u.exec(source).map(Number);
const f = (x, y) => a * x * x + b * y * y;

const results = [];
for (const [name, optimizer, color] of RUNS) {
  const { model, diagnostics } = compileSource(source.replace(/^optimizer .*$/mu, `optimizer ${optimizer}`));
  if (!model) throw new Error(diagnostics.sorted().map((d) => d.message).join('\n'));
  const m = await instantiate(model, { precision: 'f64' });
  const path = [[m.params.x[0], m.params.y[0]]];
  for (let t = 0; t < steps; t++) {
    m.step({});
    path.push([m.params.x[0], m.params.y[0]]);
  }
  const dist = path.map(([x, y]) => Math.hypot(x, y));
  // The first step from which the run stays within 0.1 of the minimum.
  let within = -1;
  for (let t = dist.length - 1; t >= 0 && dist[t] < 0.1; t--) within = t;
  results.push({ name, optimizer, color, path, within, final: path[path.length - 1] });
}

console.log(`f(x, y) = ${a} x² + ${b} y², from (−5, −2), ${steps} steps`);
console.log(`${'optimizer'.padEnd(36)}${'final (x, y)'.padEnd(22)}${'f'.padEnd(11)}within 0.1 of the minimum`);
for (const r of results) {
  const [x, y] = r.final;
  const at = r.within >= 0 ? `from step ${r.within}` : 'not yet';
  console.log(`${r.name.padEnd(36)}${`(${x.toFixed(3)}, ${y.toFixed(3)})`.padEnd(22)}${f(x, y).toExponential(1).padEnd(11)}${at}`);
}

// The picture: contours f = c as ellipses, then one polyline per run.
const [x0, x1, y0, y1] = [-5.6, 2.2, -2.5, 2.5];
const W = 820;
const H = Math.round((W * (y1 - y0)) / (x1 - x0));
const X = (x) => (((x - x0) / (x1 - x0)) * W).toFixed(1);
const Y = (y) => (H - ((y - y0) / (y1 - y0)) * H).toFixed(1);
const svg = [`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H + 40}" viewBox="0 0 ${W} ${H + 40}" font-family="sans-serif" font-size="12">`];
svg.push(`<title>Optimizers on the ravine f = ${a}x² + ${b}y²</title>`, `<rect width="${W}" height="${H + 40}" fill="white"/>`);
for (let c = f(-5, -2) * 2; c > 1e-3; c /= 2) {
  svg.push(`<ellipse cx="${X(0)}" cy="${Y(0)}" rx="${((Math.sqrt(c / a) / (x1 - x0)) * W).toFixed(1)}" ry="${((Math.sqrt(c / b) / (y1 - y0)) * H).toFixed(1)}" fill="none" stroke="#ccc"/>`);
}
svg.push(`<circle cx="${X(0)}" cy="${Y(0)}" r="4" fill="black"/>`, `<circle cx="${X(-5)}" cy="${Y(-2)}" r="4" fill="none" stroke="black"/>`);
results.forEach((r, k) => {
  svg.push(`<polyline points="${r.path.map(([x, y]) => `${X(x)},${Y(y)}`).join(' ')}" fill="none" stroke="${r.color}" stroke-width="1.6" stroke-opacity="0.9"/>`);
  svg.push(`<line x1="${12 + 165 * (k % 5)}" x2="${32 + 165 * (k % 5)}" y1="${H + 22}" y2="${H + 22}" stroke="${r.color}" stroke-width="3"/>`);
  svg.push(`<text x="${36 + 165 * (k % 5)}" y="${H + 26}">${r.name.replace('gradient descent', 'GD').replace(/ \(.*\)/u, '')}</text>`);
});
svg.push(`<text x="10" y="18">f = ${a}·x² + ${b}·y² from (−5, −2), ${steps} steps of each optimizer's generated step</text>`, '</svg>', '');
writeFileSync(out, svg.join('\n'));
console.log(`wrote ${out}`);
