// `--emit svg`: the DOT graph laid out and drawn by Graphviz compiled to
// WebAssembly (@viz-js/viz), loaded on first use.
import { instance, type Viz } from '@viz-js/viz';

let viz: Promise<Viz> | undefined;

/** SVG text for a DOT graph. */
export async function renderSvg(dot: string): Promise<string> {
  viz ??= instance();
  const r = (await viz).render(dot, { format: 'svg' });
  if (r.status !== 'success') {
    throw new Error(`Graphviz could not draw the graph: ${r.errors.map((e) => e.message).join('; ')}`);
  }
  return r.output;
}
