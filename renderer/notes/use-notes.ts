import type { EditorView } from '@codemirror/view';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { StudioApi } from '../../shared/api/contract.js';
import type { NoteView } from '../../shared/api/notes.js';
import { anchorAt, parseStory, type NoteState } from '../../shared/index.js';
import { notePlaces, setNotes } from './notes-extension.js';

export interface NotesControl {
  notes: NoteView[];
  /** Adds a note on the editor's selection; null when added, else why not (in words). */
  add(body: string): Promise<string | null>;
  /** The selection's text when it can take a note (some text of the body), else null. */
  selectionQuote(): string | null;
  reply(noteId: string, body: string): Promise<void>;
  setState(noteId: string, state: NoteState): Promise<void>;
  resolveConflict(noteId: string, body: string, state: NoteState): Promise<void>;
  reload(): Promise<void>;
}

/**
 * The open story's review notes: read from the host when the story opens, after every save and
 * every sync the host reports (`stamp`) and after every note action; their places go into the
 * editor, where they then follow the text as it is typed.
 */
export function useNotes(
  api: StudioApi | null,
  storyId: string | null,
  view: () => EditorView | null,
  stamp: string | null,
  onError: (m: string) => void,
  /** Saves what the editor holds: a note is anchored on the library's text, under its slug of now. */
  flush: () => Promise<boolean>,
): NotesControl {
  const [notes, setList] = useState<NoteView[]>([]);
  const asked = useRef(0);
  const errorRef = useRef(onError);
  errorRef.current = onError;
  // The notes this editor view was given: their marks have followed every keystroke since.
  const placed = useRef<{ view: EditorView | null; ids: Set<string> }>({ view: null, ids: new Set() });

  const show = useCallback(
    (list: NoteView[]) => {
      setList(list);
      const v = view();
      if (!v) return;
      // Places come from the library's saved text; the editor may hold a little more (autosave within a
      // second). A note this view already shows keeps the place its mark followed to (a mark whose text
      // was deleted here is gone: the next read after the save says detached); the others take the library's.
      const before = placed.current.view === v ? placed.current.ids : new Set<string>();
      const here = notePlaces(v);
      const marks = list.flatMap((n) => {
        if (!n.place) return [];
        const at = before.has(n.id) ? here.get(n.id) : n.place;
        return at ? [{ id: n.id, from: at.from, to: at.to, resolved: n.state === 'resolved' }] : [];
      });
      placed.current = { view: v, ids: new Set(marks.map((m) => m.id)) };
      setNotes(v, marks);
    },
    [view],
  );

  const reload = useCallback(async () => {
    if (!api || !storyId) return setList([]);
    const n = ++asked.current;
    try {
      const list = await api.listNotes({ id: storyId });
      if (n === asked.current) show(list);
    } catch (e) {
      errorRef.current((e as Error).message);
    }
  }, [api, storyId, show]);

  useEffect(() => {
    void reload();
  }, [reload, stamp]);

  const act = useCallback(
    async (call: () => Promise<unknown>) => {
      try {
        await call();
      } catch (e) {
        errorRef.current((e as Error).message);
      }
      await reload();
    },
    [reload],
  );

  const selection = useCallback(() => {
    const v = view();
    if (!v) return null;
    const { from, to } = v.state.selection.main;
    const text = v.state.doc.toString();
    const story = parseStory(text);
    const start = story.bodyStart.offset;
    if (to <= from || from < start || text.slice(from, to).trim() === '') return null;
    return { from: from - start, to: to - start, body: story.body };
  }, [view]);

  return {
    notes,
    selectionQuote: () => {
      const s = selection();
      return s ? s.body.slice(s.from, s.to) : null;
    },
    async add(body) {
      const s = selection();
      if (!api || !storyId) return 'open a story first';
      if (!s) return 'select some text of the story first';
      // Saved first: the note goes to the story's slug as its title now gives it (a title typed
      // within the last second was not saved yet, and the note went to the old slug, lost), and its
      // place is read on the text it was written on.
      if (!(await flush())) return 'the story could not be saved: the note waits until it is';
      await act(() => api.addNote({ id: storyId, anchor: anchorAt(s.body, s.from, s.to, 0), body }));
      return null;
    },
    reply: (noteId, body) => act(() => api!.replyNote({ noteId, body })),
    setState: (noteId, state) => act(() => api!.setNoteState({ noteId, state })),
    resolveConflict: (noteId, body, state) => act(() => api!.resolveNoteConflict({ noteId, body, state })),
    reload,
  };
}

export { notePlaces };
