// The optimizer update and learning-rate schedule of `step`, as code (spec §7).
// One fused loop per param; global-norm clipping needs one pass over all
// gradients first. The per-element statements are C-style and take a small
// spelling (sqrt, declarations), so that another target can reuse them.
import type { Spec } from '../compiler/model.js';
import type { Code } from './code.js';

/** The per-param state slots of each optimizer. */
export const OPTIMIZER_SLOTS: Record<string, string[]> = {
  sgd: [], momentum: ['v'], nesterov: ['v'], adagrad: ['G'], rmsprop: ['s'], adam: ['m', 'v'],
};

/** A number as a literal that stays one operand anywhere: `(-0.5)`, `1e-8`. */
export function lit(x: unknown): string {
  const v = x as number;
  if (!Number.isFinite(v)) throw new Error(`internal: non-finite optimizer constant ${v}`);
  return v < 0 || Object.is(v, -0) ? `(${String(v)})` : String(v);
}

/** How a target spells the math functions a schedule uses (JS's `Math.*`, Python's `math.*`). */
export interface MathSpelling {
  call(fn: 'pow' | 'floor' | 'exp' | 'min' | 'cos', args: string[]): string;
  pi: string;
  /** `c ? a : b` */
  cond(c: string, a: string, b: string): string;
}

export const JS_MATH: MathSpelling = {
  call: (fn, args) => `Math.${fn}(${args.join(', ')})`,
  pi: 'Math.PI',
  cond: (c, a, b) => `(${c} ? ${a} : ${b})`,
};

/** An expression for the learning rate at step `t` (t ≥ 1), given lr₀ as `lr0` (JS unless `m` says otherwise). */
export function scheduleExpr(s: Spec, t = 't', lr0 = 'lr0', m: MathSpelling = JS_MATH): string {
  const a = s.args;
  switch (s.name) {
    case 'constant':
      return lr0;
    case 'step':
      return `${lr0} * ${m.call('pow', [lit(a.factor), m.call('floor', [`(${t} - 1) / ${lit(a.every)}`])])}`;
    case 'exp':
      return `${lr0} * ${m.call('exp', [`-${lit(a.k)} * ${t}`])}`;
    case 'inv_t':
      return `${lr0} / (1 + ${lit(a.k)} * ${t})`;
    case 'warmup':
      // The `then` schedule is read at the same step count t (not t − steps).
      return m.cond(`${t} <= ${lit(a.steps)}`, `${lr0} * ${t} / ${lit(a.steps)}`, scheduleExpr(a.then as Spec, t, lr0, m));
    case 'transformer':
      return `${m.call('pow', [lit(a.d_model), '-0.5'])} * ${m.call('min', [m.call('pow', [t, '-0.5']), `${t} * ${m.call('pow', [lit(a.warmup), '-1.5'])}`])}`;
    case 'cosine': {
      const tt = a.restart ? `((${t} - 1) % ${lit(a.period)})` : `(${m.call('min', [t, lit(a.period)])} - 1)`;
      return `${lit(a.min)} + 0.5 * (${lr0} - ${lit(a.min)}) * (1 + ${m.call('cos', [`${m.pi} * ${tt} / ${lit(a.period)}`])})`;
    }
  }
  throw new Error(`internal: schedule ${s.name}`);
}

/** How a target spells the few things the update needs. */
export interface UpdateSpelling {
  sqrt(x: string): string;
  /** A declaration of an immutable local: `const g = …;` in JS, `let g = …;` in WGSL. */
  let(name: string, value: string): string;
}

export const JS_UPDATE: UpdateSpelling = {
  sqrt: (x) => `Math.sqrt(${x})`,
  let: (name, value) => `const ${name} = ${value};`,
};

/**
 * The statements that update one element. `P` is the param element, `S(slot)`
 * a slot element, `g` the (clipped, decayed) gradient element already in scope
 * as `g`, `lr` the rate; Adam also wants `lr1 = lr / (1 − β1ᵗ)` and
 * `ic2 = 1 / (1 − β2ᵗ)` (the bias corrections folded in once a step, so that
 * the per-element update has one division).
 */
