import { RangeSetBuilder, type Extension } from '@codemirror/state';
import { Decoration, EditorView, type DecorationSet } from '@codemirror/view';
import { catalogFacet, storyField } from './story-state.js';

const ref = Decoration.mark({ class: 'cm-ref' });
const unresolved = Decoration.mark({ class: 'cm-ref cm-ref-unresolved' });
const malformed = Decoration.mark({ class: 'cm-ref-malformed' });
const cite = Decoration.mark({ class: 'cm-cite' });

/** Marks references (resolved or not), malformed `{{…}}` and citation markers, as the shared parser finds them. */
export function referenceHighlight(): Extension {
  return EditorView.decorations.compute([storyField, catalogFacet], (state): DecorationSet => {
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
  });
}
