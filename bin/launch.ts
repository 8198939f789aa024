// How bin/gradc starts the command line. Dawn (the `webgpu` package) writes
// two warnings straight to file descriptor 2 from native code when it opens
// a device ("maxDynamicUniformBuffersPerPipelineLayout artificially reduced…"),
// where no JavaScript can intercept them; a run on the WebGPU target therefore
// runs in a child process whose stderr passes through a filter that drops
// those lines and nothing else.
import { spawn } from 'node:child_process';
import { main } from './cli.js';

/** Lines Dawn prints on every device it opens; they say nothing about the user's model. */
export const DAWN_NOISE = /^Warning: max\w+PerPipelineLayout artificially reduced from \d+ to \d+ to fit dynamic offset allocation limit\.\r?$/u;

/** Whether these arguments open a WebGPU device (only then is the filter needed). */
export function usesGpu(argv: readonly string[]): boolean {
  return argv.some((a, i) => a === '--target=wgsl' || (a === '--target' && argv[i + 1] === 'wgsl'));
}

/** Passes text through, dropping Dawn's noise lines; a partial line is held only while it could become one. */
export class NoiseFilter {
  private pending = '';
  constructor(private readonly write: (s: string) => void) {}

  push(chunk: string): void {
    const parts = (this.pending + chunk).split('\n');
    this.pending = parts.pop()!;
    const kept = parts.filter((l) => !DAWN_NOISE.test(l));
    let out = kept.map((l) => l + '\n').join('');
    // A progress bar redraws with '\r' and no newline: let it through at once.
    if (!'Warning: max'.startsWith(this.pending.slice(0, 12)) || this.pending.includes('\r')) {
      out += this.pending;
      this.pending = '';
    }
    if (out) this.write(out);
  }

  end(): void {
    if (this.pending && !DAWN_NOISE.test(this.pending)) this.write(this.pending);
    this.pending = '';
  }
}

export async function launch(script: string, argv: string[]): Promise<number> {
  if (!usesGpu(argv) || process.env.GRADC_CHILD) return main(argv);
  const child = spawn(process.execPath, [script, ...argv], {
    stdio: ['inherit', 'inherit', 'pipe'],
    env: { ...process.env, GRADC_CHILD: '1', ...(process.stderr.isTTY ? { GRADC_STDERR_TTY: '1' } : {}) },
  });
  const filter = new NoiseFilter((s) => process.stderr.write(s));
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (s: string) => filter.push(s));
  // Ctrl-C reaches the child through the terminal; the parent only waits for it.
  process.on('SIGINT', () => {});
  return new Promise((done) => {
    child.on('close', (code, signal) => {
      filter.end();
      done(code ?? (signal === 'SIGINT' ? 130 : 1));
    });
  });
}
