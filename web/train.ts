// Training in the page: the same loop as `gradc train` (runtime/train/loop.ts:
// seeded batches, the module's fused `step` with the model's optimizer and
// schedule, validation in eval mode) on the generated WebGPU module when the
// page has an adapter, else on the CPU module. Live curves, stop and resume,
// and the trained module plus its params to download.
import type { Checkpoint, EpochRecord, RunSettings } from '../runtime/train/checkpoint.js';
import { curvesSvg } from '../runtime/train/curves.js';
import { layoutOf, loadDataset, type Dataset, type Layout } from '../runtime/train/data.js';
import { trainLoop, type LoopResult, type Reporter, type StepInfo, type Trainable } from '../runtime/train/loop.js';
import { split } from '../runtime/train/shuffle.js';
import { readDataText } from '../runtime/train/table.js';
import type { Compilation } from '../targets/library.js';
import digitsUrl from '../examples/data/digits.csv.gz?url';
import irisText from '../examples/data/iris.csv?raw';
import { importText } from './teach.js';

/** The bundled data sets, and the columns that feed their models (as the README's commands give them). */
export const DATASETS: Record<string, { file: string; columns?: string; text: () => Promise<string> }> = {
  digits: { file: 'digits.csv.gz', columns: 'X=0:64,y=64', text: async () => gunzip(new Uint8Array(await (await fetch(digitsUrl)).arrayBuffer())) },
  iris: { file: 'iris.csv', text: async () => irisText },
};

/** Text of a file's bytes, gunzipped when it starts with gzip's magic bytes (as the command line reads data). */
export async function gunzip(bytes: Uint8Array): Promise<string> {
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) return new TextDecoder().decode(bytes);
  const stream = new Blob([bytes as BlobPart]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new TextDecoder().decode(await new Response(stream).arrayBuffer());
}

export type Backend = 'webgpu' | 'cpu';

let gpu: Promise<GPUDevice | string> | undefined;
/** The page's WebGPU device, or why there is none (one line). */
export function gpuDevice(): Promise<GPUDevice | string> {
  gpu ??= (async () => {
    if (!('gpu' in navigator)) return 'this browser has no WebGPU (navigator.gpu is missing)';
    const adapter = await navigator.gpu.requestAdapter();
    if (!adapter) return 'WebGPU found no adapter';
    return adapter.requestDevice();
  })().catch((e) => `WebGPU failed: ${(e as Error).message}`);
  return gpu;
}

export interface TrainSettings {
  data: { file: string; text: string; columns?: string };
  backend: Backend;
  epochs: number;
  batch: number;
  val: number;
  seed: number;
}

export interface TrainView {
  status(text: string, error?: boolean): void;
  step(info: StepInfo): void;
  epoch(history: EpochRecord[]): void;
}

/** One training run in the page: start, stop (a checkpoint in memory), resume, download. */
export class PageRun {
  history: EpochRecord[] = [];
  result?: LoopResult;
  private stopping = false;
  private checkpoint?: Checkpoint;
  private module?: Trainable;
  private layout!: Layout;
  private data!: Dataset;

  constructor(readonly c: Compilation, readonly settings: TrainSettings, private readonly view: TrainView) {}

  /** Loads the data and the module of the chosen backend; throws a one-line message on a mistake. */
  async prepare(): Promise<void> {
    const model = this.c.model!;
    this.layout = layoutOf(model);
    const s = this.settings;
    this.data = loadDataset(readDataText(s.data.file, s.data.text), this.layout, s.data.columns || undefined);
    if (s.backend === 'webgpu') {
      const device = await gpuDevice();
      if (typeof device === 'string') throw new Error(device);
      const mod = await importText<{ create(d: GPUDevice, o: object): Promise<Trainable> }>(this.c.wgsl().host);
      this.module = await mod.create(device, { seed: s.seed });
    } else {
      const mod = await importText<{ create(o: object): Trainable }>(this.c.js('f32').text);
      this.module = mod.create({ seed: s.seed });
    }
  }

  stop(): void {
    this.stopping = true;
  }

  /** Runs until the epochs are done or stop() is called; call again to resume from where it stopped. */
  async run(): Promise<LoopResult> {
    const model = this.c.model!;
    const s = this.settings;
    const settings: RunSettings = { seed: s.seed, batch: s.batch, val: s.val, epochs: s.epochs, patience: null, columns: s.data.columns ?? null };
    this.stopping = false;
    const view = this.view;
    const reporter: Reporter = {
      epochStart: () => {},
      step: (info) => view.step(info),
      epochEnd: (record) => {
        this.history.push(record);
        view.epoch(this.history);
      },
      close: () => {},
    };
    this.history = this.checkpoint ? [...this.checkpoint.history] : [];
    this.result = await trainLoop({
      model,
      modelFile: this.c.file,
      module: this.module!,
      layout: this.layout,
      data: this.data,
      split: split(this.data.n, s.val, s.seed),
      checkpointPath: 'the page (resume continues from it)',
      save: (ck) => {
        this.checkpoint = ck;
      },
      base: { model: { file: this.c.file, sha256: '' }, data: { file: s.data.file, sha256: '', examples: this.data.n }, settings },
      resume: this.checkpoint,
      checkEveryStep: s.backend === 'cpu',
      verbose: false,
      reporter,
      interrupted: () => this.stopping,
    });
    return this.result;
  }

  /** The CPU module and the trained state (params, optimizer slots, step count): `create().load(state)` continues it. */
  downloads(): { name: string; text: string }[] {
    const base = this.c.file.replace(/\.nn$/u, '');
    const state = this.checkpoint?.state ?? {};
    return [
      { name: `${base}.js`, text: this.c.js('f32').text },
      { name: `${base}.params.json`, text: JSON.stringify(state) + '\n' },
    ];
  }
}

export function drawCurves(into: HTMLElement, history: EpochRecord[], title: string): void {
  into.innerHTML = history.length ? curvesSvg(history, title) : '';
  const svg = into.querySelector('svg');
  if (svg) {
    svg.removeAttribute('width');
    svg.removeAttribute('height');
  }
}

/** A live line of the per-step loss (log scale) and rate, drawn on a canvas. */
export class StepChart {
  private loss: number[] = [];
  private lr: number[] = [];
  constructor(private readonly canvas: HTMLCanvasElement) {}

  reset(): void {
    this.loss = [];
    this.lr = [];
    this.draw();
  }

  push(info: StepInfo): void {
    this.loss.push(info.loss);
    this.lr.push(info.lr);
  }

  draw(): void {
    const c = this.canvas;
    const w = (c.width = c.clientWidth * devicePixelRatio);
    const h = (c.height = c.clientHeight * devicePixelRatio);
    const g = c.getContext('2d')!;
    g.clearRect(0, 0, w, h);
    const line = (v: number[], color: string, log: boolean) => {
      const f = v.map((x) => (log ? Math.log10(Math.max(x, 1e-12)) : x)).filter(Number.isFinite);
      if (f.length < 2) return;
      const lo = Math.min(...f);
      const hi = Math.max(...f);
      g.strokeStyle = color;
      g.lineWidth = devicePixelRatio;
      g.beginPath();
      f.forEach((y, k) => g[k ? 'lineTo' : 'moveTo']((k / (f.length - 1)) * w, h - 4 - ((y - lo) / (hi - lo || 1)) * (h - 8)));
      g.stroke();
    };
    line(this.lr, '#9467bd', false);
    line(this.loss, '#1f77b4', true);
  }
}
