import { useEffect, useState, type Ref } from 'react';
import { STORY_STATUSES, type Catalog } from '../../shared/index.js';
import type { SearchHit, StorySummary, StudioInput } from '../../shared/api/contract.js';
import { Snippet } from './snippet.js';

export interface LibraryPaneProps {
  api: NonNullable<Window['studio']>;
  catalog: Catalog;
  selectedId: string | null;
  refreshKey: number;
  /** The search box, for the "Search library" command. */
  searchRef: Ref<HTMLInputElement>;
  onOpen(id: string): void;
  /** New story (in the beat the list is filtered by, if any). */
  onCreate(beat: string | undefined): void;
  /** Import… (the file picker). */
  onImport(): void;
  onChanged(): void;
  onError(message: string): void;
}

/** The library: search, filters, the story list, new, import and trash. */
export function LibraryPane({ api, catalog, selectedId, refreshKey, searchRef, onOpen, onCreate, onImport, onChanged, onError }: LibraryPaneProps) {
  const [stories, setStories] = useState<StorySummary[]>([]);
  const [query, setQuery] = useState('');
  const [hits, setHits] = useState<SearchHit[] | null>(null);
  const [status, setStatus] = useState('');
  const [beat, setBeat] = useState('');
  const [showTrash, setShowTrash] = useState(false);

  useEffect(() => {
    let live = true;
    api.listStories({ status: (status || undefined) as NonNullable<StudioInput<'listStories'>>['status'], beat: beat || undefined, trashed: showTrash })
      .then((s) => live && setStories(s), (e: Error) => onError(e.message));
    return () => {
      live = false;
    };
  }, [api, status, beat, showTrash, refreshKey, onError]);

  useEffect(() => {
    if (!query.trim()) {
      setHits(null);
      return;
    }
    let live = true;
    const t = setTimeout(() => {
      api.search({ query }).then((h) => live && setHits(h), (e: Error) => onError(e.message));
    }, 150);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [api, query, refreshKey, onError]);

  async function toggleTrash(s: StorySummary) {
    try {
      if (s.trashed) await api.restoreStory({ id: s.id });
      else await api.trashStory({ id: s.id });
      onChanged();
    } catch (e) {
      onError((e as Error).message);
    }
  }

  const beatName = (slug: string) => catalog.beats.find((b) => b.slug === slug)?.name ?? slug;

  return (
    <section className="pane library" aria-label="Library">
      <div className="toolbar">
        <input ref={searchRef} type="search" className="search-box" placeholder="Search stories…" aria-label="Search stories" value={query} onChange={(e) => setQuery(e.target.value)} />
      </div>
      <div className="toolbar filters">
        <select aria-label="Status filter" value={status} onChange={(e) => setStatus(e.target.value)}>
          <option value="">All statuses</option>
          {STORY_STATUSES.map((s) => <option key={s} value={s}>{s}</option>)}
        </select>
        <select aria-label="Beat filter" value={beat} onChange={(e) => setBeat(e.target.value)}>
          <option value="">All beats</option>
          {catalog.beats.map((b) => <option key={b.slug} value={b.slug}>{b.name}</option>)}
        </select>
      </div>
      <div className="toolbar">
        <button type="button" onClick={() => onCreate(beat || undefined)} data-testid="new-story">New story</button>
        <button type="button" onClick={onImport}>Import…</button>
        <label className="check"><input type="checkbox" checked={showTrash} onChange={(e) => setShowTrash(e.target.checked)} /> Trash</label>
      </div>
      <ul className="story-list" aria-label={hits ? 'Search results' : 'Stories'}>
        {hits
          ? hits.map((h) => (
              <li key={h.id} className={h.id === selectedId ? 'selected' : ''}>
                <button type="button" className="story-item search-hit" onClick={() => onOpen(h.id)}>
                  <span className="title">{h.title || 'Untitled'}</span>
                  <Snippet text={h.snippet} />
                </button>
              </li>
            ))
          : stories.map((s) => (
              <li key={s.id} className={s.id === selectedId ? 'selected' : ''}>
                <button type="button" className="story-item" onClick={() => onOpen(s.id)}>
                  <span className="title">{s.title || 'Untitled'}</span>
                  <span className="meta"><span className={`status status-${s.status}`}>{s.status}</span> {s.beat ? beatName(s.beat) : ''}</span>
                </button>
                <button type="button" className="icon" title={s.trashed ? 'Restore from trash' : 'Move to trash'} aria-label={s.trashed ? 'Restore' : 'Trash'} onClick={() => toggleTrash(s)}>
                  {s.trashed ? '↺' : '×'}
                </button>
              </li>
            ))}
        {hits && hits.length === 0 && <li className="empty">No matches</li>}
        {!hits && stories.length === 0 && <li className="empty">{showTrash ? 'Trash is empty' : 'No stories'}</li>}
      </ul>
    </section>
  );
}
