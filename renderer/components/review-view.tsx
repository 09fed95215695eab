import { useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import type { RevisionSummary, StudioApi } from '../../shared/api/contract.js';
import type { StorySync } from '../../shared/api/sync.js';
import { parseStory, type CatalogIndex } from '../../shared/index.js';
import { useLatest } from '../hooks/use-latest.js';
import { renderedDiff } from '../review/rendered-diff.js';
import { keepLinksInPlace } from './preview-pane.js';

/**
 * A version of the story that review mode can compare: the text in the editor, a saved revision,
 * the text last synced, the backend's, or the person's before an automatic merge.
 */
export interface ReviewSource {
  id: string;
  label: string;
  load(): Promise<string>;
}

export interface ReviewViewProps {
  api: StudioApi;
  storyId: string;
  /** The editor's text, saved or not. */
  currentText: string;
  catalog: CatalogIndex;
  site: string;
  /** The story's sync state: its synced, backend and pre-merge texts become comparisons. */
  sync?: StorySync | null;
  /** Open on "what came in" of the last automatic merge (the notice's Review button). */
  startWith?: 'merge' | null;
  onClose(): void;
  onError(message: string): void;
  /**
   * Review notes beside the rendered text: what to show next to the block that starts at source line
   * `fromLine` of the "after" side and runs to `toLine` (inclusive). Without it, no notes column.
   */
  notesFor?(fromLine: number, toLine: number): ReactNode;
}

/** One-click comparisons: a source against the current text. */
interface Comparison {
  id: string;
  label: string;
  before: string;
}

const when = (iso: string) => new Date(iso).toLocaleString();

/**
 * Review mode: two versions of the open story as rendered previews side by side, blocks lined up,
 * deleted words marked on the left and inserted words on the right.
 */
export function ReviewView({ api, storyId, currentText, catalog, site, sync, startWith, onClose, onError, notesFor }: ReviewViewProps) {
  const [revisions, setRevisions] = useState<RevisionSummary[] | null>(null);
  const [beforeId, setBeforeId] = useState<string>('');
  const [afterId, setAfterId] = useState<string>('current');
  const [texts, setTexts] = useState<{ before: string; after: string } | null>(null);

  // The first comparison only, read when the revisions come: later changes of the sync state do
  // not move the person's choice.
  const opening = useLatest(startWith === 'merge' && !!sync?.merged);
  useEffect(() => {
    let live = true;
    api.listRevisions({ id: storyId }).then(
      (list) => {
        if (!live) return;
        setRevisions(list);
        // The previous revision by default: what changed since, including unsaved edits.
        const previous = list[1] ?? list[0];
        setBeforeId(opening.current ? 'premerge' : previous ? `rev:${previous.id}` : 'current');
        setAfterId('current');
      },
      (e: Error) => onError(e.message),
    );
    return () => {
      live = false;
    };
  }, [api, storyId, onError, opening]);

  const backendText = sync?.conflict?.remoteText ?? sync?.merged?.remoteText ?? null;
  const backendVersion = sync?.conflict?.remoteVersion ?? sync?.merged?.remoteVersion ?? sync?.remoteVersion ?? null;
  // The sync state's texts, not its object (rebuilt at every sync event), decide when sources change.
  const syncedText = sync?.syncedText ?? null;
  const syncedVersion = sync?.remoteVersion ?? null;
  const premergeText = sync?.merged?.localText ?? null;
  const comparisons: Comparison[] = [
    ...(sync?.syncedText != null ? [{ id: 'synced', label: 'Since last sync', before: 'synced' }] : []),
    ...(backendText !== null ? [{ id: 'backend', label: "Since the backend's version", before: 'backend' }] : []),
    ...(sync?.merged ? [{ id: 'premerge', label: 'What the merge brought in', before: 'premerge' }] : []),
  ];

  const sources = useMemo<ReviewSource[]>(
    () => [
      { id: 'current', label: 'Current text', load: async () => currentText },
      ...(syncedText !== null ? [{ id: 'synced', label: `Last synced (backend v${syncedVersion ?? '?'})`, load: async () => syncedText }] : []),
      ...(backendText !== null ? [{ id: 'backend', label: `The backend's v${backendVersion}`, load: async () => backendText }] : []),
      ...(premergeText !== null ? [{ id: 'premerge', label: 'Yours before the automatic merge', load: async () => premergeText }] : []),
      ...(revisions ?? []).map((r, i) => ({
        id: `rev:${r.id}`,
        label: `${i === 0 ? 'Latest revision' : 'Revision'} · ${when(r.createdAt)} · ${r.title || 'Untitled'} (${r.size} chars)`,
        load: async () => (await api.getRevision({ revisionId: r.id })).text,
      })),
    ],
    [api, revisions, currentText, syncedText, syncedVersion, backendText, backendVersion, premergeText],
  );

  useEffect(() => {
    if (!revisions || !beforeId) return;
    const a = sources.find((s) => s.id === beforeId);
    const b = sources.find((s) => s.id === afterId);
    if (!a || !b) return;
    let live = true;
    Promise.all([a.load(), b.load()]).then(
      ([before, after]) => live && setTexts({ before, after }),
      (e: Error) => onError(e.message),
    );
    return () => {
      live = false;
    };
  }, [sources, beforeId, afterId, revisions, onError]);

  const diff = useMemo(
    () => (texts ? renderedDiff(parseStory(texts.before, { catalog }), parseStory(texts.after, { catalog }), catalog, site) : null),
    [texts, catalog, site],
  );

  // The changes, in order: next / previous move between them (buttons, N / P, Alt+↓ / Alt+↑).
  const changes = useMemo(() => (diff ? diff.rows.flatMap((r, i) => (r.type === 'same' ? [] : [{ row: i, type: r.type, where: r.where }])) : []), [diff]);
  const [current, setCurrent] = useState(-1);
  useEffect(() => setCurrent(-1), [diff]);
  const grid = useRef<HTMLDivElement>(null);
  const goTo = useCallback(
    (n: number) => {
      if (changes.length === 0) return;
      const k = ((n % changes.length) + changes.length) % changes.length;
      setCurrent(k);
      const cell = grid.current?.querySelector(`[data-row="${changes[k]!.row}"]`);
      cell?.scrollIntoView({ block: 'center' });
    },
    [changes],
  );
  const onKeyDown = (e: KeyboardEvent<HTMLElement>) => {
    if ((e.target as HTMLElement).closest('select')) return;
    const next = (e.key === 'n' && !e.ctrlKey && !e.metaKey && !e.altKey) || (e.altKey && e.key === 'ArrowDown');
    const prev = (e.key === 'p' && !e.ctrlKey && !e.metaKey && !e.altKey) || (e.altKey && e.key === 'ArrowUp');
    if (!next && !prev) return;
    e.preventDefault();
    goTo(current + (next ? 1 : -1));
  };
  const active = current >= 0 ? changes[current]?.row : undefined;

  const picker = (label: string, value: string, set: (v: string) => void) => (
    <label className="review-pick">
      <span>{label}</span>
      <select value={value} onChange={(e) => set(e.currentTarget.value)} aria-label={label}>
        {sources.map((s) => (
          <option key={s.id} value={s.id}>
            {s.label}
          </option>
        ))}
      </select>
    </label>
  );

  return (
    <section className="pane review" aria-label="Review" data-testid="review" onKeyDown={onKeyDown}>
      {comparisons.length > 0 && (
        <div className="toolbar review-compare" role="group" aria-label="Compare">
          {comparisons.map((c) => (
            <button
              key={c.id}
              type="button"
              aria-pressed={beforeId === c.before && afterId === 'current'}
              onClick={() => {
                setBeforeId(c.before);
                setAfterId('current');
              }}
            >
              {c.label}
            </button>
          ))}
        </div>
      )}
      <div className="toolbar review-bar">
        {picker('Before', beforeId, setBeforeId)}
        <span aria-hidden="true">→</span>
        {picker('After', afterId, setAfterId)}
        <span className="spacer" />
        {diff && (
          <span className="review-summary" role="status" data-testid="review-summary">
            {diff.insertions === 0 && diff.deletions === 0
              ? 'No changes'
              : `${diff.insertions} insertion${diff.insertions === 1 ? '' : 's'}, ${diff.deletions} deletion${diff.deletions === 1 ? '' : 's'}`}
          </span>
        )}
        <button type="button" onClick={() => goTo(current - 1)} disabled={changes.length === 0} title="Previous change (P, Alt+↑)">
          Previous change
        </button>
        <button type="button" onClick={() => goTo(current + 1)} disabled={changes.length === 0} title="Next change (N, Alt+↓)">
          Next change
        </button>
        <button type="button" onClick={onClose}>
          Close review
        </button>
      </div>
      {changes.length > 0 && (
        <nav className="review-changes" aria-label="Changes">
          <ol>
            {changes.map((c, k) => (
              <li key={c.row}>
                <button type="button" className="link" aria-current={k === current ? 'true' : undefined} onClick={() => goTo(k)}>
                  {capital(c.where)} {c.type === 'changed' ? 'changed' : c.type === 'added' ? 'added' : 'removed'}
                </button>
              </li>
            ))}
          </ol>
        </nav>
      )}
      <div className="review-scroll" onClick={keepLinksInPlace} onAuxClick={keepLinksInPlace}>
        {!diff ? (
          <p className="empty">{revisions ? 'Loading…' : 'Loading revisions…'}</p>
        ) : (
          <div className={`review-grid story${notesFor ? ' with-notes' : ''}`} ref={grid}>
            <div className="review-head">Before</div>
            <div className="review-head">After</div>
            {notesFor && <div className="review-head">Notes</div>}
            {diff.rows.map((row, i) => {
              const span = notesFor ? afterLines(diff.rows, i) : null;
              return (
                <ReviewRowView key={i} index={i} active={i === active} type={row.type} before={row.before} after={row.after}>
                  {notesFor && <div className="review-cell notes">{span ? notesFor(span.from, span.to) : null}</div>}
                </ReviewRowView>
              );
            })}
          </div>
        )}
      </div>
    </section>
  );
}

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

function ReviewRowView({
  index,
  active,
  type,
  before,
  after,
  children,
}: {
  index: number;
  active: boolean;
  type: string;
  before: string | null;
  after: string | null;
  children?: ReactNode;
}) {
  const cls = `${type}${active ? ' current' : ''}`;
  return (
    <>
      <div
        data-row={index}
        className={`review-cell before ${cls}`}
        {...(before === null ? { 'aria-hidden': true } : { dangerouslySetInnerHTML: { __html: before } })}
      />
      <div className={`review-cell after ${cls}`} {...(after === null ? { 'aria-hidden': true } : { dangerouslySetInnerHTML: { __html: after } })} />
      {children}
    </>
  );
}

const firstLine = (html: string | null) => {
  const m = html ? /data-line="(\d+)"/.exec(html) : null;
  return m ? Number(m[1]) : null;
};

/** The source lines of the "after" text that row `i` shows: from its first block's line to the next row's. */
function afterLines(rows: readonly { after: string | null }[], i: number): { from: number; to: number } | null {
  const from = firstLine(rows[i]!.after);
  if (from === null) return null;
  for (let j = i + 1; j < rows.length; j++) {
    const next = firstLine(rows[j]!.after);
    if (next !== null) return { from, to: next - 1 };
  }
  return { from, to: Number.MAX_SAFE_INTEGER };
}
