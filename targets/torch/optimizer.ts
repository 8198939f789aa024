// The model's optimizer and schedule (spec §7) as torch.optim and a LambdaLR,
// and the mapping between gradc's state() names (`W.m`, `@bn0_mean`, `@step`)
// and torch's (`exp_avg`, buffers, the scheduler's epoch). Every torch
// optimizer named here has exactly the language's update once its arguments
// are passed explicitly (checked step by step against gradc's `step` by
// test/torch/); only global-norm clipping is written by hand.
import type { Spec } from '../../compiler/model.js';
import type { Code } from '../code.js';
import { lit, OPTIMIZER_SLOTS, scheduleExpr, type MathSpelling } from '../optimizer.js';

interface TorchOptimizer {
  /** The torch.optim class. */
  cls: string;
  /** Keyword arguments from the language's arguments. */
  kwargs(a: Spec['args']): string;
  /** gradc slot name → torch's optimizer state key. */
  slots: Record<string, string>;
  /** What a reader who knows torch should know. */
  note: string;
}

/** One entry per optimizer of the language; the slots must be OPTIMIZER_SLOTS' (checked below). */
export const TORCH_OPTIMIZERS: Record<string, TorchOptimizer> = {
  sgd: { cls: 'SGD', kwargs: () => '', slots: {}, note: 'θ ← θ − lr·g' },
  momentum: {
    cls: 'SGD',
    kwargs: (a) => `, momentum=${lit(a.rho)}`,
    slots: { v: 'momentum_buffer' },
    note: "v ← ρ v + g; θ ← θ − lr·v (torch's SGD with dampening 0; its first buffer is g, which is ρ·0 + g)",
  },
  nesterov: {
    cls: 'SGD',
    kwargs: (a) => `, momentum=${lit(a.rho)}, nesterov=True`,
    slots: { v: 'momentum_buffer' },
    note: "v' ← ρ v + g; θ ← θ − lr·(g + ρ v') (torch's nesterov=True is this rule)",
  },
  adagrad: {
    cls: 'Adagrad',
    kwargs: (a) => `, eps=${lit(a.eps)}`,
    slots: { G: 'sum' },
    note: "G ← G + g²; θ ← θ − lr·g / (√G + eps) (eps outside the root, as torch's; torch's default eps is 1e-10, the language's 1e-7)",
  },
  rmsprop: {
    cls: 'RMSprop',
    kwargs: (a) => `, alpha=${lit(a.alpha)}, eps=${lit(a.eps)}`,
    slots: { s: 'square_avg' },
    note: "s ← α s + (1−α) g²; θ ← θ − lr·g / (√s + eps) (torch's default alpha is 0.99, the language's 0.9: passed explicitly)",
  },
  adam: {
    cls: 'Adam',
    kwargs: (a) => `, betas=(${lit(a.beta1)}, ${lit(a.beta2)}), eps=${lit(a.eps)}`,
    slots: { m: 'exp_avg', v: 'exp_avg_sq' },
    note: "m ← β1 m + (1−β1) g; v ← β2 v + (1−β2) g²; θ ← θ − lr·m̂ / (√v̂ + eps) (torch's Adam; weight decay is L2 added to g, not AdamW)",
  },
};

for (const [name, slots] of Object.entries(OPTIMIZER_SLOTS)) {
  const t = TORCH_OPTIMIZERS[name];
  if (!t || Object.keys(t.slots).join() !== slots.join()) throw new Error(`internal: no torch optimizer for ${name} with slots ${slots}`);
}

export const PY_MATH: MathSpelling = {
  call: (f, args) => (f === 'min' ? `min(${args.join(', ')})` : `math.${f}(${args.join(', ')})`),
  pi: 'math.pi',
  cond: (c, a, b) => `(${a} if ${c} else ${b})`,
};

/** Emits learning_rate(t), the optimizer class (when clipping) and make_optimizer(model). */
export function emitOptimizer(code: Code, opt: Spec, schedule: Spec, params: string[]): void {
  const t = TORCH_OPTIMIZERS[opt.name];
  if (!t) throw new Error(`internal: optimizer ${opt.name}`);
  const a = opt.args;
  const lr0 = a.lr as number;
  const clip = a.clip as number;
  const args = Object.entries(schedule.args).map(([k, v]) => `${k} = ${typeof v === 'object' ? v.name : v}`).join(', ');

  code.line('def learning_rate(t):');
  code.indent(() => {
    code.line(`"""The rate at step t (the first step is t = 1): schedule ${schedule.name}(${args}), spec §7."""`);
    code.line(`lr0 = ${lit(lr0)}`);
    code.line(`return ${scheduleExpr(schedule, 't', 'lr0', PY_MATH)}`);
  });
  code.line().line();

  let cls = `torch.optim.${t.cls}`;
  if (clip > 0) {
    code.line(`class Optimizer(torch.optim.${t.cls}):`);
    code.indent(() => {
      code.line(`"""torch's ${t.cls}, after clipping the gradient to global norm <= ${clip} as the language does:`);
      code.line("g <- g * clip / ||g|| when ||g|| > clip (torch's clip_grad_norm_ divides by ||g|| + 1e-6)."); 
      code.line('Weight decay is added after clipping, inside step()."""');
      code.line();
      code.line('@torch.no_grad()');
      code.line('def step(self, closure=None):');
      code.indent(() => {
        code.line('grads = [p.grad for group in self.param_groups for p in group["params"] if p.grad is not None]');
        code.line('norm = math.sqrt(sum(float((g.double() ** 2).sum()) for g in grads))');
        code.line(`if norm > ${lit(clip)}:`);
        code.line('    for g in grads:');
        code.line(`        g.mul_(${lit(clip)} / norm)`);
        code.line('return super().step(closure)');
      });
    });
    code.line().line();
    cls = 'Optimizer';
  }

  code.line('def make_optimizer(model):');
  code.indent(() => {
    code.line(`"""The model's optimizer and schedule: ${opt.name}(${Object.entries(a).map(([k, v]) => `${k} = ${v}`).join(', ')}).`);
    code.line();
    code.line(t.note);
    code.line('Weight decay is added to g as weight_decay * θ (torch does the same).');
    code.line('Call scheduler.step() after each optimizer.step(): LambdaLR\'s epoch e is the language\'s step count t = e + 1.');
    code.line('"""');
    code.line(`params = [${params.map((p) => `model.${p}`).join(', ')}]`);
    // LambdaLR scales the base rate: with lr₀ = 0 (a transformer schedule ignores it) the base is 1 and the factor the rate itself.
    const base = lr0 === 0 ? '1.0' : lit(lr0);
    code.line(`optimizer = ${cls}(params, lr=${base}${t.kwargs(a)}, weight_decay=${lit(a.weight_decay)})`);
    code.line(`scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda e: learning_rate(e + 1)${lr0 === 0 ? '' : ` / ${lit(lr0)}`})`);
    code.line('return optimizer, scheduler');
  });
  code.line().line();

  code.line(`SLOTS = {${Object.entries(t.slots).map(([g, s]) => `"${g}": "${s}"`).join(', ')}}`);
  code.line('"""gradc\'s optimizer slot names (state() holds W.m, W.v) and torch\'s optimizer state keys."""');
}
