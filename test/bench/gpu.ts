// The GPU rows: gradc's WebGPU module and TF.js's webgpu backend, on the Dawn
// adapter of the `webgpu` package, where there is one. Each runs in a child
// process of its own (gpu-child.ts), so that a crash or a hang in a native
// driver costs a one-line note, not the run.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Stats, TimingOptions } from './timing.js';
import type { SystemName, Workload } from './workloads.js';

export interface GpuRows {
  rows: Partial<Record<SystemName, Stats>>;
  notes: string[];
}

export const GPU_SYSTEMS = ['gradc-wgsl', 'tfjs-webgpu'] as const;
export type GpuSystem = (typeof GPU_SYSTEMS)[number];

/** Wall-clock limit of one system's GPU row on one workload. */
const LIMIT_MS = 240_000;

export function gpuRows(w: Workload, opts: TimingOptions): GpuRows {
  const out: GpuRows = { rows: {}, notes: [] };
  const child = fileURLToPath(new URL('./gpu-child.js', import.meta.url));
  for (const system of GPU_SYSTEMS) {
    const r = spawnSync(process.execPath, [child, w.name, system, String(opts.samples)], {
      encoding: 'utf8',
      timeout: LIMIT_MS,
      env: { ...process.env, XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? '/tmp' },
      maxBuffer: 1 << 24,
    });
    const last = r.stdout?.trim().split('\n').pop() ?? '';
    try {
      const got = JSON.parse(last) as GpuRows;
      Object.assign(out.rows, got.rows);
      out.notes.push(...got.notes);
    } catch {
      const why = r.error
        ? (r.error as NodeJS.ErrnoException).code === 'ETIMEDOUT' ? `took longer than ${LIMIT_MS / 1000} s` : r.error.message
        : r.signal ? `its process died (${r.signal})` : `its process failed (exit ${r.status}): ${firstLine(r.stderr)}`;
      out.notes.push(`${system}: skipped: ${why}`);
    }
  }
  return out;
}

function firstLine(s: string | undefined): string {
  return (s ?? '').split('\n').find((l) => l.trim() && !l.startsWith('Warning:'))?.trim() ?? '';
}
