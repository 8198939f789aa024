// A small indentation-aware text builder for generated code.
import { jsComment } from './escape.js';
/** A generated line's source: a 1-based line and column in the model file. */
export interface SourcePos {
  line: number;
  col: number;
}

export class Code {
  private readonly out: string[] = [];
  private depth = 0;
  /** The source of the lines written from now on (for the source map). */
  source: SourcePos | undefined;
  /** Generated line index → source position. */
  readonly mappings = new Map<number, SourcePos>();

  /** `escape` makes one comment line's text safe (targets/escape.ts): a name can never end a comment. */
  constructor(private readonly unit = '  ', private readonly escape: (text: string) => string = jsComment) {}

  line(s = ''): this {
    if (this.source && s) this.mappings.set(this.out.length, this.source);
    this.out.push(s ? this.unit.repeat(this.depth) + s : '');
    return this;
  }

  lines(text: string): this {
    for (const l of text.split('\n')) this.line(l);
    return this;
  }

  /** `head {`, the body one level in, then `}` (or `close`). */
  block(head: string, body: () => void, close = '}'): this {
    this.line(head ? `${head} {` : '{');
    this.depth++;
    body();
    this.depth--;
    return this.line(close);
  }

  indent(body: () => void): this {
    this.depth++;
    body();
    this.depth--;
    return this;
  }

  comment(text: string, mark = '//'): this {
    for (const l of text.split('\n')) this.line(`${mark} ${this.escape(l)}`);
    return this;
  }

  toString(): string {
    return this.out.join('\n') + '\n';
  }
}