export function updateStatements(opt: Spec, P: string, S: (slot: string) => string, sp: UpdateSpelling = JS_UPDATE): string[] {
  const a = opt.args;
  // A slot's new value goes to a local first: stored once, used without a reload.
  const slot = (name: string, value: string) => [sp.let(`${name}1`, value), `${S(name)} = ${name}1;`];
  switch (opt.name) {
    case 'sgd':
      return [`${P} = ${P} - lr * g;`];
    case 'momentum':
      return [...slot('v', `${lit(a.rho)} * ${S('v')} + g`), `${P} = ${P} - lr * v1;`];
    case 'nesterov':
      return [...slot('v', `${lit(a.rho)} * ${S('v')} + g`), `${P} = ${P} - lr * (g + ${lit(a.rho)} * v1);`];
    case 'adagrad':
      return [...slot('G', `${S('G')} + g * g`), `${P} = ${P} - lr * g / (${sp.sqrt('G1')} + ${lit(a.eps)});`];
    case 'rmsprop':
      return [
        ...slot('s', `${lit(a.alpha)} * ${S('s')} + (1 - ${lit(a.alpha)}) * g * g`),
        `${P} = ${P} - lr * g / (${sp.sqrt('s1')} + ${lit(a.eps)});`,
      ];
    case 'adam':
      return [
        ...slot('m', `${lit(a.beta1)} * ${S('m')} + (1 - ${lit(a.beta1)}) * g`),
        ...slot('v', `${lit(a.beta2)} * ${S('v')} + (1 - ${lit(a.beta2)}) * g * g`),
        `${P} = ${P} - lr1 * m1 / (${sp.sqrt('v1 * ic2')} + ${lit(a.eps)});`,
      ];
  }
  throw new Error(`internal: optimizer ${opt.name}`);
}

export interface UpdateTarget {
  /** The param's array, its gradient's expression at element k, its element count. */
  param: string;
  grad: (k: string) => string;
  size: string;
  /** Name of each optimizer slot's array. */
  slots: Record<string, string>;
}

/**
 * Emits the update of every param; expects `t` (already incremented) and `lr`
 * in scope. Order (as PyTorch's clip_grad_norm_ then optimizer.step()): the
 * loss gradient is clipped to global norm ≤ clip, then weight_decay·θ is added,
 * then the optimizer's rule runs.
 */
export function emitUpdate(code: Code, opt: Spec, targets: UpdateTarget[]): void {
  const a = opt.args;
  const wd = a.weight_decay as number;
  const clip = a.clip as number;
  let scale = '';
  if (clip > 0) {
    code.comment(`Clip the gradient to global norm ≤ ${clip}.`);
    code.line('let norm2 = 0;');
    for (const t of targets) code.block(`for (let k = 0; k < ${t.size}; k++)`, () => code.line(`const g = ${t.grad('k')};`).line('norm2 += g * g;'));
    code.line(`const scale = Math.sqrt(norm2) > ${lit(clip)} ? ${lit(clip)} / Math.sqrt(norm2) : 1;`);
    scale = ' * scale';
  }
  if (opt.name === 'adam') {
    code.line(`const lr1 = lr / (1 - Math.pow(${lit(a.beta1)}, t)), ic2 = 1 / (1 - Math.pow(${lit(a.beta2)}, t));`);
  }
  for (const t of targets) {
    code.block(`for (let k = 0; k < ${t.size}; k++)`, () => {
      const decay = wd ? ` + ${lit(wd)} * ${t.param}[k]` : '';
      code.line(`const g = ${t.grad('k')}${scale}${decay};`);
      for (const s of updateStatements(opt, `${t.param}[k]`, (n) => `${t.slots[n]}[k]`)) code.line(s);
    });
  }
}
