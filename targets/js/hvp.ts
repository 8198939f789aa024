// `--emit hvp`: the JS module with one more method, `hvp(inputs, v)`, for models
// too large for a full Hessian. It is a second program planned and spelled by
// the same machinery as `grad` (targets/plan.ts, targets/js/kernels.ts), over
// the roots of compiler/teach/hessian.ts's H·v graph; v is read like extra inputs.
import type { Model } from '../../compiler/model.js';
import { emitJsModule, type ExtraMethod, type JsModuleOptions } from './module.js';
import { hvpGraph } from '../../compiler/teach/hessian.js';

export function hvpMethod(model: Model, mode: 'train' | 'eval' = 'train'): ExtraMethod {
  const h = hvpGraph(model, mode);
  const q = JSON.stringify;
  const pairs = model.params.map((p, k) => `${q(h.v[k]!.name)}: v[${q(p.name)}]`);
  const source = [
    '// hvp(inputs, v): the Hessian of the loss (over the params) times v, where v',
    '// holds one array (or number) per param. Computed symbolically: the gradient',
    '// of ⟨∇loss, v⟩, a pass about as costly as grad. The result is reused by the next call.',
    'function hvp(inputs, v) {',
    `  for (const name of ${q(model.params.map((p) => p.name))}) {`,
    '    if (v === undefined || v[name] === undefined) throw new Error(`hvp: v has no value for the param \'${name}\'`);',
    '  }',
    `  const r = hvp_train({ ...inputs, ${pairs.join(', ')} });`,
    '  return { loss: r.loss, hvp: r.grad };',
    '}',
    '',
  ].join('\n');
  return { name: 'hvp', graph: h.graph, inputs: h.v, source };
}

/** The JS module with hvp(inputs, v) added; `mode` picks the graph (dropout, batchnorm) it differentiates. */
export function emitHvpModule(model: Model, opts: JsModuleOptions = {}, mode: 'train' | 'eval' = 'train'): string {
  return emitJsModule(model, { ...opts, extra: [...(opts.extra ?? []), hvpMethod(model, mode)] });
}
