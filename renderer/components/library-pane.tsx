import { useCallback, useEffect, useRef, useState, type KeyboardEvent, type Ref } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
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
  /** Stories with a change only queued (by slug: "Publish queued"), said beside their status. */
  waiting?: ReadonlyMap<string, string>;
}

/** A trash can, drawn (no icon font or emoji is sure to be installed). */
function TrashIcon() {
  return (
    <svg aria-hidden="true" width="14" height="14" viewBox="0 0 16 16" fill="none" stroke="currentColor" strokeWidth="1.5" strokeLinecap="round">
      <path d="M2.5 4h11M6 4V2.5h4V4M4 4l.7 9.5h6.6L12 4M6.8 6.5v4.5M9.2 6.5v4.5" />
    </svg>
  );
}

/** One row of the list: a story of the library, or a search hit. */
type Row = { kind: 'story'; story: StorySummary } | { kind: 'hit'; hit: SearchHit };

/** How many of the newest stories the first screen asks for before the whole list. */
const FIRST_PAGE = 200;

/** Estimated row heights before a row is measured (a hit carries a snippet line). */
const STORY_ROW = 52;
const HIT_ROW = 68;

const rowId = (r: Row) => (r.kind === 'story' ? r.story.id : r.hit.id);
const rowTitle = (r: Row) => (r.kind === 'story' ? r.story.title : r.hit.title) || 'Untitled';

/**
 * The library: search, filters, the story list, new, import and trash. The list is virtualised
 * (only the rows in view are in the page), so a library of 100,000 stories costs the rows shown.
 */
