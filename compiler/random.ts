// Counter-based random numbers: value k of stream (seed, stream) is a pure
// function of the three, so the CPU module, the GPU module, the reference
// interpreter and a WGSL kernel all draw the same numbers in any order.
// hash3, uniform and normal are embedded in generated modules with
// Function.toString(), so they stay self-contained plain JavaScript (no
// closures, no imports). The dropout masks are defined here once: the
// interpreter draws them with dropoutMask, the targets spell the same stream.

/** A 32-bit mix of three integers (lowbias32 rounds, after Chris Wellons). */
export function hash3(a: number, b: number, c: number): number {
  let h = (Math.imul(a | 0, 0x9e3779b1) ^ Math.imul(b | 0, 0x85ebca77) ^ Math.imul(c | 0, 0xc2b2ae3d)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  h = (h + (a | 0)) >>> 0; // keeps (a, b, c) and (b, a, c) apart
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  return h >>> 0;
}

/** Uniform in [0, 1), 24 bits, so that float32 holds it exactly. */
export function uniform(seed: number, stream: number, k: number): number {
  return (hash3(seed, stream, k) >>> 8) / 16777216;
}

/** Standard normal by Box–Muller, from two uniforms of the same counter. */
export function normal(seed: number, stream: number, k: number): number {
  const u1 = ((hash3(seed, stream, 2 * k) >>> 8) + 1) / 16777217; // in (0, 1]
  const u2 = (hash3(seed, stream, 2 * k + 1) >>> 8) / 16777216;
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/** Stream of dropout mask `id` at step 0 (an exact u32); at step t the stream is this + t. Targets add their own step counter. */
export function maskStreamBase(id: number): number {
  return ((id + 1) * 1000003) >>> 0;
}

/** Stream of dropout mask `id` at a step. */
export function maskStream(id: number, step: number): number {
  return maskStreamBase(id) + step;
}

/** Inverted dropout: element k is 0 when its uniform draw is below p, else 1 / (1 − p). */
export function dropoutMask(seed: number, id: number, step: number, p: number, n: number): Float64Array {
  const out = new Float64Array(n);
  const keep = 1 / (1 - p);
  const stream = maskStream(id, step);
  for (let k = 0; k < n; k++) out[k] = uniform(seed, stream, k) < p ? 0 : keep;
  return out;
}
