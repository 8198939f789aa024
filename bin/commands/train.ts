// gradc train MODEL.nn --data FILE: trains with the model's optimizer and
// schedule through the generated module's fused `step`; progress, curves,
// checkpoints, exact --resume, a stop at the first NaN naming its tensor.
import { Option, type Command } from 'commander';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { instantiate } from '../../runtime/instantiate.js';
import { writeFileAtomic } from '../../runtime/files.js';
import type { Checkpoint, RunSettings } from '../../runtime/train/checkpoint.js';
import { readCheckpoint, writeCheckpoint } from '../../runtime/train/checkpoint-file.js';
import { validateState } from '../../runtime/train/validate-checkpoint.js';
import { curvesSvg, sparkline } from '../../runtime/train/curves.js';
import { layoutOf, loadDataset, OptionError, type Dataset, type Layout } from '../../runtime/train/data.js';
import { trainLoop, type LoopResult, type Trainable } from '../../runtime/train/loop.js';
import { scoreOutput } from '../../runtime/train/metrics.js';
import { BarReporter, fmt, LineReporter } from '../../runtime/train/progress.js';
import { split } from '../../runtime/train/shuffle.js';
import { diagnosisLines, startWatch, type Watch } from './watch.js';
import { readDataFile } from '../../runtime/train/read-file.js';
import { stderrIsTTY, UsageError, UserError } from '../errors.js';
import { parseBytes, parseDims, readModel } from '../load.js';
import { createModule, parseSeed, requireParamSizes } from './grad.js';
import { collect } from './options.js';

export interface TrainOptions {
  data?: string;
  columns?: string;
  epochs?: string;
  batch?: string;
  val?: string;
  patience?: string;
  seed?: string;
  steps?: string;
  dim?: string[];
  target?: 'js' | 'wgsl' | 'wasm';
  checkpoint?: string;
  resume?: boolean;
  verbose?: boolean;
  json?: boolean;
  maxMemory?: string;
  stats?: boolean;
  diagnose?: boolean;
}

export const DEFAULTS = { epochs: 60, batch: 32, val: 0, seed: 0 };

function int(name: string, v: string | undefined, min: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`${name} wants an integer${min > 0 ? ` ≥ ${min}` : ''}, not '${v}'`);
  return n;
}

function fraction(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!(n >= 0 && n < 1) || v.trim() === '') throw new UsageError(`--val wants a fraction in [0, 1) (like 0.2), not '${v}'`);
  return n;
}

/** The checkpoint's default place: MODEL.ckpt.json beside the model. */
export function defaultCheckpoint(file: string): string {
  return join(dirname(file), `${basename(file).replace(/\.nn$/u, '')}.ckpt.json`);
}

/** The curves go next to the checkpoint: X.ckpt.json → X.curves.svg. */
export function curvesPath(checkpoint: string): string {
  return `${checkpoint.replace(/(\.ckpt)?\.json$/u, '')}.curves.svg`;
}

const sha256 = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');

/** The run's settings: the options, or the checkpoint's where resuming (which must agree). */
function settings(opts: TrainOptions, ck: Checkpoint | undefined): RunSettings {
  const given = {
    seed: opts.seed === undefined ? undefined : parseSeed(opts.seed),
    batch: int('--batch', opts.batch, 1),
    val: fraction(opts.val),
    columns: opts.columns,
  };
  if (ck) {
    for (const [k, v] of Object.entries(given)) {
      const was = ck.settings[k as keyof RunSettings];
      if (v !== undefined && v !== was) throw new UsageError(`--${k} ${v} differs from the checkpoint's ${was ?? '(none)'}: a resumed run keeps the first run's ${k} (start afresh without --resume to change it)`);
    }
  }
  const patience = int('--patience', opts.patience, 1);
  return {
    seed: given.seed ?? ck?.settings.seed ?? DEFAULTS.seed,
    batch: given.batch ?? ck?.settings.batch ?? DEFAULTS.batch,
    val: given.val ?? ck?.settings.val ?? DEFAULTS.val,
    columns: given.columns ?? ck?.settings.columns ?? null,
    epochs: int('--epochs', opts.epochs, 1) ?? ck?.settings.epochs ?? DEFAULTS.epochs,
    patience: patience ?? ck?.settings.patience ?? null,
  };
}

