import type { EditorView } from '@codemirror/view';
import { useCallback, useEffect, useRef, useState, type RefObject } from 'react';
import type { StudioApi } from '../../shared/api/contract.js';
import type { EnqueueResult, StorySync } from '../../shared/api/sync.js';
import type { OutboxTarget, PushStatus } from '../../shared/protocol/index.js';
import { applyRemoteText, setBackendDiagnostics } from '../editor/index.js';
import type { StorySession } from '../hooks/use-story-session.js';
import { followLibrary } from './library-follow.js';
import { storySyncKey } from './story-sync-text.js';
import type { SyncControl } from './use-sync-overview.js';

export interface StorySyncControl {
  /** The open story's sync state; null while none is open or it is being read. */
  state: StorySync | null;
  busy: boolean;
  /** A word for the person that is not an error (the story changed on the backend while they typed). */
  notice: string | null;
  /** The notice tells of an automatic merge: its Review opens on what the merge brought in. */
  noticeIsMerge: boolean;
  dismissNotice(): void;
  /**
   * What the check before sending found on the last Submit / Approve / Publish: errors that kept
   * it out of the outbox (`check.queued` false), or warnings of one that went in. Null once dismissed.
   */
  checked: { target: OutboxTarget; check: EnqueueResult['check'] } | null;
  dismissCheck(): void;
  /** Saves pending typing, then checks the story and puts the action in the outbox (works offline). */
  enqueue(action: OutboxTarget): Promise<boolean>;
  /** Puts the stopped action in the outbox all the same: the backend will refuse it and say why. */
  sendAnyway(): Promise<boolean>;
  /** Takes the story's waiting (queued or paused) changes out of the outbox. */
  cancel(): Promise<boolean>;
  /** Sends the person's choice for a conflict; the merged text becomes the story's. */
  resolve(text: string, status?: PushStatus): Promise<boolean>;
}

export type LibraryTextResult = 'same' | 'applied' | 'unsaved' | 'gone';

/**
 * The open story's sync: its state (read when it opens and when the overview says something
 * moved), its actions, the backend's findings put in the editor, and the library's text put back
 * in the editor whenever the sync service changed it (a new status, a merge, a fast-forward) —
 * unless the person has typed since, then they are told and nothing of theirs is replaced.
 */
