// What a run shows while it trains: on a terminal, a progress bar per epoch
// (epoch, step, loss, lr, examples/s, time left) above one line per finished
// epoch (losses, accuracies, seconds per epoch, time left); elsewhere (a pipe,
// a file, CI) just the lines. A model without inputs shows no examples/s.
import cliProgress from 'cli-progress';
import type { EpochRecord } from './checkpoint.js';
import type { EpochExtra, Reporter, StepInfo } from './loop.js';
import { RATIO_BAND } from './metrics.js';

export const fmt = (x: number | null, digits = 4): string => (x === null ? '—' : Math.abs(x) >= 1e-3 || x === 0 ? x.toFixed(digits) : x.toExponential(2));
const rate = (x: number) => Math.round(x).toLocaleString('en-US');
const lrText = (x: number) => (x >= 0.01 && x < 1000 ? String(+x.toPrecision(3)) : x.toExponential(2));

/** Seconds as the bar and the lines show them: 0.84 s, 12 s, 3 min 5 s, 1 h 2 min. */
export function duration(s: number): string {
  if (!Number.isFinite(s)) return '…';
  if (s < 10) return `${s.toFixed(s < 1 ? 2 : 1)} s`;
  if (s < 60) return `${Math.round(s)} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
  return `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`;
}

/** One line for a finished epoch. */
export function epochLine(r: EpochRecord, extra: Pick<EpochExtra, 'epochs' | 'examplesPerSecond' | 'seconds' | 'eta'>): string {
  const w = String(extra.epochs).length;
  const parts = [`epoch ${String(r.epoch).padStart(w)}/${extra.epochs}`, `step ${r.step}`, `train_loss ${fmt(r.train_loss)}`];
  if (r.val_loss !== null) parts.push(`val_loss ${fmt(r.val_loss)}`);
  if (r.train_accuracy !== undefined) parts.push(`train_accuracy ${r.train_accuracy.toFixed(4)}`);
  if (r.val_accuracy !== null) parts.push(`val_accuracy ${r.val_accuracy.toFixed(4)}`);
  parts.push(`lr ${lrText(r.lr)}`);
  if (extra.examplesPerSecond !== null) parts.push(`${rate(extra.examplesPerSecond)} ex/s`);
  parts.push(`${duration(extra.seconds)}/epoch`);
  if (r.epoch < extra.epochs) parts.push(`eta ${duration(extra.eta)}`);
  return parts.join('  ');
}

/** The update/param magnitude ratios, flagged when far from the ~1e-3 rule of thumb. */
export function ratioLine(ratios: Map<string, number>): string {
  const items = [...ratios].map(([n, r]) => `${n} ${r.toExponential(1)}${r > RATIO_BAND[1] ? ' (high)' : r < RATIO_BAND[0] && r > 0 ? ' (low)' : ''}`);
  return `  update/param (rule of thumb ~1e-3): ${items.join('  ')}`;
}

/** Plain lines, one per epoch, to `out`. */
export class LineReporter implements Reporter {
  constructor(protected readonly out: NodeJS.WritableStream) {}
  epochStart(_epoch: number, _epochs: number, _steps: number, _position: number): void {}
  step(_info: StepInfo): void {}
  epochEnd(r: EpochRecord, extra: EpochExtra): void {
    this.out.write(epochLine(r, extra) + '\n');
    if (extra.ratios) this.out.write(ratioLine(extra.ratios) + '\n');
  }
  close(): void {}
}

/** A progress bar on the terminal `tty` while an epoch runs; the epoch's line when it ends. */
export class BarReporter extends LineReporter {
  private bar: cliProgress.SingleBar | undefined;

  constructor(out: NodeJS.WritableStream, private readonly tty: NodeJS.WriteStream) {
    super(out);
  }

  override epochStart(epoch: number, epochs: number, steps: number, position: number): void {
    this.bar = new cliProgress.SingleBar(
      {
        stream: this.tty,
        format: 'epoch {epoch}/{epochs} {bar} {value}/{total} | loss {loss} | lr {lr}{rate} | eta {left}',
        barsize: 24,
        clearOnComplete: true,
        hideCursor: true,
        fps: 12,
        // The stream may be a pipe to bin/launch.ts's filter standing in for the terminal.
        noTTYOutput: true,
      },
      cliProgress.Presets.shades_classic,
    );
    this.bar.start(steps, position, { epoch: epoch + 1, epochs, loss: '…', lr: '…', rate: '', left: '…' });
  }

  override step(s: StepInfo): void {
    this.bar?.update(s.position, { loss: fmt(s.loss), lr: lrText(s.lr), rate: s.examplesPerSecond === null ? '' : ` | ${rate(s.examplesPerSecond)} ex/s`, left: duration(s.eta) });
  }

  override epochEnd(r: EpochRecord, extra: EpochExtra): void {
    this.close();
    super.epochEnd(r, extra);
  }

  override close(): void {
    this.bar?.stop();
    this.bar = undefined;
  }
}
