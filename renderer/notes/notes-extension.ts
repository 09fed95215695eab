/**
 * Review notes in the editor: each note's text highlighted, with a marker in the margin, following
 * the text through every change (decorations map through the transaction's changes), so a note stays
 * on its words while the writer types around them. The notes panel sets them with `setNotes` and
 * reads where they stand now with `notePlaces`.
 */
import { Compartment, RangeSet, StateEffect, StateField, type Extension } from '@codemirror/state';
import { Decoration, EditorView, GutterMarker, gutter, type DecorationSet } from '@codemirror/view';

export interface NoteMark {
  id: string;
  from: number;
  to: number;
  resolved: boolean;
}

export const setNotesEffect = StateEffect.define<NoteMark[]>();
export const focusNoteEffect = StateEffect.define<string | null>();

interface NotesState {
  marks: DecorationSet;
  focused: string | null;
}

function decorations(notes: readonly NoteMark[], focused: string | null, length: number): DecorationSet {
  const ranges = notes
    .filter((n) => n.from < n.to && n.to <= length)
    .sort((a, b) => a.from - b.from || a.to - b.to)
    .map((n) =>
      Decoration.mark({
        class: `cm-note${n.resolved ? ' cm-note-resolved' : ''}${n.id === focused ? ' cm-note-focused' : ''}`,
        attributes: { 'data-note-id': n.id },
        noteId: n.id,
        resolved: n.resolved,
      }).range(n.from, n.to),
    );
  return Decoration.set(ranges, true);
}

/** The notes a decoration set shows, where they stand in it now, by id. */
function marksIn(marks: DecorationSet, length: number): Map<string, NoteMark> {
  const out = new Map<string, NoteMark>();
  marks.between(
    0,
    length,
    (from, to, d) => void out.set(d.spec.noteId as string, { id: d.spec.noteId as string, from, to, resolved: d.spec.resolved as boolean }),
  );
  return out;
}

const notesField = StateField.define<NotesState>({
  create: () => ({ marks: Decoration.none, focused: null }),
  update(value, tr) {
    let { marks, focused } = value;
    marks = marks.map(tr.changes);
    for (const e of tr.effects) {
      if (e.is(setNotesEffect)) marks = decorations(e.value, focused, tr.state.doc.length);
      if (e.is(focusNoteEffect)) {
        focused = e.value;
        marks = decorations([...marksIn(marks, tr.state.doc.length).values()], focused, tr.state.doc.length);
      }
    }
    return { marks, focused };
  },
  provide: (f) => EditorView.decorations.from(f, (v) => v.marks),
});

class NoteMarker extends GutterMarker {
  override toDOM() {
    const el = document.createElement('span');
    el.className = 'cm-note-marker';
    el.textContent = '●';
    el.setAttribute('aria-hidden', 'true');
    return el;
  }
}
const marker = new NoteMarker();

const notesGutter = gutter({
  class: 'cm-notes-gutter',
  markers: (view) => {
    const lines: number[] = [];
    view.state.field(notesField).marks.between(0, view.state.doc.length, (from, _to, d) => {
      if (!d.spec.resolved) lines.push(view.state.doc.lineAt(from).from);
    });
    return RangeSet.of([...new Set(lines)].sort((a, b) => a - b).map((at) => marker.range(at)));
  },
});

/** The margin is there only while a note is open: an empty one moved the centred measure aside. */
const gutterSlot = new Compartment();

/** The editor's part of review notes: the highlights and the margin markers. */
export function notesExtension(): Extension {
  return [notesField, gutterSlot.of([])];
}

export function setNotes(view: EditorView, notes: NoteMark[]): void {
  // The notes are read again after every save: most reads change nothing, and a transaction for
  // nothing is a view update in the middle of typing.
  const field = view.state.field(notesField, false);
  const now = field ? marksIn(field.marks, view.state.doc.length) : new Map<string, NoteMark>();
  const same = (n: NoteMark) => {
    const m = now.get(n.id);
    return m !== undefined && m.from === n.from && m.to === n.to && m.resolved === n.resolved;
  };
  if (field && now.size === notes.length && notes.every(same)) return;
  const open = notes.some((n) => !n.resolved && n.from < n.to && n.to <= view.state.doc.length);
  const effects: StateEffect<unknown>[] = [setNotesEffect.of(notes)];
  if ((gutterSlot.get(view.state) === notesGutter) !== open) effects.push(gutterSlot.reconfigure(open ? notesGutter : []));
  view.dispatch({ effects });
}

/** Where each note stands in the editor's text now (after everything typed since they were set). */
export function notePlaces(view: EditorView): Map<string, { from: number; to: number }> {
  const field = view.state.field(notesField, false);
  return field ? marksIn(field.marks, view.state.doc.length) : new Map();
}

/** Selects a note's text, scrolls it into view and marks it as the focused note. */
export function revealNote(view: EditorView, id: string): boolean {
  const place = notePlaces(view).get(id);
  if (!place) return false;
  view.dispatch({
    selection: { anchor: place.from, head: place.to },
    effects: [focusNoteEffect.of(id), EditorView.scrollIntoView(place.from, { y: 'center' })],
  });
  return true;
}

/**
 * The note after (or before) the caret, in text order, wrapping around. A note starting right at a
 * bare caret (Ctrl+Home puts it at the body's first word) is the next one; a selection (the note F7
 * showed last) is stepped past.
 */
export function adjacentNote(view: EditorView, direction: 1 | -1): string | null {
  const places = [...notePlaces(view).entries()].sort((a, b) => a[1].from - b[1].from);
  if (places.length === 0) return null;
  const { from: caret, empty } = view.state.selection.main;
  const next =
    direction === 1
      ? (places.find(([, p]) => p.from > caret || (empty && p.from === caret)) ?? places[0])
      : ([...places].reverse().find(([, p]) => p.from < caret) ?? places[places.length - 1]);
  return next![0];
}
