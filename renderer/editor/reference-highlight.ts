import { RangeSetBuilder, StateEffect, type Extension } from '@codemirror/state';
import { Decoration, ViewPlugin, type DecorationSet, type EditorView, type ViewUpdate } from '@codemirror/view';
import { catalogFacet, storyField } from './story-state.js';

const ref = Decoration.mark({ class: 'cm-ref' });
const unresolved = Decoration.mark({ class: 'cm-ref cm-ref-unresolved' });
const malformed = Decoration.mark({ class: 'cm-ref-malformed' });
const cite = Decoration.mark({ class: 'cm-cite' });

/**
 * The marks of the references, malformed references and citation markers in the editor's viewport
 * (the blocks holding it, found by binary search: a long story is not walked a keystroke).
 */
function marksOf(view: EditorView): DecorationSet {
  const { state } = view;
  const { from: top, to: bottom } = view.viewport;
  const facts = state.field(storyField).factsBetween(top, bottom);
  const catalog = state.facet(catalogFacet);
  const len = state.doc.length;
  const marks: Array<{ from: number; to: number; deco: Decoration }> = [];
  for (const r of facts.references) marks.push({ from: r.from, to: r.to, deco: catalog.has(r.kind, r.slug) ? ref : unresolved });
  for (const m of facts.malformed) marks.push({ from: m.from, to: m.to, deco: malformed });
  for (const c of facts.citations) marks.push({ from: c.from, to: c.to, deco: cite });
  marks.sort((a, b) => a.from - b.from || a.to - b.to);
  const builder = new RangeSetBuilder<Decoration>();
  let last = -1;
  for (const m of marks) {
    const to = Math.min(m.to, len);
    if (m.from < last || m.from >= to) continue;
    builder.add(m.from, to, m.deco);
    last = to;
  }
  return builder.finish();
}

const refresh = StateEffect.define<null>();
const idle = (fn: () => void): (() => void) => {
  if (typeof requestIdleCallback === 'function') {
    const id = requestIdleCallback(fn, { timeout: 400 });
    return () => cancelIdleCallback(id);
  }
  const id = setTimeout(fn, 60);
  return () => clearTimeout(id);
};

/**
 * Marks references (resolved or not), malformed `{{…}}` and citation markers, as the shared parser
 * finds them, in the viewport (read again when it moves). While typing the marks are moved with
 * the text and read again once the editor is idle (the edited block is parsed again then).
 */
export function referenceHighlight(): Extension {
  return ViewPlugin.fromClass(
    class {
      decorations: DecorationSet;
      private cancel: (() => void) | null = null;

      constructor(readonly view: EditorView) {
        this.decorations = marksOf(view);
      }

      update(u: ViewUpdate): void {
        if (u.startState.facet(catalogFacet) !== u.state.facet(catalogFacet) || u.transactions.some((tr) => tr.effects.some((e) => e.is(refresh)))) {
          this.decorations = marksOf(u.view);
        } else if (u.docChanged) {
          this.decorations = this.decorations.map(u.changes);
          this.cancel?.();
          this.cancel = idle(() => {
            this.cancel = null;
            this.view.dispatch({ effects: refresh.of(null) });
          });
        } else if (u.viewportChanged) {
          this.decorations = marksOf(u.view);
        }
      }

      destroy(): void {
        this.cancel?.();
      }
    },
    { decorations: (p) => p.decorations },
  );
}