export function LibraryPane({ api, catalog, selectedId, refreshKey, searchRef, onOpen, onCreate, onImport, onChanged, onError, waiting }: LibraryPaneProps) {
  // What is only queued says so beside the status the text holds (issue 11 #1).
  const waitingLabel = (story: StorySummary) => {
    const label = story.slug ? waiting?.get(story.slug) : undefined;
    return label ? <> <span className="status status-waiting" data-testid="row-waiting">{label}</span></> : null;
  };
  const [stories, setStories] = useState<StorySummary[]>([]);
  const [query, setQuery] = useState('');
  const [hits, setHits] = useState<SearchHit[] | null>(null);
  const [status, setStatus] = useState('');
  const [beat, setBeat] = useState('');
  const [showTrash, setShowTrash] = useState(false);
  /** The story just moved to (or out of) the trash, for the notice's Undo. */
  const [undo, setUndo] = useState<{ story: StorySummary; trashed: boolean } | null>(null);
  const scrollRef = useRef<HTMLDivElement>(null);
  const undoRef = useRef<HTMLButtonElement>(null);
  const boxRef = useRef<HTMLInputElement | null>(null);

  useEffect(() => {
    let live = true;
    const filter = { status: (status || undefined) as NonNullable<StudioInput<'listStories'>>['status'], beat: beat || undefined, trashed: showTrash };
    // The first screen from the newest stories at once, then the whole list: the pane never waits
    // on the library's size (100,000 stories take seconds to list and send).
    let full = false;
    api.listStories({ ...filter, limit: FIRST_PAGE }).then((s) => live && !full && setStories(s), (e: Error) => onError(e.message));
    api.listStories(filter).then((s) => {
      full = true;
      if (live) setStories(s);
    }, (e: Error) => onError(e.message));
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

  // The open story stays in view during a search: a story made (or opened) while searching that
  // does not match is shown above the hits, selected, rather than vanishing from the list.
  const pinned = hits && selectedId && !hits.some((h) => h.id === selectedId) ? stories.find((s) => s.id === selectedId) : undefined;
  const rows: Row[] = hits
    ? [...(pinned ? [{ kind: 'story' as const, story: pinned }] : []), ...hits.map((hit) => ({ kind: 'hit' as const, hit }))]
    : stories.map((story) => ({ kind: 'story' as const, story }));

  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: (i) => (rows[i]?.kind === 'hit' ? HIT_ROW : STORY_ROW),
    getItemKey: (i) => (rows[i] ? `${rows[i].kind}:${rowId(rows[i])}` : i),
    overscan: 8,
  });

  /** Moves the keyboard focus to row `i` (scrolling it into view first: it may not be drawn yet). */
  const focusRow = useCallback((i: number) => {
    virtualizer.scrollToIndex(i, { align: 'auto' });
    let tries = 0;
    const attempt = () => {
      const el = scrollRef.current?.querySelector<HTMLButtonElement>(`li[data-index="${i}"] .story-item`);
      if (el) el.focus();
      else if (tries++ < 10) requestAnimationFrame(attempt);
    };
    attempt();
  }, [virtualizer]);

  function onBoxKey(e: KeyboardEvent<HTMLInputElement>) {
    if (e.key === 'ArrowDown' && rows.length > 0) {
      e.preventDefault();
      focusRow(0);
    }
  }

  function onRowKey(e: KeyboardEvent<HTMLButtonElement>, i: number) {
    const to = e.key === 'ArrowDown' ? i + 1 : e.key === 'ArrowUp' ? i - 1 : e.key === 'Home' ? 0 : e.key === 'End' ? rows.length - 1 : null;
    if (to === null) return;
    e.preventDefault();
    if (to < 0) boxRef.current?.focus();
    else focusRow(Math.min(to, rows.length - 1));
  }

  async function setTrashed(s: StorySummary, trashed: boolean, offerUndo: boolean) {
    try {
      if (trashed) await api.trashStory({ id: s.id });
      else await api.restoreStory({ id: s.id });
      setUndo(offerUndo ? { story: s, trashed } : null);
      onChanged();
    } catch (e) {
      onError((e as Error).message);
    }
  }

  // The row that held the focus is gone: the notice's Undo takes it, so Enter undoes at once.
  useEffect(() => {
    if (undo) undoRef.current?.focus();
  }, [undo]);

  const beatName = (slug: string) => catalog.beats.find((b) => b.slug === slug)?.name ?? slug;
  const setBox = useCallback((el: HTMLInputElement | null) => {
    boxRef.current = el;
    if (typeof searchRef === 'function') searchRef(el);
    else if (searchRef) (searchRef as { current: HTMLInputElement | null }).current = el;
  }, [searchRef]);

  return (
    <section className="pane library" aria-label="Library">
      <div className="toolbar">
        <input ref={setBox} type="search" className="search-box" placeholder="Search stories…" aria-label="Search stories" value={query}
          onChange={(e) => setQuery(e.target.value)} onKeyDown={onBoxKey} />
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
      <div ref={scrollRef} className="story-list-scroll" style={{ overflow: 'auto', flex: 1, minHeight: 0 }}>
        <ul className="story-list" aria-label={hits ? 'Search results' : 'Stories'} data-count={rows.length}
          style={{ height: virtualizer.getTotalSize(), position: 'relative', overflow: 'visible', flex: 'none' }}>
          {virtualizer.getVirtualItems().map((v) => {
            const row = rows[v.index]!;
            const id = rowId(row);
            const title = rowTitle(row);
            return (
              <li key={v.key} data-index={v.index} ref={virtualizer.measureElement} className={id === selectedId ? 'selected' : ''}
                aria-setsize={rows.length} aria-posinset={v.index + 1}
                style={{ position: 'absolute', top: 0, left: 0, width: '100%', transform: `translateY(${v.start}px)` }}>
                <button type="button" className={row.kind === 'hit' ? 'story-item search-hit' : 'story-item'} aria-current={id === selectedId ? 'true' : undefined}
                  onClick={() => onOpen(id)} onKeyDown={(e) => onRowKey(e, v.index)}>
                  <span className="title">{title}</span>
                  {row.kind === 'hit'
                    ? <Snippet text={row.hit.snippet} />
                    : <span className="meta"><span className={`status status-${row.story.status}`}>{row.story.status}</span>{waitingLabel(row.story)} {row.story.beat ? beatName(row.story.beat) : ''}{hits ? ' · open, not a match' : ''}</span>}
                </button>
                {row.kind === 'story' && !hits && (
                  <button type="button" className="icon"
                    title={row.story.trashed ? `Restore “${title}” from the trash` : `Move “${title}” to the trash (it can be restored)`}
                    aria-label={row.story.trashed ? `Restore “${title}” from the trash` : `Move “${title}” to the trash`}
                    onClick={() => void setTrashed(row.story, !row.story.trashed, true)}>
                    {row.story.trashed ? '↺' : <TrashIcon />}
                  </button>
                )}
              </li>
            );
          })}
        </ul>
        {hits && rows.length === 0 && <p className="empty">No matches</p>}
        {!hits && stories.length === 0 && <p className="empty">{showTrash ? 'Trash is empty' : 'No stories'}</p>}
      </div>
      {undo && (
        <div className="library-notice" role="status" data-testid="library-notice">
          <span>{undo.trashed ? `Moved “${undo.story.title || 'Untitled'}” to the trash.` : `Restored “${undo.story.title || 'Untitled'}”.`}</span>
          <button ref={undoRef} type="button" onClick={() => void setTrashed(undo.story, !undo.trashed, false)}>Undo</button>
          <button type="button" className="icon" aria-label="Dismiss" title="Dismiss" onClick={() => setUndo(null)}>×</button>
        </div>
      )}
    </section>
  );
}
