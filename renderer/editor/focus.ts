import { Compartment, EditorState, type Extension, RangeSetBuilder } from '@codemirror/state';
import { Decoration, EditorView, ViewPlugin, type DecorationSet, type ViewUpdate } from '@codemirror/view';

/**
 * Focus mode's emphasis (every line but the current paragraph's dimmed) and typewriter scrolling
 * (the caret's line kept in the middle of the pane), each switched on and off in place.
 */

const dim = Decoration.line({ class: 'cm-dimmed' });

/** The current paragraph: the lines around the caret up to a blank line either way. */
function paragraphAt(state: EditorState): { from: number; to: number } {
  const doc = state.doc;
  let first = doc.lineAt(state.selection.main.head);
  let last = first;
  while (first.number > 1 && doc.line(first.number - 1).text.trim() !== '') first = doc.line(first.number - 1);
  while (last.number < doc.lines && doc.line(last.number + 1).text.trim() !== '') last = doc.line(last.number + 1);
  return { from: first.from, to: last.to };
}

const emphasis = ViewPlugin.fromClass(
  class {
    decorations: DecorationSet;
    constructor(view: EditorView) {
      this.decorations = this.build(view);
    }
    update(u: ViewUpdate) {
      if (u.docChanged || u.selectionSet || u.viewportChanged) this.decorations = this.build(u.view);
    }
    build(view: EditorView): DecorationSet {
      const here = paragraphAt(view.state);
      const b = new RangeSetBuilder<Decoration>();
      for (const { from, to } of view.visibleRanges) {
        for (let pos = from; pos <= to;) {
          const line = view.state.doc.lineAt(pos);
          if (line.to < here.from || line.from > here.to) b.add(line.from, line.from, dim);
          pos = line.to + 1;
        }
      }
      return b.finish();
    }
  },
  { decorations: (p) => p.decorations },
);

/** Every change of the selection or the text scrolls the caret's line to the middle. */
const typewriter: Extension = [
  EditorState.transactionExtender.of((tr) =>
    tr.selection || tr.docChanged ? { effects: EditorView.scrollIntoView(tr.newSelection.main.head, { y: 'center' }) } : null,
  ),
  EditorView.contentAttributes.of({ class: 'cm-typewriter' }),
];

const focusSlot = new Compartment();
const typewriterSlot = new Compartment();

export interface FocusOptions {
  focusMode: boolean;
  typewriter: boolean;
}

export function focusExtensions(o: FocusOptions): Extension {
  return [focusSlot.of(o.focusMode ? emphasis : []), typewriterSlot.of(o.typewriter ? typewriter : [])];
}

export function setFocusOptions(view: EditorView, o: FocusOptions): void {
  view.dispatch({ effects: [focusSlot.reconfigure(o.focusMode ? emphasis : []), typewriterSlot.reconfigure(o.typewriter ? typewriter : [])] });
  if (o.typewriter) view.dispatch({ effects: EditorView.scrollIntoView(view.state.selection.main.head, { y: 'center' }) });
}
