// The optimizer update and learning-rate schedule of `step`, as JS code
// (spec §7). One fused loop per param; global-norm clipping needs one pass over
// all gradients first.
import type { Spec } from '../../compiler/model.js';
import type { Code } from '../code.js';

/** The per-param state slots of each optimizer. */
export const OPTIMIZER_SLOTS: Record<string, string[]> = {
  sgd: [], momentum: ['v'], nesterov: ['v'], adagrad: ['G'], rmsprop: ['s'], adam: ['m', 'v'],
};

const num = (x: unknown) => String(x as number);

/** A JS expression for the learning rate at step `t` (t ≥ 1), given lr₀ as `lr0`. */
export function scheduleExpr(s: Spec, t = 't', lr0 = 'lr0'): string {
  const a = s.args;
  switch (s.name) {
    case 'constant':
      return lr0;
    case 'step':
      return `${lr0} * Math.pow(${num(a.factor)}, Math.floor((${t} - 1) / ${num(a.every)}))`;
    case 'exp':
      return `${lr0} * Math.exp(-${num(a.k)} * ${t})`;
    case 'inv_t':
      return `${lr0} / (1 + ${num(a.k)} * ${t})`;
    case 'warmup':
      return `(${t} <= ${num(a.steps)} ? ${lr0} * ${t} / ${num(a.steps)} : ${scheduleExpr(a.then as Spec, t, lr0)})`;
    case 'transformer':
      return `Math.pow(${num(a.d_model)}, -0.5) * Math.min(Math.pow(${t}, -0.5), ${t} * Math.pow(${num(a.warmup)}, -1.5))`;
    case 'cosine': {
      const tt = a.restart ? `((${t} - 1) % ${num(a.period)})` : `(Math.min(${t}, ${num(a.period)}) - 1)`;
      return `${num(a.min)} + 0.5 * (${lr0} - ${num(a.min)}) * (1 + Math.cos(Math.PI * ${tt} / ${num(a.period)}))`;
    }
  }
  throw new Error(`internal: schedule ${s.name}`);
}

export interface UpdateTarget {
  /** The param's array, its gradient's expression at element k, its element count. */
  param: string;
  grad: (k: string) => string;
  size: string;
  /** Name of each optimizer slot's array. */
  slots: Record<string, string>;
}

/** Emits the update of every param; expects `t` (already incremented) and `lr` in scope. */
export function emitUpdate(code: Code, opt: Spec, targets: UpdateTarget[]): void {
  const a = opt.args;
  const wd = a.weight_decay as number;
  const clip = a.clip as number;
  const g = (t: UpdateTarget, k: string) => (wd ? `(${t.grad(k)} + ${wd} * ${t.param}[${k}])` : t.grad(k));
  let scale = '';
  if (clip > 0) {
    code.comment(`Clip the gradient to global norm ≤ ${clip}.`);
    code.line('let norm2 = 0;');
    for (const t of targets) code.block(`for (let k = 0; k < ${t.size}; k++)`, () => code.line(`const g = ${g(t, 'k')};`).line('norm2 += g * g;'));
    code.line(`const scale = Math.sqrt(norm2) > ${clip} ? ${clip} / Math.sqrt(norm2) : 1;`);
    scale = ' * scale';
  }
  if (opt.name === 'adam') {
    code.line(`const c1 = 1 - Math.pow(${a.beta1}, t), c2 = 1 - Math.pow(${a.beta2}, t);`);
  }
  for (const t of targets) {
    code.block(`for (let k = 0; k < ${t.size}; k++)`, () => {
      code.line(`const g = ${g(t, 'k')}${scale};`);
      const P = `${t.param}[k]`;
      const S = (n: string) => `${t.slots[n]}[k]`;
      switch (opt.name) {
        case 'sgd':
          code.line(`${P} -= lr * g;`);
          break;
        case 'momentum':
          code.line(`${S('v')} = ${a.rho} * ${S('v')} + g;`).line(`${P} -= lr * ${S('v')};`);
          break;
        case 'nesterov':
          code.line(`${S('v')} = ${a.rho} * ${S('v')} + g;`).line(`${P} -= lr * (g + ${a.rho} * ${S('v')});`);
          break;
        case 'adagrad':
          code.line(`${S('G')} += g * g;`).line(`${P} -= lr * g / (Math.sqrt(${S('G')}) + ${a.eps});`);
          break;
        case 'rmsprop':
          code.line(`${S('s')} = ${a.alpha} * ${S('s')} + (1 - ${a.alpha}) * g * g;`);
          code.line(`${P} -= lr * g / (Math.sqrt(${S('s')}) + ${a.eps});`);
          break;
        case 'adam':
          code.line(`${S('m')} = ${a.beta1} * ${S('m')} + (1 - ${a.beta1}) * g;`);
          code.line(`${S('v')} = ${a.beta2} * ${S('v')} + (1 - ${a.beta2}) * g * g;`);
          code.line(`${P} -= lr * (${S('m')} / c1) / (Math.sqrt(${S('v')} / c2) + ${a.eps});`);
          break;
        default:
          throw new Error(`internal: optimizer ${opt.name}`);
      }
    });
  }
}
