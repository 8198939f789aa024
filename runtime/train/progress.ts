// What a run shows while it trains: on a terminal, a progress bar per epoch
// (epoch, step, loss, lr, examples/s) above one line per finished epoch;
// elsewhere (a pipe, a file, CI) just the lines.
import cliProgress from 'cli-progress';
import type { EpochRecord } from './checkpoint.js';
import type { Reporter, StepInfo } from './loop.js';

export const fmt = (x: number | null, digits = 4): string => (x === null ? '—' : Math.abs(x) >= 1e-3 || x === 0 ? x.toFixed(digits) : x.toExponential(2));
const rate = (x: number) => Math.round(x).toLocaleString('en-US');
const lrText = (x: number) => (x >= 0.01 && x < 1000 ? String(+x.toPrecision(3)) : x.toExponential(2));

/** One line for a finished epoch. */
export function epochLine(r: EpochRecord, epochs: number, examplesPerSecond: number): string {
  const w = String(epochs).length;
  const parts = [`epoch ${String(r.epoch).padStart(w)}/${epochs}`, `step ${r.step}`, `train_loss ${fmt(r.train_loss)}`];
  if (r.val_loss !== null) parts.push(`val_loss ${fmt(r.val_loss)}`);
  if (r.val_accuracy !== null) parts.push(`val_accuracy ${r.val_accuracy.toFixed(4)}`);
  parts.push(`lr ${lrText(r.lr)}`, `${rate(examplesPerSecond)} ex/s`);
  return parts.join('  ');
}

/** The update/param magnitude ratios, flagged when far from the ~1e-3 rule of thumb. */
export function ratioLine(ratios: Map<string, number>): string {
  const items = [...ratios].map(([n, r]) => `${n} ${r.toExponential(1)}${r > 1e-2 ? ' (high)' : r < 1e-4 && r > 0 ? ' (low)' : ''}`);
  return `  update/param (rule of thumb ~1e-3): ${items.join('  ')}`;
}

/** Plain lines, one per epoch, to `out`. */
export class LineReporter implements Reporter {
  constructor(protected readonly out: NodeJS.WritableStream) {}
  epochStart(_epoch: number, _epochs: number, _steps: number, _position: number): void {}
  step(_info: StepInfo): void {}
  epochEnd(r: EpochRecord, extra: { epochs: number; examplesPerSecond: number; ratios?: Map<string, number> }): void {
    this.out.write(epochLine(r, extra.epochs, extra.examplesPerSecond) + '\n');
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
        format: 'epoch {epoch}/{epochs} {bar} {value}/{total} | loss {loss} | lr {lr} | {rate} ex/s',
        barsize: 24,
        clearOnComplete: true,
        hideCursor: true,
        fps: 12,
        // The stream may be a pipe to bin/launch.ts's filter standing in for the terminal.
        noTTYOutput: true,
      },
      cliProgress.Presets.shades_classic,
    );
    this.bar.start(steps, position, { epoch: epoch + 1, epochs, loss: '…', lr: '…', rate: '…' });
  }

  override step(s: StepInfo): void {
    this.bar?.update(s.position, { loss: fmt(s.loss), lr: lrText(s.lr), rate: rate(s.examplesPerSecond) });
  }

  override epochEnd(r: EpochRecord, extra: { epochs: number; examplesPerSecond: number; ratios?: Map<string, number> }): void {
    this.close();
    super.epochEnd(r, extra);
  }

  override close(): void {
    this.bar?.stop();
    this.bar = undefined;
  }
}
