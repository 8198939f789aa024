// gradc train --diagnose on models whose answer is known, and the per-epoch
// curves (gradient norms, update/param ratios, accuracies, rate) in --json and the SVG.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { classifyPoint } from '../../runtime/train/critical.js';
import { gradc } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'gradc-diagnose-'));
const write = (name: string, text: string) => {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
};
const json = (out: string) => JSON.parse(out.trim().split('\n').pop()!) as {
  curves: { epoch: number; lr: number; grad_norm: number; grad_norms: Record<string, number>; update_ratios: Record<string, number> | null; train_accuracy: number | null; val_accuracy: number | null }[];
  plateaus: { epoch: number; diagnosis: { verdict: string } }[];
  diagnosis: { verdict: string; grad_norm: number; smallest: number[]; largest: number[]; escape_eigenvalue?: number; loss: number; examples: number };
};

// f = (a·b − 1)²: a width-1 deep linear net. At a = b = 0 the gradient is exactly 0
// and the Hessian is [[0, −2], [−2, 0]] (eigenvalues ±2): gradient descent stays there.
const SADDLE = 'param a = 0\nparam b = 0\noptimizer sgd(lr = 0.1)\nloss f = (a * b - 1)^2\n';
// A bowl with Hessian diag(2, 4), minimum at (1, −1).
const bowl = (lr: string) => `param a = 0.5\nparam b = 3\noptimizer sgd(lr = ${lr})\nloss f = (a - 1)^2 + 2 * (b + 1)^2\n`;

describe('gradc train --diagnose', () => {
  it('a run stalled on a saddle: the loss never moves, the gradient is 0, and the escape eigenvalue is −2', async () => {
    const f = write('saddle.nn', SADDLE);
    const r = await gradc('train', f, '--epochs', '20', '--diagnose', '--json', '--checkpoint', join(dir, 'saddle.ckpt.json'));
    expect(r.code, r.err).toBe(0);
    const o = json(r.out);
    expect(o.curves).toHaveLength(20);
    expect(o.curves.every((c) => c.grad_norm === 0)).toBe(true);
    expect(o.diagnosis.verdict).toBe('saddle');
    expect(Object.keys(o.diagnosis).sort()).toEqual(['escape_eigenvalue', 'examples', 'grad_norm', 'gradient_gain', 'lanczos_steps', 'largest', 'loss', 'message', 'smallest', 'verdict']);
    expect(Object.keys(o.curves[0]!).sort()).toEqual(['epoch', 'grad_norm', 'grad_norms', 'lr', 'train_accuracy', 'update_ratios', 'val_accuracy']);
    expect(o.diagnosis.loss).toBe(1);
    expect(o.diagnosis.escape_eigenvalue).toBeCloseTo(-2, 10);
    expect(o.diagnosis.largest[o.diagnosis.largest.length - 1]).toBeCloseTo(2, 10);
    // The loss has not moved for 5 epochs at epoch 6: diagnosed there once, not again on the same plateau.
    expect(o.plateaus.map((p) => [p.epoch, p.diagnosis.verdict])).toEqual([[6, 'saddle']]);
    const text = await gradc('train', f, '--epochs', '2', '--diagnose', '--checkpoint', join(dir, 'saddle2.ckpt.json'));
    expect(text.out).toMatch(/the point is a saddle point: .*λmin = -2/u);
  });

  it('a converged run is at a minimum, with the Hessian diag(2, 4)', async () => {
    const f = write('bowl.nn', bowl('0.1'));
    const r = await gradc('train', f, '--epochs', '300', '--diagnose', '--json', '--checkpoint', join(dir, 'bowl.ckpt.json'));
    expect(r.code, r.err).toBe(0);
    const d = json(r.out).diagnosis;
    expect(d.verdict).toBe('minimum');
    expect(d.smallest[0]).toBeCloseTo(2, 8);
    expect(d.largest[d.largest.length - 1]).toBeCloseTo(4, 8);
    expect(d.grad_norm).toBeLessThan(1e-6);
    // It converged, and then sat still: a plateau that is a minimum, found as it began.
    const p = json(r.out).plateaus;
    expect(p).toHaveLength(1);
    expect(p[0]!.diagnosis.verdict).toBe('minimum');
  });

  it('a run whose rate is far too small: the loss is flat but the point is not critical', async () => {
    const f = write('slow.nn', bowl('1e-7'));
    const r = await gradc('train', f, '--epochs', '5', '--diagnose', '--checkpoint', join(dir, 'slow.ckpt.json'));
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/not a critical point: the gradient is not small .*the learning rate, not a critical point/u);
  });

  it('classifies from the numbers alone, at the tolerances', () => {
    expect(classifyPoint(1, 0, [-2], [2]).verdict).toBe('saddle');
    expect(classifyPoint(1, 0, [-1e-3], [1]).verdict).toBe('minimum'); // weaker than 1 % of λmax: flat
    expect(classifyPoint(1, 1e-3, [1], [10]).verdict).toBe('minimum'); // a step would gain 5e-8 of a loss of 1
    expect(classifyPoint(1, 0.1, [1], [10]).verdict).toBe('not_critical');
    expect(classifyPoint(1, 0.1, [-1], [-1]).verdict).toBe('not_critical'); // no positive curvature: the step is unbounded
  });

  it('runs on the digits MLP in seconds, and the curves carry the gradient norms, ratios, accuracies and rate', async () => {
    const ck = join(dir, 'digits.ckpt.json');
    const r = await gradc('train', 'examples/digits.nn', '--data', 'examples/data/digits.csv.gz', '--columns', 'X=0:64,y=64', '--val', '0.2', '--epochs', '2', '--diagnose', '--json', '--checkpoint', ck);
    expect(r.code, r.err).toBe(0);
    const o = json(r.out);
    expect(['minimum', 'saddle', 'not_critical']).toContain(o.diagnosis.verdict);
    expect(o.diagnosis.examples).toBe(512);
    expect(o.diagnosis.largest[o.diagnosis.largest.length - 1]).toBeGreaterThan(0);
    expect(o.curves.map((c) => c.epoch)).toEqual([1, 2]);
    for (const c of o.curves) {
      expect(Object.keys(c.grad_norms)).toEqual(['W1', 'b1', 'W2', 'b2']);
      const total = Math.hypot(...Object.values(c.grad_norms));
      expect(c.grad_norm).toBeCloseTo(total, 10);
      expect(c.grad_norm).toBeGreaterThan(0);
      expect(Object.keys(c.update_ratios!)).toEqual(['W1', 'b1', 'W2', 'b2']);
      for (const v of Object.values(c.update_ratios!)) expect(v).toBeGreaterThan(0);
      expect(c.lr).toBe(1e-2);
      expect(c.train_accuracy).toBeGreaterThan(0.5);
      expect(c.val_accuracy).toBeGreaterThan(0.5);
    }
    const svg = readFileSync(join(dir, 'digits.curves.svg'), 'utf8');
    expect(svg).toContain('gradient norm');
    expect(svg).toContain('‖update‖ / ‖param‖');
    expect(svg).toContain('class="band"');
    expect(svg).toContain('class="gap"');
    expect(svg).toContain('validation accuracy');
  }, 60_000);
});
