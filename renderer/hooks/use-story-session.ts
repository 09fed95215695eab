import { useCallback, useEffect, useRef, useState } from 'react';
import type { StoryRecord, StudioApi } from '../../shared/api/contract.js';
import { SeenRevisions } from '../sync/library-follow.js';

export type SaveState = 'saved' | 'dirty' | 'saving' | 'error';

export interface StorySession {
  openId: string | null;
  /** Changes whenever another story (or a restored revision) is loaded: a new editor state then. */
  docKey: string | null;
  /** The text the editor was loaded with. */
  initialText: string;
  /** The text as typed, saved or not. */
  text: string;
  saveState: SaveState;
  /** Opens a story: the library's copy, or `record` when it was just read (the story reopened at start). */
  open(id: string, record?: StoryRecord): Promise<void>;
  /** A change of the editor's text; `remote` when it is the library's own text put in place (nothing to save). */
  onChange(text: string, remote?: boolean): void;
  /** Saves what is pending now (before opening another story, exporting, reviewing, closing); whether the library holds the text. */
  flush(): Promise<boolean>;
  /** Whether the editor holds text the library does not have yet (waiting or being saved). */
  hasUnsaved(): boolean;
  /** Resolves once no save is on its way (their revisions are then in `seen`). */
  settled(): Promise<void>;
  /**
   * Revisions of the open story the editor has seen: loaded, saved, or taken in from the library.
   * Any other revision was written by someone else (the sync service, the command line).
   */
  seen: SeenRevisions;
}

/**
 * The open story and its autosave: every change is saved at most `autosaveMs` (≤ 1 s) after the
 * last keystroke, and at once before another story opens or the page goes away.
 */
export function useStorySession(api: StudioApi | null, autosaveMs: number, onError: (m: string) => void, onSaved: () => void): StorySession {
  const [openId, setOpenId] = useState<string | null>(null);
  const [docKey, setDocKey] = useState<string | null>(null);
  const [initialText, setInitialText] = useState('');
  const [text, setText] = useState('');
  const [saveState, setSaveState] = useState<SaveState>('saved');
  const pending = useRef<{ id: string; text: string } | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const openIdRef = useRef<string | null>(null);
  const saving = useRef(0);
  const inFlight = useRef<Promise<void>>(Promise.resolve());
  const seen = useRef(new SeenRevisions());
  const failed = useRef(false);
  const savedRef = useRef(onSaved);
  savedRef.current = onSaved;

  const flush = useCallback(async () => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = null;
    const p = pending.current;
    if (!p || !api) {
      await inFlight.current;
      return !failed.current;
    }
    pending.current = null;
    setSaveState('saving');
    saving.current++;
    const save = (async () => {
      try {
        const r = await api.saveStory({ ...p, baseRevision: p.id === openIdRef.current ? seen.current.base : undefined });
        if (p.id === openIdRef.current) seen.current.saved(r.revision);
        failed.current = false;
        setSaveState(pending.current ? 'dirty' : 'saved');
        if (r.changed) savedRef.current();
      } catch (e) {
        failed.current = true;
        setSaveState('error');
        onError((e as Error).message);
      } finally {
        saving.current--;
      }
    })();
    inFlight.current = Promise.all([inFlight.current, save]).then(() => undefined);
    await save;
    return !failed.current;
  }, [api, onError]);

  const hasUnsaved = useCallback(() => pending.current !== null || saving.current > 0, []);
  const settled = useCallback(async () => {
    while (saving.current > 0) await inFlight.current;
  }, []);

  const delay = Math.min(1000, autosaveMs);
  const onChange = useCallback(
    (t: string, remote = false) => {
      setText(t);
      // The library's own text, put in the editor: already saved (unless typing is waiting to be, then
      // the save below carries both).
      if (remote && !pending.current) return;
      const id = openIdRef.current;
      if (!id) return;
      pending.current = { id, text: t };
      setSaveState('dirty');
      if (timer.current) clearTimeout(timer.current);
      timer.current = setTimeout(() => void flush(), delay);
    },
    [flush, delay],
  );

  const open = useCallback(
    async (id: string, record?: StoryRecord) => {
      if (!api) return;
      await flush();
      try {
        const rec = record?.id === id ? record : await api.getStory({ id });
        seen.current.reset(rec.revision);
        openIdRef.current = rec.id;
        setOpenId(rec.id);
        setInitialText(rec.text);
        setText(rec.text);
        setDocKey(`${rec.id}:${rec.revision}:${Date.now()}`);
        setSaveState('saved');
      } catch (e) {
        onError((e as Error).message);
      }
    },
    [api, flush, onError],
  );

  useEffect(() => {
    const before = () => void flush();
    window.addEventListener('beforeunload', before);
    window.addEventListener('pagehide', before);
    return () => {
      window.removeEventListener('beforeunload', before);
      window.removeEventListener('pagehide', before);
    };
  }, [flush]);

  return { openId, docKey, initialText, text, saveState, open, onChange, flush, hasUnsaved, settled, seen: seen.current };
}
