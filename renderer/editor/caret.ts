import { EditorSelection } from '@codemirror/state';
import { EditorView } from '@codemirror/view';
import { bodyOffset } from './writing-mode.js';

/** Where a person was in a story: the selection, and the first position shown at the top. */
export interface EditorPlace {
  anchor: number;
  head: number;
  top: number;
}

/** Where the body starts: after the front matter and the blank lines that follow it. */
export function bodyStart(view: EditorView): number {
  return bodyOffset(view.state);
}

/** Puts the caret where the writing starts (never inside the YAML) and the keyboard in the editor. */
export function focusBody(view: EditorView): void {
  const at = bodyStart(view);
  view.dispatch({ selection: { anchor: at }, effects: EditorView.scrollIntoView(at, { y: 'nearest' }) });
  view.focus();
}

/** The place to remember: the selection and the position of the line at the top of the view. */
export function placeOf(view: EditorView): EditorPlace {
  const { anchor, head } = view.state.selection.main;
  const top = view.lineBlockAtHeight(Math.max(0, view.scrollDOM.getBoundingClientRect().top - view.documentTop)).from;
  return { anchor, head, top };
}

/**
 * Returns to a remembered place: positions are clipped to the text (it may have changed since), and
 * the remembered top line is scrolled to the top (heights of wrapped lines are estimates until
 * measured, so a pixel offset would land elsewhere).
 */
export function restorePlace(view: EditorView, place: EditorPlace): void {
  const len = view.state.doc.length;
  const clip = (n: number) => Math.max(0, Math.min(len, Math.trunc(n)));
  view.dispatch({
    selection: EditorSelection.single(clip(place.anchor), clip(place.head)),
    effects: EditorView.scrollIntoView(clip(place.top), { y: 'start' }),
  });
  view.focus();
}
