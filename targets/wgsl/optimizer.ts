// The optimizer update of `step` on the GPU: one dispatch over all params at
// once (they are packed in `params`, their gradients in the same order at the
// start of `grads`), with the CPU module's formulas (targets/optimizer.ts).
// Global-norm clipping adds one dispatch before it: a tree reduction of Σ g²
// that leaves the scale in `optim`. The host computes lr (the schedule) and
// Adam's bias corrections for the step and passes them in the uniform.
import { Size } from '../../compiler/ir/size.js';
import type { Model } from '../../compiler/model.js';
import { lit, OPTIMIZER_SLOTS, updateStatements, type UpdateSpelling } from '../optimizer.js';
import { indent, WG, type Kernel } from './kernel.js';
import type { LeafLayout } from './layout.js';

const WGSL_UPDATE: UpdateSpelling = {
  sqrt: (x) => `sqrt(${x})`,
  let: (name, value) => `let ${name} = ${value};`,
};

export interface OptimizerKernels {
  kernels: Kernel[];
  /** Elements of `optim`: the slots, then the clipping scale. */
  optimSize: Size;
}

export function optimizerKernels(model: Model, leaves: LeafLayout, size: (s: Size) => string): OptimizerKernels {
  const opt = model.optimizer;
  const slots = OPTIMIZER_SLOTS[opt.name] ?? [];
  const clip = (opt.args.clip as number) ?? 0;
  const wd = (opt.args.weight_decay as number) ?? 0;
  const P = leaves.paramCount;
  const scaleAt = P.mul(Size.of(slots.length));
  const optimSize = scaleAt.add(Size.of(clip > 0 ? 1 : 0));
  if (P.constant === 0) return { kernels: [], optimSize };
  const kernels: Kernel[] = [];
  if (clip > 0) {
    kernels.push({
      entry: 'clip_norm',
      dispatch: [{ count: Size.of(1), per: 1, cap: false }],
      text: [
        `// The scale that clips the gradient to global norm ≤ ${clip}: one workgroup, a tree reduction of Σ g².`,
        `@compute @workgroup_size(${WG})`,
        'fn clip_norm(@builtin(local_invocation_index) lid: u32) {',
        `  let count = ${size(P)};`,
        '  var acc = 0.0;',
        `  for (var k = lid; k < count; k += ${WG}u) {`,
        '    acc += grads[k] * grads[k];',
        '  }',
        '  partial[lid] = acc;',
        '  workgroupBarrier();',
        `  for (var s = ${WG / 2}u; s > 0u; s >>= 1u) {`,
        '    if (lid < s) {',
        '      partial[lid] = partial[lid] + partial[lid + s];',
        '    }',
        '    workgroupBarrier();',
        '  }',
        '  if (lid == 0u) {',
        '    let norm = sqrt(partial[0]);',
        `    optim[${size(scaleAt)}] = select(1.0, ${lit(clip)} / norm, norm > ${lit(clip)});`,
        '  }',
        '}',
      ].join('\n'),
    });
  }
  const args = Object.entries(opt.args).map(([k, v]) => `${k}=${v}`).join(', ');
  const body = [
    `let g = grads[k]${clip > 0 ? ' * scale' : ''}${wd ? ` + ${lit(wd)} * params[k]` : ''};`,
    ...updateStatements(opt, 'params[k]', (s) => `optim[${s}_at + k]`, WGSL_UPDATE),
  ];
  kernels.push({
    entry: 'update',
    dispatch: [{ count: P, per: WG, cap: true }],
    text: [
      `// step: ${opt.name}(${args}), schedule ${model.schedule.name}, on every param at once.`,
      `@compute @workgroup_size(${WG})`,
      'fn update(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {',
      `  let count = ${size(P)};`,
      '  let lr = run.lr;',
      ...(opt.name === 'adam' ? ['  let lr1 = lr / run.c1; // the bias corrections, folded in once', '  let ic2 = 1.0 / run.c2;'] : []),
      ...(clip > 0 ? [`  let scale = optim[${size(scaleAt)}];`] : []),
      ...slots.map((s, k) => `  let ${s}_at = ${size(P.mul(Size.of(k)))}; // slot ${s} of every param`),
      `  for (var k = gid.x; k < count; k += groups.x * ${WG}u) {`,
      ...indent(body, 2),
      '  }',
      '}',
    ].join('\n'),
  });
  return { kernels, optimSize };
}