export function loadData(file: string | undefined, layout: Layout, columns: string | null): { data: Dataset; sha: string } {
  if (file === undefined) {
    if (layout.inputs.length) throw new UsageError(`--data is required: the model has inputs (${layout.inputs.map((i) => i.name).join(', ')})`);
    // A model without inputs (a loss surface): every epoch is one step.
    return { data: { file: '(none)', n: 1, values: new Map() }, sha: '' };
  }
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read data file '${file}'${code === 'ENOENT' ? ': no such file' : code === 'EISDIR' ? ': it is a folder' : ''}`);
  }
  try {
    return { data: loadDataset(readDataFile(file, bytes), layout, columns ?? undefined), sha: sha256(bytes) };
  } catch (e) {
    if (e instanceof OptionError) throw new UsageError(e.message);
    throw e;
  }
}

export async function trainCommand(file: string, opts: TrainOptions): Promise<number> {
  const started = performance.now();
  const { model, source } = readModel(file, parseDims(opts.dim), !!opts.json, parseBytes(opts.maxMemory));
  let layout: Layout;
  try {
    layout = layoutOf(model);
  } catch (e) {
    throw e instanceof OptionError ? new UserError(`${file}: error: ${e.message}`) : e;
  }
  const checkpointPath = opts.checkpoint ?? defaultCheckpoint(file);
  const ck = opts.resume ? readCheckpoint(checkpointPath) : undefined;
  const s = settings(opts, ck);
  const steps = int('--steps', opts.steps, 1);
  const { data, sha } = loadData(opts.data, layout, s.columns);
  if (ck) {
    if (ck.data && (ck.data.sha256 !== sha || ck.data.examples !== data.n)) {
      throw new UserError(`${opts.data}: error: not the data the checkpoint was trained on (${ck.data.file}, ${ck.data.examples} examples); resume with the same data, or start afresh without --resume`);
    }
    if (ck.model.sha256 !== sha256(source)) process.stderr.write(`${file}: warning: the model changed since the checkpoint was written; resuming with the new model\n`);
  }
  if (s.val > 0 && !opts.json && layout.inputs.some((i) => i.int && i.bound !== undefined) && !scoreOutput(model, layout)) {
    process.stderr.write(`${file}: note: no output scores the classes, so no accuracy is reported; declare one like \`output p = softmax(F)\` (shape [classes, ${layout.batchDim ?? '1'}])\n`);
  }
  const parts = split(data.n, s.val, s.seed);
  if (!parts.train.length) throw new UsageError(`--val ${s.val} leaves no examples to train on (${data.n} in all)`);
  if (s.val > 0 && !parts.val.length) throw new UsageError(`--val ${s.val} of ${data.n} examples holds out none`);

  const target = opts.target ?? 'js';
  requireParamSizes(model, {});
  let module: Trainable;
  try {
    module = (await createModule(() => instantiate(model, { target, seed: s.seed, maxMemory: parseBytes(opts.maxMemory) }))) as unknown as Trainable;
  } catch (e) {
    if (target !== 'js' && !(e instanceof UserError)) throw new UserError(`gradc: error: the ${target} target is not available here: ${(e as Error).message}`);
    throw e;
  }
  if (ck) {
    validateState(checkpointPath, ck, await module.state(), file);
    try {
      await module.load(ck.state);
    } catch (e) {
      throw new UserError(`${checkpointPath}: error: does not fit ${file}: ${(e as Error).message}`);
    }
  }
  if (ck && steps !== undefined && ck.step >= steps) {
    process.stderr.write(`${checkpointPath}: note: the checkpoint is already at step ${ck.step} (--steps ${steps}): no step taken\n`);
    return 0;
  }

  const lines = opts.json ? undefined : process.stdout;
  const tty = stderrIsTTY() && process.env.TERM !== 'dumb';
  const quiet = { write: () => true } as unknown as NodeJS.WritableStream;
  const reporter = tty ? new BarReporter(lines ?? quiet, process.stderr) : new LineReporter(lines ?? quiet);
  let interrupted = false;
  const onSigint = () => {
    if (interrupted) process.exit(130); // a second Ctrl-C: now
    interrupted = true;
    reporter.close(); // the bar, so that the line below stays readable
    process.stderr.write('gradc: stopping after this step (Ctrl-C again to quit at once)…\n');
  };
  process.on('SIGINT', onSigint);
  const watch: Watch = await startWatch(model, module, data, layout, parts.train, { seed: s.seed, stats: !!opts.stats, diagnose: !!opts.diagnose, maxMemory: parseBytes(opts.maxMemory) });
  let r: LoopResult;
  try {
    r = await trainLoop({
      model,
      modelFile: file,
      modelSource: source,
      module,
      layout,
      data,
      split: parts,
      checkpointPath,
      save: (c) => writeCheckpoint(checkpointPath, c),
      base: {
        model: { file: basename(file), sha256: sha256(source) },
        data: opts.data === undefined ? null : { file: basename(opts.data), sha256: sha, examples: data.n },
        settings: s,
      },
      resume: ck,
      maxSteps: steps,
      checkEveryStep: target === 'js',
      verbose: !!opts.verbose,
      reporter,
      interrupted: () => interrupted,
      onEpoch: (record, ratios) => watch.epoch(record, ratios, lines),
    });
  } finally {
    process.off('SIGINT', onSigint);
  }

  const curves = curvesPath(checkpointPath);
  if (r.history.length) writeFileAtomic(curves, curvesSvg(r.history, `${basename(file)}: ${r.history.length} epochs, ${r.history[r.history.length - 1]!.step} steps`, watch.epochs));
  const diagnosis = opts.diagnose && r.reason !== 'diverged' ? await watch.diagnose(s.seed) : undefined;
  const seconds = (performance.now() - started) / 1000;
  if (opts.json) {
    const out = { epochs: r.epoch, steps: r.step, train_loss: r.train_loss, val_loss: r.val_loss, val_accuracy: r.val_accuracy, seconds: +seconds.toFixed(3), checkpoint: r.checkpoint, ...(r.restored ? { best_epoch: r.restored.epoch } : {}), curves: watch.epochs, ...(diagnosis ? { diagnosis, plateaus: watch.plateaus } : {}) };
    process.stdout.write(JSON.stringify(out) + '\n');
  }
  summary(r, seconds, curves, opts.json ? (tty ? process.stderr : undefined) : process.stdout);
  if (diagnosis && !opts.json) process.stdout.write(diagnosisLines(diagnosis).join('\n') + '\n');
  if (r.reason === 'diverged') throw new UserError(r.error!);
  return r.reason === 'interrupted' ? 130 : 0;
}

