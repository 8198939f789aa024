// The .nn editor: CodeMirror 6, highlighted by gradc's own lexer (so the
// colours follow the grammar, never a second copy of it), with the compiler's
// diagnostics under the exact place.
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { bracketMatching } from '@codemirror/language';
import { lintGutter, setDiagnostics, type Diagnostic as CmDiagnostic } from '@codemirror/lint';
import { EditorState, RangeSetBuilder, StateEffect, StateField } from '@codemirror/state';
import { Decoration, EditorView, keymap, lineNumbers, ViewPlugin, type DecorationSet, type ViewUpdate } from '@codemirror/view';
import { tokenMatcher } from 'chevrotain';
import { BUILTINS } from '../compiler/analyze/builtins.js';
import { Identifier, Keyword, lex, NumberLit } from '../grammar/tokens.js';
import type { Message } from '../targets/library.js';

const mark = (cls: string) => Decoration.mark({ class: cls });
const MARKS = { keyword: mark('nn-keyword'), builtin: mark('nn-builtin'), name: mark('nn-name'), number: mark('nn-number'), op: mark('nn-op'), comment: mark('nn-comment') };

/** Decorations for every token of the document (a model is a few dozen lines: lexing it whole is microseconds). */
function highlight(text: string): DecorationSet {
  const b = new RangeSetBuilder<Decoration>();
  let at = 0;
  const gap = (to: number) => {
    // What the lexer skipped is blanks and comments: a `#` starts a comment to the end of its line.
    const s = text.slice(at, to);
    for (const m of s.matchAll(/#[^\n]*/gu)) b.add(at + m.index, at + m.index + m[0].length, MARKS.comment);
  };
  for (const t of lex(text)) {
    if (t.image === '') continue;
    gap(t.startOffset);
    const kind = tokenMatcher(t, Keyword) ? 'keyword' : tokenMatcher(t, NumberLit) ? 'number'
      : tokenMatcher(t, Identifier) ? (Object.hasOwn(BUILTINS, t.image) ? 'builtin' : 'name') : /^[\n;]$/u.test(t.image) ? undefined : 'op';
    if (kind) b.add(t.startOffset, t.startOffset + t.image.length, MARKS[kind]);
    at = t.startOffset + t.image.length;
  }
  gap(text.length);
  return b.finish();
}

const nnHighlight = ViewPlugin.fromClass(
  class {
    decorations: DecorationSet;
    constructor(view: EditorView) {
      this.decorations = highlight(view.state.doc.toString());
    }
    update(u: ViewUpdate) {
      if (u.docChanged) this.decorations = highlight(u.state.doc.toString());
    }
  },
  { decorations: (v) => v.decorations },
);

/** Lines of the model marked from elsewhere (a clicked equation or generated line). */
export const setMarkedLines = StateEffect.define<number[]>();
const markedLines = StateField.define<DecorationSet>({
  create: () => Decoration.none,
  update(deco, tr) {
    for (const e of tr.effects) {
      if (!e.is(setMarkedLines)) continue;
      const b = new RangeSetBuilder<Decoration>();
      for (const n of [...new Set(e.value)].sort((x, y) => x - y)) {
        if (n >= 1 && n <= tr.state.doc.lines) b.add(tr.state.doc.line(n).from, tr.state.doc.line(n).from, Decoration.line({ class: 'nn-marked' }));
      }
      return b.finish();
    }
    return tr.docChanged ? Decoration.none : deco;
  },
  provide: (f) => EditorView.decorations.from(f),
});

export interface EditorEvents {
  /** The text changed (every keystroke). */
  change(text: string): void;
  /** The cursor moved to a line (1-based). */
  line(n: number): void;
}

export function createEditor(parent: HTMLElement, text: string, on: EditorEvents): EditorView {
  return new EditorView({
    parent,
    state: EditorState.create({
      doc: text,
      extensions: [
        lineNumbers(),
        history(),
        bracketMatching(),
        lintGutter(),
        keymap.of([...defaultKeymap, ...historyKeymap, indentWithTab]),
        nnHighlight,
        markedLines,
        EditorView.lineWrapping,
        EditorView.updateListener.of((u) => {
          if (u.docChanged) on.change(u.state.doc.toString());
          if (u.selectionSet && !u.docChanged) on.line(u.state.doc.lineAt(u.state.selection.main.head).number);
        }),
      ],
    }),
  });
}

export function setText(view: EditorView, text: string): void {
  view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
}

/** The compiler's diagnostics under their place: the span it reports (at least one character), the message as the CLI prints it. */
export function showDiagnostics(view: EditorView, list: readonly Message[]): void {
  const len = view.state.doc.length;
  const out: CmDiagnostic[] = list.map((d) => {
    const from = Math.min(d.loc.offset, len);
    let to = Math.min(from + Math.max(d.loc.length ?? 1, 1), len);
    // At the end of a line or the file there is no character to underline: mark the one before.
    const lineEnd = view.state.doc.lineAt(from).to;
    if (to > lineEnd) to = lineEnd;
    const start = to === from && from > 0 ? from - 1 : from;
    return { from: start, to: Math.max(to, start), severity: d.severity, message: d.text.split('\n')[0]!, source: 'gradc' };
  });
  view.dispatch(setDiagnostics(view.state, out));
}
