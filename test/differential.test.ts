// Every model the project knows (examples, public conformance models, the
// feature models, the models of the teaching and benchmark tests) through every target, compared elementwise with the
// reference interpreter: the loss, every output and every gradient, at two
// values of the run-time sizes (1, the edge where a run-time axis is as long as a
// broadcast one, and 5).
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileOk } from './helpers/run.js';
import { disagreement, drawValues, js, reference, wgsl, type Result } from './helpers/model-runs.js';
import { corpus, FEATURES, gpuOrReason } from './wgsl/util.js';

let device: GPUDevice | undefined;
beforeAll(async () => {
  device = (await gpuOrReason('differential')).device;
});

const here = import.meta.dirname;
const modelFiles = (dir: string): [string, string][] =>
  readdirSync(resolve(here, dir)).filter((f) => f.endsWith('.nn')).sort().map((f) => [`test/${dir}/${f}`, readFileSync(resolve(here, dir, f), 'utf8')]);

const MODELS: [string, string][] = [...corpus(), ...FEATURES, ...modelFiles('teach/models'), ...modelFiles('bench/models')];
const SIZES = [1, 5];

describe('every known model, every target = the reference interpreter', () => {
  it('knows the models', () => {
    // examples, conformance, features and test models: a suite that finds none checks nothing.
    expect(MODELS.length).toBeGreaterThan(20);
  });

  it.for(MODELS)('%s', async ([, source]) => {
    // The benchmark's sizes (1024 × 1024) are far beyond what the interpreter runs in a
    // test: fixed sizes over 64 are set to 7 (as --dim does), keeping the model's structure.
    const declared = compileOk(source).dims.filter((d) => d.value !== undefined && d.value > 64);
    const model = compileOk(source, Object.fromEntries(declared.map((d) => [d.name, 7])));
    const runtime = model.dims.filter((d) => d.value === undefined).map((d) => d.name);
    // A model without run-time sizes has one value for them: run it once.
    for (const size of runtime.length ? SIZES : [undefined]) {
      const dims = Object.fromEntries(runtime.map((d) => [d, size!]));
      const v = await drawValues(model, 1, dims);
      const ref = reference(model, v, 1);
      const targets: [string, number, Promise<Result>][] = [
        ['js f64', 1e-9, js(model, v, 'f64', 1)],
        ['js f32', 2e-3, js(model, v, 'f32', 1)],
      ];
      if (device) targets.push(['wgsl', 2e-3, wgsl(device, model, v, 1)]);
      for (const [target, rtol, result] of targets) {
        const w = disagreement(await result, ref, rtol, target === 'js f64' ? 1e-12 : 1e-6);
        expect(w.ratio, `${target} at ${JSON.stringify(v.dims)}: ${w.at}`).toBeLessThanOrEqual(1);
      }
    }
  });
});
