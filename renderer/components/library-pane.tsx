import { useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent, type Ref } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { STORY_STATUSES, type Catalog } from '../../shared/index.js';
import type { SearchHit, StoryPage, StorySummary, StudioInput } from '../../shared/api/contract.js';
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

/**
 * Rows per `listStoryPage` call: the pane asks for the blocks holding the rows in view, never for
 * the whole list, so neither the first screen nor a refresh after a save waits on the library's size.
 */
const BLOCK = 100;

/** The list as far as it was read: its length, and the blocks of rows read so far (block i: rows i·BLOCK on). */
interface ListState {
  /** Which reading of the list (a filter or a change of the library starts a new one). */
  gen: number;
  loaded: boolean;
  total: number;
  blocks: ReadonlyMap<number, readonly StorySummary[]>;
}

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
    return label ? (
      <>
        {' '}
        <span className="status status-waiting" data-testid="row-waiting">
          {label}
        </span>
      </>
    ) : null;
  };
  const [list, setList] = useState<ListState>({ gen: 0, loaded: false, total: 0, blocks: new Map() });
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

  const filter = useMemo(
    () => ({ status: (status || undefined) as NonNullable<StudioInput<'listStories'>>['status'], beat: beat || undefined, trashed: showTrash }),
    [status, beat, showTrash],
  );
  /** The reading of the list answers belong to; an answer of an older one is dropped. */
  const gen = useRef(0);
  /** Blocks asked for in the current reading and not yet answered. */
  const pending = useRef(new Set<number>());
  /** The blocks in view at the last render (first and last). */
  const inView = useRef<[number, number]>([0, 0]);
  const readBlock = useCallback((block: number) => api.listStoryPage({ ...filter, offset: block * BLOCK, limit: BLOCK }), [api, filter]);

  // A new filter or a change of the library: the blocks in view are read again, and replace the
  // list at once when all are here (what was shown stays until then: no flash of empty rows). A
  // new filter shows its list from the top.
  const shownFilter = useRef(filter);
  useEffect(() => {
    const mine = ++gen.current;
    pending.current = new Set();
    if (shownFilter.current !== filter) {
      shownFilter.current = filter;
      if (scrollRef.current) scrollRef.current.scrollTop = 0;
      inView.current = [0, 0];
    }
    const [first, last] = inView.current;
    const blocks = Array.from({ length: last - first + 1 }, (_, i) => first + i);
    Promise.all(blocks.map(readBlock)).then(
      (pages: StoryPage[]) => {
        if (gen.current !== mine) return;
        // The list may have become shorter than the view: the next render asks for what is in view now.
        const total = pages[pages.length - 1]!.total;
        setList({ gen: mine, loaded: true, total, blocks: new Map(pages.map((p, i) => [blocks[i]!, p.stories])) });
      },
      (e: Error) => onError(e.message),
    );
  }, [filter, readBlock, refreshKey, onError]);
  useEffect(() => {
    if (!query.trim()) {
      setHits(null);
      return;
    }
    let live = true;
    const t = setTimeout(() => {
      api.search({ query }).then(
        (h) => live && setHits(h),
        (e: Error) => onError(e.message),
      );
    }, 150);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [api, query, refreshKey, onError]);

  const storyAt = (i: number): StorySummary | undefined => list.blocks.get(Math.floor(i / BLOCK))?.[i % BLOCK];
  // The open story stays in view during a search: a story made (or opened) while searching that
  // does not match is shown above the hits, selected, rather than vanishing from the list.
  const findLoaded = (id: string) => {
    for (const rows of list.blocks.values()) for (const s of rows) if (s.id === id) return s;
    return undefined;
  };
  const pinned = hits && selectedId && !hits.some((h) => h.id === selectedId) ? findLoaded(selectedId) : undefined;
  const hitRows = useMemo<Row[] | null>(
    () => (hits ? [...(pinned ? [{ kind: 'story' as const, story: pinned }] : []), ...hits.map((hit) => ({ kind: 'hit' as const, hit }))] : null),
    [hits, pinned],
  );
  /** How many rows the list has: every story of the filtered list (most not read yet), or the hits. */
  const count = hitRows ? hitRows.length : list.total;
  /** Row `i`, or undefined while its block is being read. */
  const rowAt = (i: number): Row | undefined => {
    if (hitRows) return hitRows[i];
    const story = storyAt(i);
    return story && { kind: 'story', story };
  };

  // Story rows are one fixed height and keyed by position, so the virtualiser's per-row table
  // (rebuilt over every row whenever a key function or a measured size changes: ≈ 300 ms of a cold
  // start at 100,000 rows) is built once per length; only search hits (≤ 201) are measured.
  const getItemKey = useCallback(
    (i: number) => {
      const r = hitRows?.[i];
      return r ? `${r.kind}:${rowId(r)}` : i;
    },
    [hitRows],
  );
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => (hitRows ? HIT_ROW : STORY_ROW),
    getItemKey,
    overscan: 8,
  });
  const items = virtualizer.getVirtualItems();
  const firstBlock = Math.floor((items[0]?.index ?? 0) / BLOCK);
  const lastBlock = Math.floor((items[items.length - 1]?.index ?? 0) / BLOCK);
  inView.current = [firstBlock, lastBlock];

  // The blocks in view that are not read yet (scrolled to, or the list grew): each its own call.
  useEffect(() => {
    if (hits || list.gen !== gen.current) return;
    const mine = list.gen;
    for (let b = firstBlock; b <= lastBlock; b++) {
      if (list.blocks.has(b) || pending.current.has(b) || b * BLOCK >= list.total) continue;
      pending.current.add(b);
      readBlock(b).then(
        (page) => {
          if (gen.current !== mine) return;
          pending.current.delete(b);
          setList((l) => (l.gen === mine ? { ...l, total: page.total, blocks: new Map(l.blocks).set(b, page.stories) } : l));
        },
        (e: Error) => {
          pending.current.delete(b);
          onError(e.message);
        },
      );
    }
  }, [hits, list, firstBlock, lastBlock, readBlock, onError]);

  /** Moves the keyboard focus to row `i` (scrolling it into view first: it may not be drawn yet). */
  const focusRow = useCallback(
    (i: number) => {
      virtualizer.scrollToIndex(i, { align: 'auto' });
      let tries = 0;
      const attempt = () => {
        const el = scrollRef.current?.querySelector<HTMLButtonElement>(`li[data-index="${i}"] .story-item`);
        if (el) el.focus();
        // A row far off may wait for its block to be read.
        else if (tries++ < 60) requestAnimationFrame(attempt);
      };
      attempt();
    },
    [virtualizer],
  );

  function onBoxKey(e: KeyboardEvent<HTMLInputElement>) {
    if (e.key === 'ArrowDown' && count > 0) {
      e.preventDefault();
      focusRow(0);
    }
  }

  function onRowKey(e: KeyboardEvent<HTMLButtonElement>, i: number) {
    const to = e.key === 'ArrowDown' ? i + 1 : e.key === 'ArrowUp' ? i - 1 : e.key === 'Home' ? 0 : e.key === 'End' ? count - 1 : null;
    if (to === null) return;
    e.preventDefault();
    if (to < 0) boxRef.current?.focus();
    else focusRow(Math.min(to, count - 1));
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
  const setBox = useCallback(
    (el: HTMLInputElement | null) => {
      boxRef.current = el;
      if (typeof searchRef === 'function') searchRef(el);
      else if (searchRef) (searchRef as { current: HTMLInputElement | null }).current = el;
    },
    [searchRef],
  );

  return (
    <section className="pane library" aria-label="Library">
      <div className="toolbar">
        <input
          ref={setBox}
          type="search"
          className="search-box"
          placeholder="Search stories…"
          aria-label="Search stories"
          value={query}
          onChange={(e) => setQuery(e.currentTarget.value)}
          onKeyDown={onBoxKey}
        />
      </div>
      <div className="toolbar filters">
        <select aria-label="Status filter" value={status} onChange={(e) => setStatus(e.currentTarget.value)}>
          <option value="">All statuses</option>
          {STORY_STATUSES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
        <select aria-label="Beat filter" value={beat} onChange={(e) => setBeat(e.currentTarget.value)}>
          <option value="">All beats</option>
          {catalog.beats.map((b) => (
            <option key={b.slug} value={b.slug}>
              {b.name}
            </option>
          ))}
        </select>
      </div>
      <div className="toolbar">
        <button type="button" onClick={() => onCreate(beat || undefined)} data-testid="new-story">
          New story
        </button>
        <button type="button" onClick={onImport}>
          Import…
        </button>
        <label className="check">
          <input type="checkbox" checked={showTrash} onChange={(e) => setShowTrash(e.currentTarget.checked)} /> Trash
        </label>
      </div>
      <div ref={scrollRef} className="story-list-scroll" style={{ overflow: 'auto', flex: 1, minHeight: 0 }}>
        <ul
          className="story-list"
          aria-label={hits ? 'Search results' : 'Stories'}
          data-count={count}
          style={{ height: virtualizer.getTotalSize(), position: 'relative', overflow: 'visible', flex: 'none' }}
        >
          {items.map((v) => {
            const row = rowAt(v.index);
            if (!row) {
              return (
                <li
                  key={v.key}
                  data-index={v.index}
                  className="loading"
                  aria-setsize={count}
                  aria-posinset={v.index + 1}
                  style={{ position: 'absolute', top: 0, left: 0, width: '100%', height: STORY_ROW, transform: `translateY(${v.start}px)` }}
                >
                  <span className="story-placeholder" aria-busy="true">
                    …
                  </span>
                </li>
              );
            }
            const id = rowId(row);
            const title = rowTitle(row);
            return (
              <li
                key={v.key}
                data-index={v.index}
                ref={hitRows ? virtualizer.measureElement : undefined}
                className={id === selectedId ? 'selected' : ''}
                aria-setsize={count}
                aria-posinset={v.index + 1}
                style={{
                  position: 'absolute',
                  top: 0,
                  left: 0,
                  width: '100%',
                  ...(hitRows ? {} : { height: STORY_ROW }),
                  transform: `translateY(${v.start}px)`,
                }}
              >
                <button
                  type="button"
                  className={row.kind === 'hit' ? 'story-item search-hit' : 'story-item'}
                  aria-current={id === selectedId ? 'true' : undefined}
                  onClick={() => onOpen(id)}
                  onKeyDown={(e) => onRowKey(e, v.index)}
                >
                  <span className="title">{title}</span>
                  {row.kind === 'hit' ? (
                    <Snippet text={row.hit.snippet} />
                  ) : (
                    <span className="meta">
                      <span className={`status status-${row.story.status}`}>{row.story.status}</span>
                      {waitingLabel(row.story)} {row.story.beat ? beatName(row.story.beat) : ''}
                      {hits ? ' · open, not a match' : ''}
                    </span>
                  )}
                </button>
                {row.kind === 'story' && !hits && (
                  <button
                    type="button"
                    className="icon"
                    title={row.story.trashed ? `Restore “${title}” from the trash` : `Move “${title}” to the trash (it can be restored)`}
                    aria-label={row.story.trashed ? `Restore “${title}” from the trash` : `Move “${title}” to the trash`}
                    onClick={() => void setTrashed(row.story, !row.story.trashed, true)}
                  >
                    {row.story.trashed ? '↺' : <TrashIcon />}
                  </button>
                )}
              </li>
            );
          })}
        </ul>
        {hits && count === 0 && <p className="empty">No matches</p>}
        {!hits && list.loaded && list.total === 0 && <p className="empty">{showTrash ? 'Trash is empty' : 'No stories'}</p>}
      </div>
      {undo && (
        <div className="library-notice" role="status" data-testid="library-notice">
          <span>{undo.trashed ? `Moved “${undo.story.title || 'Untitled'}” to the trash.` : `Restored “${undo.story.title || 'Untitled'}”.`}</span>
          <button ref={undoRef} type="button" onClick={() => void setTrashed(undo.story, !undo.trashed, false)}>
            Undo
          </button>
          <button type="button" className="icon" aria-label="Dismiss" title="Dismiss" onClick={() => setUndo(null)}>
            ×
          </button>
        </div>
      )}
    </section>
  );
}