export function useStorySync(
  api: StudioApi | null,
  session: StorySession,
  view: RefObject<EditorView | null>,
  sync: SyncControl,
  onError: (m: string) => void,
  onLibraryChanged: () => void,
): StorySyncControl {
  const { openId, docKey, flush, hasUnsaved, settled, seen } = session;
  const [state, setState] = useState<StorySync | null>(null);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [checked, setChecked] = useState<StorySyncControl['checked']>(null);
  /** The action the person asked for last (what "Send anyway" sends). */
  const lastAsked = useRef<OutboxTarget | null>(null);
  const openRef = useRef(openId);
  openRef.current = openId;
  const asked = useRef(0);

  const read = useCallback(async () => {
    const id = openRef.current;
    if (!api || !id) return setState(null);
    const n = ++asked.current;
    try {
      const s = await api.storySync({ id });
      if (n === asked.current && openRef.current === id) setState(s);
    } catch {
      // A story just trashed or a host away: the next change of the overview reads it again.
    }
  }, [api]);

  /** Puts the library's copy of the open story in the editor when the person has nothing unsaved. */
  const takeLibraryText = useCallback(async (): Promise<LibraryTextResult> => {
    const id = openRef.current;
    if (!api || !id) return 'gone';
    const rec = await api.getStory({ id });
    const v = view.current;
    if (openRef.current !== id || !v) return 'gone';
    // The service's answer to the person's own action (a status, a merge): seen, whatever follows.
    seen.add(rec.revision);
    if (v.state.doc.toString() === rec.text) {
      seen.adopt(rec.revision);
      return 'same';
    }
    if (hasUnsaved()) return 'unsaved';
    applyRemoteText(v, rec.text);
    seen.adopt(rec.revision);
    return 'applied';
  }, [api, view, hasUnsaved, seen]);

  /**
   * After a sync round: did anyone else write the open story (a pull's fast-forward)? Its text goes
   * into the editor when nothing is unsaved; typing waiting to be saved, or already saved over it,
   * is never replaced, and the person is told. By revisions, so a round the page did not hear of
   * (a throttled tab) is caught by the next one.
   */
  const follow = useCallback(async () => {
    const id = openRef.current;
    if (!api || !id) return;
    await settled();
    const [revisions, rec] = await Promise.all([api.listRevisions({ id }), api.getStory({ id })]);
    const v = view.current;
    if (openRef.current !== id || !v) return;
    const decision = followLibrary(seen, {
      revisions: revisions.map((r) => r.id),
      libraryText: rec.text,
      editorText: v.state.doc.toString(),
      unsaved: hasUnsaved(),
    });
    const newest = Math.max(0, ...revisions.map((r) => r.id));
    if (decision === 'apply') applyRemoteText(v, rec.text);
    if (decision === 'apply' || v.state.doc.toString() === rec.text) seen.adopt(newest);
    if (decision === 'notice') {
      setNoticeIsMerge(false);
      setNotice(
        "This story was updated from the backend while you were typing: your text is kept, and the backend's version is in History. Once your typing is saved the two are a conflict to merge: nothing goes out over the backend's text until you do.",
      );
    }
  }, [api, view, settled, seen, hasUnsaved]);

  // Read when a story opens, and when the overview shows a change that can concern it.
  const key = storySyncKey(sync.overview);
  useEffect(() => {
    setState((s) => (s && s.id === openId ? s : null));
    void read();
  }, [openId, key, read]);
  // A notice is about the story it was given for: it stays until dismissed or another story opens.
  useEffect(() => {
    setNotice(null);
    setChecked(null);
  }, [openId]);
  const [noticeIsMerge, setNoticeIsMerge] = useState(false);
  useEffect(() => {
    if (notice === null) setNoticeIsMerge(false);
  }, [notice]);
  // An automatic merge is told once, when the story's view first shows it.
  const mergeSeen = useRef<string | undefined>(undefined);
  const merged = state?.id === openId ? state?.merged : null;
  useEffect(() => {
    if (!merged || merged.at === mergeSeen.current) return;
    mergeSeen.current = merged.at;
    setNotice(`Merged automatically with the backend's v${merged.remoteVersion}: ${merged.summary}`);
    setNoticeIsMerge(true);
  }, [merged]);

  // The backend's findings go into the editor (again into a new editor of the same story), only
  // when they changed: each dispatch runs the linter again.
  const placed = useRef<{ view: EditorView; json: string } | null>(null);
  useEffect(() => {
    const v = view.current;
    if (!v) return;
    const diagnostics = state?.id === openId ? (state?.rejected?.diagnostics ?? []) : [];
    const json = JSON.stringify(diagnostics);
    if (placed.current?.view === v && placed.current.json === json) return;
    placed.current = { view: v, json };
    v.dispatch({ effects: setBackendDiagnostics.of(diagnostics) });
  }, [state, openId, docKey, view]);

  // After each sync round (and a pull that updated stories): the library list, and the open story.
  const pulledAt = sync.overview?.lastPulled?.at;
  const syncedAt = sync.overview?.lastSyncAt;
  const seenPull = useRef<string | undefined>(undefined);
  // Read when a round ends, not followed: the effect runs once per round.
  const latest = useRef({ pulled: sync.overview?.lastPulled, follow, onLibraryChanged });
  latest.current = { pulled: sync.overview?.lastPulled, follow, onLibraryChanged };
  useEffect(() => {
    const { pulled, follow, onLibraryChanged } = latest.current;
    if (pulled && pulled.at !== seenPull.current) {
      if (seenPull.current !== undefined && pulled.ids.length) onLibraryChanged();
      seenPull.current = pulled.at;
    }
    if (syncedAt || pulled) void follow().catch(() => undefined);
  }, [pulledAt, syncedAt]);

  /**
   * A sync action on the open story: the typing is saved first (what goes out is the saved story),
   * then the service's answer is shown and the text it wrote into the story (a status, a merge)
   * comes into the editor.
   */
  const act = useCallback(
    async (send: (id: string) => Promise<StorySync>, onUnsaved?: string) => {
      const id = openRef.current;
      if (!api || !id) return false;
      setBusy(true);
      try {
        await flush();
        const answer = await send(id);
        setState(answer);
        if ('check' in answer && openRef.current === id) {
          const { check } = answer as EnqueueResult;
          setChecked(check.total === 0 || !lastAsked.current ? null : { target: lastAsked.current, check });
          if (!check.queued) return false;
        }
        if ((await takeLibraryText()) === 'unsaved' && onUnsaved) setNotice(onUnsaved);
        onLibraryChanged();
        void sync.refresh();
        return true;
      } catch (e) {
        onError((e as Error).message);
        return false;
      } finally {
        setBusy(false);
      }
    },
    [api, flush, takeLibraryText, onLibraryChanged, sync, onError],
  );

  const enqueue = useCallback(
    (action: OutboxTarget) => {
      lastAsked.current = action;
      return act((id) => api!.syncEnqueue({ id, action }));
    },
    [act, api],
  );
  const sendAnyway = useCallback(() => {
    const action = checked?.target;
    if (!action) return Promise.resolve(false);
    lastAsked.current = action;
    // Sent anyway: the person knows; what the backend answers (its refusal) is shown instead.
    return act((id) => api!.syncEnqueue({ id, action, force: true })).finally(() => setChecked(null));
  }, [act, api, checked]);
  const cancel = useCallback(() => act((id) => api!.syncCancel({ id })), [act, api]);
  const resolve = useCallback(
    (text: string, status?: PushStatus) => act((id) => api!.syncResolve({ id, text, status }), 'The merge was sent; your newer typing is kept on top of it.'),
    [act, api],
  );

  return {
    state: state?.id === openId ? state : null,
    busy,
    notice,
    noticeIsMerge,
    dismissNotice: useCallback(() => setNotice(null), []),
    checked,
    dismissCheck: useCallback(() => setChecked(null), []),
    enqueue,
    sendAnyway,
    cancel,
    resolve,
  };
}
