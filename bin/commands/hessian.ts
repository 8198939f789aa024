// gradc hessian MODEL.nn --at VALUES.json: the Hessian over all params, by
// differentiating the backward graph again (compiler/teach/hessian.ts) and
// running it in the generated module (runtime/hessian.ts), its eigenvalues
// (compiler/teach/eigen.ts), and what kind of point this is; --top K for the
// extreme eigenvalues of models too large for the matrix.
import type { Command } from 'commander';
import type { Model } from '../../compiler/model.js';
import { symmetricEigenvalues as eigenvalues } from '../../compiler/teach/eigen.js';
import { classify, paramCount, type Critical } from '../../compiler/teach/hessian.js';
import { extremeEigenvalues, fullHessian, hessianOperator, type HessianOperator } from '../../runtime/hessian.js';
import { fmt } from '../../compiler/teach/format.js';
import { UsageError, UserError } from '../errors.js';
import { parseDims, readModel } from '../load.js';
import { leafValues } from './explain.js';
import { parseSeed, type RunOptions } from './grad.js';
import { runOptions } from './options.js';

export interface HessianCommandOptions extends RunOptions {
  json?: boolean;
  max?: string;
  top?: string;
}

/** Eigenvalues of a symmetric matrix, ascending (compiler/teach/eigen.ts; mathjs's eigs took minutes at a few hundred params). */
export async function symmetricEigenvalues(h: number[][]): Promise<number[]> {
  return eigenvalues(h);
}

const WORDS: Record<Critical, string> = {
  minimum: 'a minimum: the loss curves up in every direction',
  maximum: 'a maximum: the loss curves down in every direction',
  saddle: 'a saddle: the loss curves up along some directions and down along others',
  none: 'not a critical point: the gradient is not zero',
};

/** The verdict in words; a degenerate point is not called a minimum and then undecided in one breath. */
function verdict(c: { critical: Critical; degenerate: boolean }, extremesOnly = false): string {
  if (c.degenerate) {
    const sign = c.critical === 'maximum' ? 'negative or zero' : 'positive or zero';
    const kind = c.critical === 'maximum' ? 'maximum' : 'minimum';
    return `a degenerate critical point: the eigenvalues are ${sign} with some zero, so the second-order test cannot decide (a ${kind}, or flat or a saddle along the zero directions)`;
  }
  return `${WORDS[c.critical]}${extremesOnly && c.critical !== 'none' ? ' (judged from the extreme eigenvalues)' : ''}`;
}

const seconds = (s: number) => (s < 60 ? `${Math.max(1, Math.round(s))} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`);

export async function hessianCommand(file: string, opts: HessianCommandOptions): Promise<number> {
  const max = opts.max === undefined ? 2000 : Number(opts.max);
  if (!(max > 0)) throw new UsageError('--max wants a positive number');
  const top = opts.top === undefined ? undefined : Number(opts.top);
  if (top !== undefined && !(Number.isInteger(top) && top > 0)) throw new UsageError('--top wants a positive integer');
  const { model } = readModel(file, parseDims(opts.dim), true);
  if (!model.params.length) throw new UserError(`${file}: error: the model has no params: there is no Hessian to compute`);
  // Param sizes are fixed when the module is created: checked before any value is read.
  const tooBig = (n: number) => {
    if (top === undefined && n > max) throw new UserError(`${file}: error: the params hold ${n} numbers, so the Hessian would be ${n}×${n}; use --top K for its K largest and smallest eigenvalues (Lanczos on Hessian-vector products), shrink the model with --dim, raise --max, or use the Hessian-vector product (gradc ${file} --emit hvp)`);
  };
  if (model.params.every((p) => p.shape[0].mul(p.shape[1]).constant !== undefined)) tooBig(paramCount(model, {}));
  const leaves = await leafValues(model, opts);
  const n = paramCount(model, leaves.dims);
  tooBig(n);
  const mode = opts.eval ? 'eval' : 'train';
  const op = await hessianOperator(model, { ...leaves, mode });
  const names = elementNames(model, leaves.dims);
  const params = model.params.flatMap((p) => [...leaves.values[p.name]!.data]);
  const started = performance.now();
  const progress = (done: number, total: number, what: string) => {
    const spent = (performance.now() - started) / 1000;
    process.stderr.write(`gradc: hessian: ${done}/${total} ${what}, about ${seconds((spent * (total - done)) / done)} left\n`);
  };
  if (top !== undefined) return topEigenvalues(model, op, names, params, top, opts, progress);

  const h = fullHessian(op, (done, total) => progress(done, total, 'Hessian-vector products'));
  if (n > 200) process.stderr.write(`gradc: hessian: ${n}×${n} built in ${seconds((performance.now() - started) / 1000)}; eigenvalues…\n`);
  const eigenvalues = await symmetricEigenvalues(h.hessian);
  const c = classify([...op.gradient], eigenvalues, params);
  if (opts.json) {
    process.stdout.write(JSON.stringify({ params: names, hessian: h.hessian, eigenvalues, critical: c.critical }) + '\n');
    return 0;
  }
  const out: string[] = [];
  out.push(`Hessian of ${model.loss.name} over ${n} param${n === 1 ? '' : 's'} (${model.params.map((p) => p.name).join(', ')}), ${model.loss.name} = ${fmt(op.loss)}`);
  if (n <= 12) {
    const cells = [['', ...names], ...h.hessian.map((row, i) => [names[i]!, ...row.map(fmt)])];
    const w = Math.max(...cells.flat().map((s) => [...s].length));
    for (const row of cells) out.push('  ' + row.map((s, j) => (j === 0 ? s.padEnd(w) : s.padStart(w))).join('  '));
  } else out.push(`  (${n}×${n}: use --json for every entry)`);
  const shown = eigenvalues.length <= 20 ? eigenvalues.map(fmt).join(', ') : `${eigenvalues.slice(0, 5).map(fmt).join(', ')}, …, ${eigenvalues.slice(-5).map(fmt).join(', ')}`;
  out.push(`eigenvalues: ${shown}`);
  out.push(`largest |gradient| entry: ${fmt(c.gradientNorm)}`);
  out.push(`the point is ${verdict(c)}`);
  if (h.asymmetry > 1e-8 * Math.max(1, ...eigenvalues.map(Math.abs))) out.push(`note: the computed Hessian was asymmetric by ${fmt(h.asymmetry)}; shown symmetrized`);
  process.stdout.write(out.join('\n') + '\n');
  return 0;
}

