// Symbolic sizes. A size is a polynomial with integer coefficients over the
// dims that have no value at compile time (the batch size N, or a dim given at
// create()). Dims with a value are substituted before a size is built, so
// `[5*d]` with d = 3 is just 15, while `[d, N]` keeps N.
//
// Polynomials (not just products) because shapes may be written `[n, d+1]`.

/** A monomial is a sorted list of dim names (with repetition for powers): "N", "N*N". */
type Monomial = string;

export class Size {
  /** monomial → coefficient; the constant term is keyed by "". */
  private constructor(private readonly terms: ReadonlyMap<Monomial, number>) {}

  static of(n: number): Size {
    return new Size(n === 0 ? new Map() : new Map([['', n]]));
  }

  static dim(name: string): Size {
    return new Size(new Map([[name, 1]]));
  }

  add(o: Size): Size {
    const t = new Map(this.terms);
    for (const [m, c] of o.terms) {
      const v = (t.get(m) ?? 0) + c;
      if (v === 0) t.delete(m);
      else t.set(m, v);
    }
    return new Size(t);
  }

  mul(o: Size): Size {
    let out = Size.of(0);
    for (const [m1, c1] of this.terms) {
      for (const [m2, c2] of o.terms) {
        const names = [...(m1 ? m1.split('*') : []), ...(m2 ? m2.split('*') : [])].sort();
        out = out.add(new Size(new Map([[names.join('*'), c1 * c2]])));
      }
    }
    return out;
  }

  /** The value when the size is a constant, else undefined. */
  get constant(): number | undefined {
    if (this.terms.size === 0) return 0;
    if (this.terms.size === 1 && this.terms.has('')) return this.terms.get('')!;
    return undefined;
  }

  isOne(): boolean {
    return this.constant === 1;
  }

  equals(o: Size): boolean {
    return this.key === o.key;
  }

  /** The dims this size depends on. */
  get dims(): string[] {
    const s = new Set<string>();
    for (const m of this.terms.keys()) for (const d of m ? m.split('*') : []) s.add(d);
    return [...s].sort();
  }

  /** A canonical text, used as a key and in messages: "5*N + 1". */
  get key(): string {
    if (this.terms.size === 0) return '0';
    const parts = this.monomials.map(({ k, dims }) => (dims.length === 0 ? String(k) : k === 1 ? dims.join('*') : `${k}*${dims.join('*')}`));
    return parts.join(' + ').replace(/\+ -/g, '- ');
  }

  toString(): string {
    return this.key;
  }

  /** The value for given dim values; throws on a dim with no value. */
  eval(dims: Readonly<Record<string, number>>): number {
    let total = 0;
    for (const [m, c] of this.terms) {
      let v = c;
      for (const d of m ? m.split('*') : []) {
        const x = Object.hasOwn(dims, d) ? dims[d] : undefined; // a dim may be called `constructor`
        if (x === undefined) throw new Error(`dim '${d}' has no value`);
        v *= x;
      }
      total += v;
    }
    return total;
  }

  /** The terms, constant last: 5*N + 1 is [{ k: 5, dims: ['N'] }, { k: 1, dims: [] }]. */
  get monomials(): { k: number; dims: string[] }[] {
    if (this.terms.size === 0) return [{ k: 0, dims: [] }];
    return [...this.terms.entries()]
      .sort(([a], [b]) => (a === b ? 0 : a === '' ? 1 : b === '' ? -1 : a < b ? -1 : 1))
      .map(([m, k]) => ({ k, dims: m ? m.split('*') : [] }));
  }

  /**
   * Whether the size reads as one value with no operator: a single dim or a
   * non-negative constant. Anything else (3*N, N + 1) is parenthesized wherever
   * it is an operand, or `x / 3*N` would divide by 3 and multiply by N.
   */
  get atomic(): boolean {
    const c = this.constant;
    if (c !== undefined) return c >= 0;
    const [t, ...rest] = this.monomials;
    return rest.length === 0 && t!.k === 1 && t!.dims.length === 1;
  }

  /** A code expression for the size, given how to spell a dim; always one operand: "N", "(3 * N)", "(5 * N + 1)". */
  toCode(dim: (name: string) => string = (d) => d): string {
    const c = this.constant;
    if (c !== undefined) return c < 0 ? `(${c})` : String(c);
    const parts = this.monomials.map(({ k, dims }) => {
      const factors = dims.map(dim);
      if (k !== 1 || factors.length === 0) factors.unshift(String(k));
      return factors.join(' * ');
    });
    return this.atomic ? parts[0]! : `(${parts.join(' + ')})`;
  }

  /**
   * For a size that is `k * dim` (one dim, power 1, no other terms): the dim and
   * k. Used to bind a run-time dim from the length of an input.
   */
  linearIn(): { dim: string; factor: number } | undefined {
    if (this.terms.size !== 1) return undefined;
    const [[m, k]] = [...this.terms.entries()] as [[string, number]];
    if (!m || m.includes('*')) return undefined;
    return { dim: m, factor: k };
  }
}

/** Every IR value is a matrix: a column vector is [n, 1], a row [1, n], a scalar [1, 1]. */
export type Shape = readonly [Size, Size];

export const ONE = Size.of(1);
export const SCALAR: Shape = [ONE, ONE];

export function shapeKey(s: Shape): string {
  return `[${s[0].key}, ${s[1].key}]`;
}

/** Whether a shape is [1, 1]: a scalar. */
export function isScalarShape(s: Shape): boolean {
  return s[0].isOne() && s[1].isOne();
}

export function shapeEquals(a: Shape, b: Shape): boolean {
  return a[0].equals(b[0]) && a[1].equals(b[1]);
}

export function numel(s: Shape): Size {
  return s[0].mul(s[1]);
}

/** The shape two broadcasting operands produce, or undefined if they do not broadcast. */
export function broadcastShapes(a: Shape, b: Shape): Shape | undefined {
  const dim = (x: Size, y: Size) => (x.equals(y) || y.isOne() ? x : x.isOne() ? y : undefined);
  const r = dim(a[0], b[0]);
  const c = dim(a[1], b[1]);
  return r && c ? [r, c] : undefined;
}
