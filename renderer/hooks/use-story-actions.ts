import { useCallback, useState } from 'react';
import type { RevisionSummary, StoryRecord, StudioApi } from '../../shared/api/contract.js';
import type { StorySession } from './use-story-session.js';

/** Saves a text as a file through the browser's download (Electron asks where to save it). */
function download(fileName: string, content: string, type: string) {
  const url = URL.createObjectURL(new Blob([content], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** What can be done to stories from the commands and the toolbars: new, export, history and restore. */
export function useStoryActions(api: StudioApi | null, session: StorySession, onError: (m: string) => void, onChanged: () => void) {
  const [revisions, setRevisions] = useState<RevisionSummary[] | null>(null);
  const { openId, flush, open } = session;

  const create = useCallback(
    async (beat?: string) => {
      if (!api) return;
      try {
        const rec = await api.createStory({ beat });
        onChanged();
        setRevisions(null);
        await open(rec.id);
      } catch (e) {
        onError((e as Error).message);
      }
    },
    [api, open, onChanged, onError],
  );

  const exportAs = useCallback(
    async (format: 'md' | 'text' | 'html') => {
      if (!api || !openId) return onError('Open a story to export it.');
      await flush();
      try {
        const r = await api.exportStory({ id: openId, format });
        download(r.fileName, r.content, format === 'html' ? 'text/html' : 'text/plain');
      } catch (e) {
        onError((e as Error).message);
      }
    },
    [api, openId, flush, onError],
  );

  const toggleHistory = useCallback(async () => {
    if (!api || !openId) return onError('Open a story to see its history.');
    if (revisions) return setRevisions(null);
    await flush();
    try {
      setRevisions(await api.listRevisions({ id: openId }));
    } catch (e) {
      onError((e as Error).message);
    }
  }, [api, openId, revisions, flush, onError]);

  const restore = useCallback(
    async (revisionId: number) => {
      if (!api || !openId) return;
      try {
        await flush();
        await api.restoreRevision({ revisionId });
        onChanged();
        setRevisions(null);
        await open(openId);
      } catch (e) {
        onError((e as Error).message);
      }
    },
    [api, openId, flush, open, onChanged, onError],
  );

  const openStory = useCallback(
    async (id: string, record?: StoryRecord) => {
      setRevisions(null);
      await open(id, record);
    },
    [open],
  );

  return { revisions, create, exportAs, toggleHistory, closeHistory: useCallback(() => setRevisions(null), []), restore, openStory };
}