const WHY: Record<LoopResult['reason'], string> = {
  epochs: 'all epochs done',
  patience: 'early stop: the validation loss stopped improving',
  steps: 'reached --steps (continue with --resume)',
  interrupted: 'interrupted (continue with --resume)',
  diverged: 'the loss or params stopped being finite',
};

function summary(r: LoopResult, seconds: number, curves: string, out: NodeJS.WritableStream | undefined): void {
  if (!out) return;
  const h = r.history;
  const lines = [`trained ${r.epoch} epoch${r.epoch === 1 ? '' : 's'} (${r.step} step${r.step === 1 ? "" : "s"}) in ${seconds.toFixed(1)} s: ${WHY[r.reason]}`];
  if (r.restored) lines.push(`restored the params of epoch ${r.restored.epoch}, the best validation loss (${fmt(r.restored.val_loss)}); the checkpoint holds them`);
  else if (r.reason === 'patience') lines.push('kept the last params: the best epoch came before --resume, and its params were not kept');
  const spark = (name: string, v: (number | null)[]) => {
    const vals = v.filter((x): x is number => x !== null);
    if (vals.length > 1) lines.push(`${name.padEnd(12)} ${sparkline(vals)}  ${fmt(vals[0]!)} → ${fmt(vals[vals.length - 1]!)}`);
  };
  spark('train loss', h.map((x) => x.train_loss));
  spark('val loss', h.map((x) => x.val_loss));
  spark('train accuracy', h.map((x) => x.train_accuracy ?? null));
  spark('val accuracy', h.map((x) => x.val_accuracy));
  if (r.reason !== 'diverged') lines.push(`checkpoint ${r.checkpoint}${h.length ? `, curves ${curves}` : ''}`);
  out.write(lines.join('\n') + '\n');
}

export function register(p: Command, setExit: (code: number) => void): void {
  p.command('train')
    .description("train with the model's optimizer and schedule: progress, curves, checkpoints")
    .argument('<model>', 'the .nn file')
    .option('--data <file>', 'examples: CSV (gzip read transparently, header optional) or JSON')
    .option('--columns <map>', 'which columns feed which input, e.g. X=0:64,y=64 (0-based, ranges half-open), or header names')
    .option('--epochs <n>', `passes over the training examples (default ${DEFAULTS.epochs})`)
    .option('--batch <n>', `examples per step (default ${DEFAULTS.batch})`)
    .option('--val <fraction>', 'hold out this fraction of the examples for validation, e.g. 0.2')
    .option('--patience <n>', 'stop when the validation loss has not improved for n epochs')
    .option('--seed <n>', 'seed for initializers, the holdout, shuffling and dropout (default 0)')
    .option('--steps <n>', 'stop after n steps in all, with a checkpoint (continue with --resume)')
    .option('--dim <name=value>', 'set a dim (repeatable)', collect, [])
    .addOption(new Option('--target <target>', 'which generated module trains').choices(['js', 'wgsl', 'wasm']).default('js'))
    .option('--checkpoint <file>', 'where the checkpoint goes (default MODEL.ckpt.json beside the model); the curves SVG goes next to it')
    .option('--resume', 'continue from the checkpoint exactly where its run stopped')
    .option('--verbose', 'print the update/param magnitude ratio of every param each epoch')
    .option('--max-memory <bytes>', 'refuse a model that plans more memory than this (default 4G)')
    .option('--stats', "each epoch, every equation's activation mean, std and dead or saturated units (in --json's curves)")
    .option('--diagnose', "at the end (and as a plateau begins): the gradient norm and the Hessian's extreme eigenvalues (Lanczos), and whether the point is a minimum, a saddle or not a critical point")
    .option('--json', 'print one JSON object at the end: epochs, steps, losses, accuracy, seconds, checkpoint, per-epoch curves (and diagnosis)')
    .action(async (model, opts) => setExit(await trainCommand(model, opts)));
}
