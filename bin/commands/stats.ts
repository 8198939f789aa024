// gradc stats MODEL.nn --data FILE [--init a,b,…]: each equation's activation
// statistics (mean, std, dead ReLUs, saturated tanh/sigmoid units, a histogram)
// at the initial params, computed by the generated module's `activations`
// (runtime/train/stats.ts); with --init, once per initializer put on every
// weight matrix: the lecture's small-vs-Xavier picture.
import type { Command } from 'commander';
import { basename, dirname, join } from 'node:path';
import type { Model } from '../../compiler/model.js';
import { writeFileAtomic } from '../../runtime/files.js';
import { Batcher, layoutOf, OptionError, type Dataset, type Layout } from '../../runtime/train/data.js';
import { histogramsSvg } from '../../runtime/train/stats-svg.js';
import { INIT_OVERRIDES, statsModule, withInit, type LayerStats } from '../../runtime/train/stats.js';
import { fmt } from '../../runtime/train/progress.js';
import { UsageError, UserError } from '../errors.js';
import { parseBytes, parseDims, readModel } from '../load.js';
import { createModule, parseSeed, requireParamSizes } from './grad.js';
import { collect } from './options.js';
import { loadData } from './train.js';

export interface StatsOptions {
  data?: string;
  columns?: string;
  init?: string;
  examples?: string;
  seed?: string;
  dim?: string[];
  svg?: string;
  json?: boolean;
  maxMemory?: string;
}

/** The first `count` examples as one batch (all of them for a model without a batch dim: the first). */
export function firstExamples(data: Dataset, layout: Layout, count: number): Record<string, Float32Array | Float64Array | Int32Array> {
  const n = layout.batchDim === undefined ? 1 : Math.min(count, data.n);
  return new Batcher(data, layout, 'f64').batch(Int32Array.from({ length: n }, (_, k) => k), 0, n);
}

/** One line per layer: the table `gradc stats` and `gradc train --stats` print. */
export function statsTable(layers: LayerStats[]): string[] {
  const w = Math.max(5, ...layers.map((l) => [...l.name].length));
  const lines = [`  ${'value'.padEnd(w)}  ${'kind'.padEnd(7)}  ${'mean'.padStart(10)}  ${'std'.padStart(10)}  dead/saturated`];
  for (const l of layers) {
    const off = l.dead !== undefined ? `${(100 * l.dead).toFixed(1)} % dead` : l.saturated !== undefined ? `${(100 * l.saturated).toFixed(1)} % saturated` : '';
    lines.push(`  ${l.name.padEnd(w)}  ${l.kind.padEnd(7)}  ${fmt(l.mean).padStart(10)}  ${fmt(l.std).padStart(10)}  ${off}`);
  }
  return lines;
}

export async function statsCommand(file: string, opts: StatsOptions): Promise<number> {
  const { model } = readModel(file, parseDims(opts.dim), !!opts.json, parseBytes(opts.maxMemory));
  const inits = opts.init === undefined ? [undefined] : opts.init.split(',').map((s) => s.trim());
  for (const i of inits) {
    if (i !== undefined && !(INIT_OVERRIDES as readonly string[]).includes(i)) throw new UsageError(`--init wants initializers from ${INIT_OVERRIDES.join(', ')} (comma-separated), not '${i}'`);
  }
  const count = opts.examples === undefined ? 1000 : Number(opts.examples);
  if (!(Number.isInteger(count) && count >= 1)) throw new UsageError(`--examples wants an integer ≥ 1, not '${opts.examples}'`);
  const seed = parseSeed(opts.seed);
  let layout: Layout;
  try {
    layout = layoutOf(model);
  } catch (e) {
    throw e instanceof OptionError ? new UserError(`${file}: error: ${e.message}`) : e;
  }
  const { data } = loadData(opts.data, layout, opts.columns ?? null);
  const inputs = firstExamples(data, layout, count);
  requireParamSizes(model, {});
  const runs: { init: string; loss: number; layers: LayerStats[] }[] = [];
  for (const init of inits) {
    const m: Model = init === undefined ? model : withInit(model, init);
    const mod = await createModule(() => statsModule(m, { seed, maxMemory: parseBytes(opts.maxMemory) }));
    const r = mod.activations(inputs);
    runs.push({ init: init ?? 'as declared', loss: r.loss, layers: r.layers });
  }
  const examples = layout.batchDim === undefined ? 1 : Math.min(count, data.n);
  const svg = opts.svg ?? join(dirname(file), `${basename(file).replace(/\.nn$/u, '')}.stats.svg`);
  writeFileAtomic(svg, histogramsSvg(`${basename(file)}: activations over ${examples} example${examples === 1 ? '' : 's'}, seed ${seed}`, runs.map((r) => ({ label: r.init, layers: r.layers }))));
  if (opts.json) {
    process.stdout.write(JSON.stringify({ examples, seed, svg, inits: runs }) + '\n');
    return 0;
  }
  const lines: string[] = [];
  for (const r of runs) {
    lines.push(`init ${r.init}: ${model.loss.name} = ${fmt(r.loss)} over ${examples} example${examples === 1 ? '' : 's'}`);
    lines.push(...statsTable(r.layers));
  }
  lines.push(`histograms ${svg}`);
  process.stdout.write(lines.join('\n') + '\n');
  return 0;
}

export function register(p: Command, setExit: (code: number) => void): void {
  p.command('stats')
    .description("each equation's activation mean, std, dead or saturated units and histogram at the initial params (the generated module computes them)")
    .argument('<model>', 'the .nn file')
    .option('--data <file>', 'examples: CSV (gzip read transparently) or JSON, as for train')
    .option('--columns <map>', 'which columns feed which input, as for train')
    .option('--init <names>', `put these initializers on every weight matrix, one run each, e.g. small,xavier,he (from ${INIT_OVERRIDES.join(', ')})`)
    .option('--examples <n>', 'how many of the first examples to run (default 1000)')
    .option('--seed <n>', 'seed for the initializers (default 0)')
    .option('--dim <name=value>', 'set a dim (repeatable)', collect, [])
    .option('--svg <file>', 'where the histograms go (default MODEL.stats.svg beside the model)')
    .option('--max-memory <bytes>', 'refuse a model that plans more memory than this (default 4G)')
    .option('--json', 'print one JSON object: examples, seed, svg, and per init its loss and layers')
    .action(async (model, opts) => setExit(await statsCommand(model, opts)));
}