/** --top K: the K smallest and K largest eigenvalues by Lanczos on H·v, for models too large for the matrix. */
async function topEigenvalues(model: Model, op: HessianOperator, names: string[], params: number[], k: number, opts: HessianCommandOptions, progress: (done: number, total: number, what: string) => void): Promise<number> {
  const r = await extremeEigenvalues(op, k, parseSeed(opts.seed), (done, steps) => progress(done, steps, 'Lanczos steps'));
  const { smallest, largest } = r;
  // Only the extremes are known: a zero eigenvalue in the middle cannot be seen, so no "degenerate".
  const c = { ...classify([...op.gradient], [...smallest, ...largest], params), degenerate: false };
  if (opts.json) {
    process.stdout.write(JSON.stringify({ params: names.length, lanczos_steps: r.steps, smallest, largest, critical: c.critical }) + '\n');
    return 0;
  }
  const out = [
    `Hessian of ${model.loss.name} over ${op.n} params (${model.params.map((p) => p.name).join(', ')}), ${model.loss.name} = ${fmt(op.loss)}: not formed`,
    `extreme eigenvalues by Lanczos (${r.steps} Hessian-vector products; the extremes converge first):`,
    `  smallest ${smallest.length}: ${smallest.map(fmt).join(', ')}`,
    `  largest ${largest.length}: ${largest.map(fmt).join(', ')}`,
    `largest |gradient| entry: ${fmt(c.gradientNorm)}`,
    `the point is ${verdict(c, true)}`,
  ];
  process.stdout.write(out.join('\n') + '\n');
  return 0;
}

/** Names of the Hessian's rows: `W[0,1]` for an element of a matrix, `b[2]` of a vector. */
function elementNames(model: Model, dims: Record<string, number>): string[] {
  return model.params.flatMap((p) => {
    const r = p.shape[0].eval(dims);
    const c = p.shape[1].eval(dims);
    if (p.type.dims.length === 0) return [p.name];
    if (p.type.dims.length === 1) return Array.from({ length: r * c }, (_, k) => `${p.name}[${k}]`);
    return Array.from({ length: r * c }, (_, k) => `${p.name}[${Math.floor(k / c)},${k % c}]`);
  });
}

export function register(p: Command, setExit: (code: number) => void): void {
  runOptions(p.command('hessian'), false)
    .description('the Hessian over all params (the backward graph differentiated again), its eigenvalues, and the kind of point')
    .argument('<model>', 'the .nn file')
    .option('--json', 'machine-readable: {"params", "hessian", "eigenvalues", "critical"}')
    .option('--max <n>', 'largest number of param elements (the Hessian is n×n)', '2000')
    .option('--top <k>', 'only the k smallest and k largest eigenvalues, by Lanczos on Hessian-vector products (no n×n matrix)')
    .action(async (model, opts) => setExit(await hessianCommand(model, opts)));
}
