// The torch module against gradc's own: for every example, every public
// conformance model and every primitive (the op table's cases), Model(seed)
// holds the JS module's initial params bit for bit, and the loss, outputs and
// autograd gradients equal what `gradc grad` prints (the JS module, float32).
// Dropout draws gradc's masks here (Model(gradc_masks=True)).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { randomInput } from '../../bin/commands/check.js';
import type { JsonValue, Model } from '../../compiler/model.js';
import { instantiate, toArrays } from '../../runtime/instantiate.js';
import { bindValues } from '../../runtime/values.js';
import { CASES, H } from '../helpers/op-cases.js';
import { compileOk } from '../helpers/run.js';
import { flat, PY, ROOT, runJobs, SKIPPED, tempDir, worstError, writeModule } from './util.js';

if (!PY) console.log(SKIPPED);

interface Case {
  name: string;
  source: string;
  given: Record<string, JsonValue>;
}

const examples = readdirSync(join(ROOT, 'examples')).filter((f) => f.endsWith('.nn')).sort();
const conformance = join(ROOT, '../shared/conformance/public');
const publicCases = existsSync(conformance)
  ? readdirSync(conformance).filter((d) => !d.startsWith('err_') && existsSync(join(conformance, d, 'model.nn'))).sort()
  : [];
const CASES_ALL: Case[] = [
  ...examples.map((f) => ({ name: `examples/${f}`, source: readFileSync(join(ROOT, 'examples', f), 'utf8'), given: {} })),
  ...publicCases.map((d) => ({
    name: `conformance/${d}`,
    source: readFileSync(join(conformance, d, 'model.nn'), 'utf8'),
    given: JSON.parse(readFileSync(join(conformance, d, 'values.json'), 'utf8')) as Record<string, JsonValue>,
  })),
  ...Object.entries(CASES).map(([op, body]) => ({ name: `op ${op}`, source: H + body, given: {} })),
];

interface GradResult {
  error?: string;
  init: Record<string, number[]>;
  loss: number;
  grad: Record<string, number[]>;
  outputs: Record<string, number[]>;
}

describe.skipIf(!PY)('the torch module equals gradc grad', () => {
  it('covers every example, public conformance model and primitive', () => {
    expect(examples.length).toBeGreaterThan(5);
    expect(publicCases.length).toBeGreaterThan(5);
    expect(CASES_ALL.length).toBe(examples.length + publicCases.length + Object.keys(CASES).length);
  });

  it('initial params bit for bit; loss, outputs and gradients to float32 tolerance', async () => {
    const dir = tempDir();
    const seed = 3;
    const expected: { model: Model; init: Record<string, number[]>; loss: number; grad: Record<string, number[]>; outputs: Record<string, number[]> }[] = [];
    const jobs = [];
    // Every case in training mode, and the ones with dropout or batchnorm in eval mode too.
    const runs = CASES_ALL.flatMap((c) => {
      const model = compileOk(c.source);
      return model.hasModes ? [{ c, model, evalMode: false }, { c, model, evalMode: true }] : [{ c, model, evalMode: false }];
    });
    expect(runs.some((r) => r.evalMode)).toBe(true);
    for (const [i, { c, model, evalMode }] of runs.entries()) {
      const values = bindValues(model, 'values', c.given, {}, randomInput(seed));
      const m = await instantiate(model, { seed, dims: values.dims });
      const init = Object.fromEntries(Object.entries(m.params).map(([k, v]) => [k, flat(v)]));
      for (const [k, v] of Object.entries(values.params)) m.params[k]!.set(v);
      if (evalMode) {
        // Running statistics away from their initial 0 and 1, as a few steps leave them.
        const st = m.state();
        for (const s of model.states) st[`@${s.name}`] = st[`@${s.name}`]!.map((_, k) => (s.init === 0 ? 0.1 * k - 0.2 : 0.5 + 0.25 * k));
        m.load(st);
        m.eval();
      }
      const inputs = toArrays(model, values.inputs, 'f32');
      const r = m.grad(inputs);
      const f = m.forward(inputs);
      expected.push({
        model,
        init,
        loss: r.loss,
        grad: Object.fromEntries(Object.entries(r.grad).map(([k, v]) => [k, flat(v)])),
        outputs: Object.fromEntries(Object.entries(f.outputs).map(([k, v]) => [k, flat(v)])),
      });
      jobs.push({
        kind: 'grad',
        module: writeModule(model, dir, `m${i}`, c.source),
        seed,
        dims: values.dims,
        params: Object.fromEntries(Object.entries(m.params).map(([k, v]) => [k, flat(v)])),
        inputs: Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, flat(v)])),
        ints: model.inputs.filter((x) => x.int).map((x) => x.name),
        wrt: model.wrt,
        eval: evalMode,
        buffers: evalMode ? Object.fromEntries(model.states.map((s) => [s.name, flat(m.state()[`@${s.name}`]!)])) : {},
      });
    }
    const results = runJobs<GradResult>(jobs, dir);
    const failures: string[] = [];
    results.forEach((r, i) => {
      const c = `${runs[i]!.c.name}${runs[i]!.evalMode ? ' (eval)' : ''}`;
      const e = expected[i]!;
      if (r.error) return failures.push(`${c}: ${r.error}`);
      for (const [k, v] of Object.entries(e.init)) {
        if (JSON.stringify(r.init[k]) !== JSON.stringify(v)) failures.push(`${c}: initial ${k} differs`);
      }
      if (worstError([r.loss], [e.loss]) > 1e-5) failures.push(`${c}: loss ${r.loss} vs ${e.loss}`);
      for (const [k, v] of Object.entries(e.outputs)) if (!(worstError(r.outputs[k]!, v) <= 1e-5)) failures.push(`${c}: output ${k}`);
      expect(Object.keys(r.grad).sort()).toEqual(Object.keys(e.grad).sort());
      for (const [k, v] of Object.entries(e.grad)) {
        const err = worstError(r.grad[k]!, v);
        if (!(err <= 1e-5)) failures.push(`${c}: ∂/∂${k} off by ${err}`);
      }
    });
    expect(failures).toEqual([]);
  }, 120_000);
});
