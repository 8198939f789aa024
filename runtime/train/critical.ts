// `gradc train --diagnose`: is a stuck run at a critical point? The gradient
// norm and the Hessian's extreme eigenvalues at the current params (Lanczos on
// the generated module's Hessian-vector products, runtime/hessian.ts, so no n×n
// matrix), classified as the critical-points lecture does.
import { tensor, type Tensor } from '../../compiler/ir/tensor.js';
import type { Model } from '../../compiler/model.js';
import { extremeEigenvalues, hessianOperator } from '../hessian.js';

export type Verdict = 'minimum' | 'saddle' | 'not_critical';

export interface Diagnosis {
  verdict: Verdict;
  loss: number;
  /** ‖∇loss‖₂ at the point (float64, on the examples the Hessian is taken on). */
  grad_norm: number;
  /** About what one gradient step of the safe size 1/λmax would take off the loss: ‖g‖² / (2 λmax). */
  gradient_gain: number;
  smallest: number[];
  largest: number[];
  lanczos_steps: number;
  /** For a saddle: the most negative eigenvalue, the curvature along the direction that escapes it. */
  escape_eigenvalue?: number;
  examples: number;
  message: string;
}

/** A gradient step that would lower the loss by less than this part of it (or 1e-12) is "no progress left". */
export const GAIN_TOLERANCE = 1e-4;
/** Negative curvature weaker than this part of the largest eigenvalue counts as flat, not as a way out. */
export const NEGATIVE_TOLERANCE = 1e-2;
/** How many smallest and largest eigenvalues are reported. */
export const EXTREMES = 3;

const short = (x: number) => (x === 0 ? '0' : Math.abs(x) >= 1e-3 && Math.abs(x) < 1e4 ? String(+x.toPrecision(4)) : x.toExponential(2));

/** The verdict from the gradient norm, the loss and the extreme eigenvalues (ascending lists). */
export function classifyPoint(loss: number, gradNorm: number, smallest: number[], largest: number[]): Pick<Diagnosis, 'verdict' | 'gradient_gain' | 'escape_eigenvalue' | 'message'> {
  const lmin = Math.min(...smallest, ...largest);
  const lmax = Math.max(...smallest, ...largest);
  const scale = Math.max(Math.abs(lmax), Math.abs(lmin), 1e-12);
  // Along −g the quadratic model drops by ‖g‖²/(2 λmax) at the step 1/λmax; with no positive curvature, the step is unbounded.
  const gain = lmax > 0 ? gradNorm ** 2 / (2 * lmax) : gradNorm > 0 ? Infinity : 0;
  if (gain > GAIN_TOLERANCE * Math.max(Math.abs(loss), 1e-8)) {
    return {
      verdict: 'not_critical',
      gradient_gain: gain,
      message: `not a critical point: the gradient is not small (‖g‖ = ${short(gradNorm)}; a step of 1/λmax = ${lmax > 0 ? short(1 / lmax) : '∞'} along it would lower the loss by about ${short(gain)}). If the loss is flat, it is the learning rate, not a critical point`,
    };
  }
  if (lmin < -NEGATIVE_TOLERANCE * scale) {
    return {
      verdict: 'saddle',
      gradient_gain: gain,
      escape_eigenvalue: lmin,
      message: `a saddle point: the gradient is about zero (‖g‖ = ${short(gradNorm)}) but the loss curves down along the eigenvector of λmin = ${short(lmin)}: step along it (or add noise, momentum) to escape`,
    };
  }
  return {
    verdict: 'minimum',
    gradient_gain: gain,
    message: `a minimum: the gradient is about zero (‖g‖ = ${short(gradNorm)}) and no eigenvalue is below ${short(-NEGATIVE_TOLERANCE * scale)} (λmin = ${short(lmin)}, λmax = ${short(lmax)})${lmin < NEGATIVE_TOLERANCE * scale ? '; some directions are flat' : ''}`,
  };
}

/** The diagnosis at `state`'s params on one batch of inputs (all a model without inputs needs: none). */
export async function diagnosePoint(model: Model, state: Record<string, ArrayLike<number>>, inputs: Record<string, ArrayLike<number>>, dims: Record<string, number>, seed: number, examples: number): Promise<Diagnosis> {
  const values: Record<string, Tensor> = {};
  for (const p of model.params) values[p.name] = tensor(p.shape[0].eval(dims), p.shape[1].eval(dims), Float64Array.from(state[p.name]!));
  for (const i of model.inputs) if (inputs[i.name]) values[i.name] = tensor(i.shape[0].eval(dims), i.shape[1].eval(dims), Float64Array.from(inputs[i.name]!));
  const op = await hessianOperator(model, { values, dims, seed, mode: model.hasModes ? 'eval' : 'train' });
  let g2 = 0;
  for (const g of op.gradient) g2 += g * g;
  const gradNorm = Math.sqrt(g2);
  const e = await extremeEigenvalues(op, EXTREMES, seed);
  return { ...classifyPoint(op.loss, gradNorm, e.smallest, e.largest), loss: op.loss, grad_norm: gradNorm, smallest: e.smallest, largest: e.largest, lanczos_steps: e.steps, examples };
}
