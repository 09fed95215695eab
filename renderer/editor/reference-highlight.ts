import { RangeSetBuilder, StateEffect, type EditorState, type Extension } from '@codemirror/state';
import { Decoration, ViewPlugin, type DecorationSet, type EditorView, type ViewUpdate } from '@codemirror/view';
import { catalogFacet, storyField } from './story-state.js';

const ref = Decoration.mark({ class: 'cm-ref' });
const unresolved = Decoration.mark({ class: 'cm-ref cm-ref-unresolved' });
const malformed = Decoration.mark({ class: 'cm-ref-malformed' });
const cite = Decoration.mark({ class: 'cm-cite' });

/** The marks of a state's references, malformed references and citation markers. */
function marksOf(state: EditorState): DecorationSet {
  const { facts } = state.field(storyField);
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
 * finds them. Reading them is a pass over the whole story, so while typing the marks are moved
 * with the text and read again once the editor is idle (a keystroke on a 10,000-word story must
 * not wait for it).
 */
export function referenceHighlight(): Extension {
  return ViewPlugin.fromClass(class {
    decorations: DecorationSet;
    private cancel: (() => void) | null = null;

    constructor(readonly view: EditorView) {
      this.decorations = marksOf(view.state);
    }

    update(u: ViewUpdate): void {
      if (u.startState.facet(catalogFacet) !== u.state.facet(catalogFacet) || u.transactions.some((tr) => tr.effects.some((e) => e.is(refresh)))) {
        this.decorations = marksOf(u.state);
      } else if (u.docChanged) {
        this.decorations = this.decorations.map(u.changes);
        this.cancel?.();
        this.cancel = idle(() => {
          this.cancel = null;
          this.view.dispatch({ effects: refresh.of(null) });
        });
      }
    }

    destroy(): void {
      this.cancel?.();
    }
  }, { decorations: (p) => p.decorations });
}
