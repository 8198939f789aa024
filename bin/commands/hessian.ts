// gradc hessian MODEL.nn --at VALUES.json: the Hessian over all params, by
// differentiating the backward graph again (compiler/teach/hessian.ts), its
// eigenvalues, and what kind of point this is.
import type { Command } from 'commander';
import { classify, hessian, paramCount, type Critical } from '../../compiler/teach/hessian.js';
import { fmt } from '../../compiler/teach/format.js';
import { UsageError, UserError } from '../errors.js';
import { parseDims, readModel } from '../load.js';
import { leafValues } from './explain.js';
import type { RunOptions } from './grad.js';
import { runOptions } from './options.js';

export interface HessianCommandOptions extends RunOptions {
  json?: boolean;
  max?: string;
}

/** Eigenvalues of a symmetric matrix, ascending (mathjs is loaded only here: it is slow to load). */
export async function symmetricEigenvalues(h: number[][]): Promise<number[]> {
  if (!h.length) return [];
  const { eigs } = await import('mathjs');
  const values = eigs(h).values as unknown as number[] | { toArray(): number[] };
  return (Array.isArray(values) ? values : values.toArray()).map(Number).sort((a, b) => a - b);
}

const WORDS: Record<Critical, string> = {
  minimum: 'a minimum: the loss curves up in every direction',
  maximum: 'a maximum: the loss curves down in every direction',
  saddle: 'a saddle: the loss curves up along some directions and down along others',
  none: 'not a critical point: the gradient is not zero',
};

export async function hessianCommand(file: string, opts: HessianCommandOptions): Promise<number> {
  const max = opts.max === undefined ? 400 : Number(opts.max);
  if (!(max > 0)) throw new UsageError('--max wants a positive number');
  const { model } = readModel(file, parseDims(opts.dim), true);
  if (!model.params.length) throw new UserError(`${file}: error: the model has no params: there is no Hessian to compute`);
  // Param sizes are fixed when the module is created: checked before any value is read.
  const tooBig = (n: number) => {
    if (n > max) throw new UserError(`${file}: error: the params hold ${n} numbers, so the Hessian would be ${n}×${n}; shrink the model with --dim, raise --max, or use the Hessian-vector product (gradc ${file} --emit hvp)`);
  };
  if (model.params.every((p) => p.shape[0].mul(p.shape[1]).constant !== undefined)) tooBig(paramCount(model, {}));
  const leaves = await leafValues(model, opts);
  const n = paramCount(model, leaves.dims);
  tooBig(n);
  const h = hessian(model, { ...leaves, mode: opts.eval ? 'eval' : 'train' });
  const eigenvalues = await symmetricEigenvalues(h.hessian);
  const params = model.params.flatMap((p) => [...leaves.values[p.name]!.data]);
  const c = classify(h.gradient, eigenvalues, params);
  if (opts.json) {
    process.stdout.write(JSON.stringify({ params: h.params, hessian: h.hessian, eigenvalues, critical: c.critical }) + '\n');
    return 0;
  }
  const out: string[] = [];
  out.push(`Hessian of ${model.loss.name} over ${n} param${n === 1 ? '' : 's'} (${model.params.map((p) => p.name).join(', ')}), ${model.loss.name} = ${fmt(h.loss)}`);
  if (n <= 12) {
    const cells = [['', ...h.params], ...h.hessian.map((row, i) => [h.params[i]!, ...row.map(fmt)])];
    const w = Math.max(...cells.flat().map((s) => [...s].length));
    for (const row of cells) out.push('  ' + row.map((s, j) => (j === 0 ? s.padEnd(w) : s.padStart(w))).join('  '));
  } else out.push(`  (${n}×${n}: use --json for every entry)`);
  const shown = eigenvalues.length <= 20 ? eigenvalues.map(fmt).join(', ') : `${eigenvalues.slice(0, 5).map(fmt).join(', ')}, …, ${eigenvalues.slice(-5).map(fmt).join(', ')}`;
  out.push(`eigenvalues: ${shown}`);
  out.push(`largest |gradient| entry: ${fmt(c.gradientNorm)}`);
  out.push(`the point is ${WORDS[c.critical]}${c.degenerate ? ' (degenerate: some eigenvalues are zero, so the second-order test cannot decide)' : ''}`);
  if (h.asymmetry > 1e-8 * Math.max(1, ...eigenvalues.map(Math.abs))) out.push(`note: the computed Hessian was asymmetric by ${fmt(h.asymmetry)}; shown symmetrized`);
  process.stdout.write(out.join('\n') + '\n');
  return 0;
}

export function register(p: Command, setExit: (code: number) => void): void {
  runOptions(p.command('hessian'), false)
    .description('the Hessian over all params (the backward graph differentiated again), its eigenvalues, and the kind of point')
    .argument('<model>', 'the .nn file')
    .option('--json', 'machine-readable: {"params", "hessian", "eigenvalues", "critical"}')
    .option('--max <n>', 'largest number of param elements (the Hessian is n×n)', '400')
    .action(async (model, opts) => setExit(await hessianCommand(model, opts)));
}
