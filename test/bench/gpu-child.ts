// One GPU row of one workload, printed as one JSON line (see gpu.ts):
//   node gpu-child.js W1 gradc-wgsl 20
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { instantiate } from '../../runtime/instantiate.js';
import type { GeneratedGpuModel } from '../../runtime/module-types.js';
import type { GpuRows, GpuSystem } from './gpu.js';
import * as tfw from './tfjs.js';
import { stats, type Stats } from './timing.js';
import { compare, loadTf, workloads, type Result, type Workload } from './workloads.js';

const TOLERANCE = 2e-3;
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const [name, system, samplesArg] = process.argv.slice(2) as [string, GpuSystem, string];
const samples = Number(samplesArg ?? 20);
const out: GpuRows = { rows: {}, notes: [] };
const firstLine = (e: unknown) => String((e as Error)?.message ?? e).split('\n')[0]!;

const w = (await workloads(root)).find((x) => x.name === name);
if (!w) throw new Error(`no workload '${name}'`);
const ref = (await w.systems['gradc-js']!()).result();
try {
  if (system === 'gradc-wgsl') await gradcWgsl(w, ref);
  else await tfjsWebgpu(w, ref);
} catch (e) {
  out.notes.push(`${system}: skipped: ${firstLine(e)}`);
}
console.log(JSON.stringify(out));
process.exit(0);

async function gradcWgsl(w: Workload, ref: Result) {
  let m: GeneratedGpuModel;
  try {
    m = await instantiate(w.model, { target: 'wgsl' });
  } catch (e) {
    out.notes.push(`gradc-wgsl: skipped: ${firstLine(e)}`);
    return;
  }
  await m.load(w.initial);
  // Compare what gradc-js's result holds: the params after one step, or the gradients.
  const afterStep = w.compares === 'params after one step';
  const first: Result = afterStep
    ? { loss: await m.step(w.inputs), tensors: await params(m) }
    : await m.grad(w.inputs).then((r) => ({ loss: r.loss, tensors: arrays(r.grad) }));
  if (afterStep) await m.load(w.initial); // time from the same start
  const c = compare(ref, first);
  if (c.worst > TOLERANCE) {
    out.notes.push(`gradc-wgsl: results differ from gradc-js (${c.detail}); not timed`);
    return;
  }
  await m.load(w.initial);
  out.rows['gradc-wgsl'] = await time(() => (w.method === 'step' ? m.step(w.inputs) : m.grad(w.inputs)));
  const device = (await import(['..', '..', 'runtime', 'gpu', 'device.js'].join('/')).catch(() => undefined)) as { nodeDevice?: () => Promise<{ adapter?: string }> } | undefined;
  const adapter = (await device?.nodeDevice?.())?.adapter;
  out.notes.push(`gradc-wgsl: on ${adapter ?? 'the Dawn adapter'}; checked: ${c.detail}`);
}

async function tfjsWebgpu(w: Workload, ref: Result) {
  process.env.XDG_RUNTIME_DIR ??= '/tmp';
  const webgpu = (await import('webgpu')) as unknown as { create(flags: string[]): GPU; globals: object };
  Object.assign(globalThis, webgpu.globals);
  const gpu = webgpu.create([]);
  const adapter = await gpu.requestAdapter();
  if (!adapter) {
    out.notes.push('tfjs-webgpu: skipped: no WebGPU adapter (Dawn found no Vulkan driver)');
    return;
  }
  const info = adapter.info;
  Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true });
  const tf = await loadTf();
  const warn = console.warn;
  console.warn = () => {};
  try {
    await import('@tensorflow/tfjs-backend-webgpu');
    await tfw.useBackend(tf, 'webgpu');
    let tw = w.tfjs(tf);
    const c = compare(ref, await tfw.asyncCalls(tw, tf).result());
    tw.dispose();
    if (c.worst > TOLERANCE) {
      out.notes.push(`tfjs-webgpu: results differ from gradc-js (${c.detail}); not timed`);
      return;
    }
    tw = w.tfjs(tf);
    const calls = tfw.asyncCalls(tw, tf);
    out.rows['tfjs-webgpu'] = await time(calls.run);
    tw.dispose();
    out.notes.push(`tfjs-webgpu: on ${[info.vendor, info.architecture, info.description].filter(Boolean).join(' ')}; checked: ${c.detail}`);
  } finally {
    console.warn = warn;
  }
}

async function params(m: GeneratedGpuModel): Promise<Record<string, ArrayLike<number>>> {
  const s = await m.state();
  return Object.fromEntries(Object.keys(m.params).map((k) => [k, s[k]!]));
}

function arrays(g: Record<string, ArrayLike<number> | number>): Record<string, ArrayLike<number>> {
  return Object.fromEntries(Object.entries(g).map(([k, v]) => [k, typeof v === 'number' ? [v] : v]));
}

async function time(call: () => Promise<unknown>): Promise<Stats> {
  const start = performance.now();
  for (let n = 0; n < 3 || performance.now() - start < 300; n++) await call();
  const s: number[] = [];
  for (let k = 0; k < samples; k++) {
    const t0 = performance.now();
    await call();
    s.push(performance.now() - t0);
  }
  return stats(s);
}
