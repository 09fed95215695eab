import { useEffect, useMemo, useState, type ReactNode } from 'react';
import type { RevisionSummary, StudioApi } from '../../shared/api/contract.js';
import { parseStory, type CatalogIndex } from '../../shared/index.js';
import { renderedDiff } from '../review/rendered-diff.js';
import { keepLinksInPlace } from './preview-pane.js';

/**
 * A version of the story that review mode can compare: the text in the editor or a saved revision.
 * The sync work adds "synced" (the backend's copy) here as one more source.
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
  onClose(): void;
  onError(message: string): void;
  /**
   * Review notes beside the rendered text: what to show next to the block that starts at source line
   * `fromLine` of the "after" side and runs to `toLine` (inclusive). Without it, no notes column.
   */
  notesFor?(fromLine: number, toLine: number): ReactNode;
}

const when = (iso: string) => new Date(iso).toLocaleString();

/**
 * Review mode: two versions of the open story as rendered previews side by side, blocks lined up,
 * deleted words marked on the left and inserted words on the right.
 */
export function ReviewView({ api, storyId, currentText, catalog, site, onClose, onError, notesFor }: ReviewViewProps) {
  const [revisions, setRevisions] = useState<RevisionSummary[] | null>(null);
  const [beforeId, setBeforeId] = useState<string>('');
  const [afterId, setAfterId] = useState<string>('current');
  const [texts, setTexts] = useState<{ before: string; after: string } | null>(null);

  useEffect(() => {
    let live = true;
    api.listRevisions({ id: storyId }).then((list) => {
      if (!live) return;
      setRevisions(list);
      // The previous revision by default: what changed since, including unsaved edits.
      const previous = list[1] ?? list[0];
      setBeforeId(previous ? `rev:${previous.id}` : 'current');
      setAfterId('current');
    }, (e: Error) => onError(e.message));
    return () => {
      live = false;
    };
  }, [api, storyId, onError]);

  const sources = useMemo<ReviewSource[]>(() => [
    { id: 'current', label: 'Current text', load: async () => currentText },
    ...(revisions ?? []).map((r, i) => ({
      id: `rev:${r.id}`,
      label: `${i === 0 ? 'Latest revision' : 'Revision'} · ${when(r.createdAt)} · ${r.title || 'Untitled'} (${r.size} chars)`,
      load: async () => (await api.getRevision({ revisionId: r.id })).text,
    })),
  ], [api, revisions, currentText]);

  useEffect(() => {
    if (!revisions || !beforeId) return;
    const a = sources.find((s) => s.id === beforeId);
    const b = sources.find((s) => s.id === afterId);
    if (!a || !b) return;
    let live = true;
    Promise.all([a.load(), b.load()]).then(([before, after]) => live && setTexts({ before, after }), (e: Error) => onError(e.message));
    return () => {
      live = false;
    };
  }, [sources, beforeId, afterId, revisions, onError]);

  const diff = useMemo(() => (texts ? renderedDiff(parseStory(texts.before, { catalog }), parseStory(texts.after, { catalog }), catalog, site) : null), [texts, catalog, site]);

  const picker = (label: string, value: string, set: (v: string) => void) => (
    <label className="review-pick">
      <span>{label}</span>
      <select value={value} onChange={(e) => set(e.target.value)} aria-label={label}>
        {sources.map((s) => <option key={s.id} value={s.id}>{s.label}</option>)}
      </select>
    </label>
  );

  return (
    <section className="pane review" aria-label="Review" data-testid="review">
      <div className="toolbar review-bar">
        {picker('Before', beforeId, setBeforeId)}
        <span aria-hidden="true">→</span>
        {picker('After', afterId, setAfterId)}
        <span className="spacer" />
        {diff && (
          <span className="review-summary" role="status" data-testid="review-summary">
            {diff.insertions === 0 && diff.deletions === 0 ? 'No changes' : `${diff.insertions} insertion${diff.insertions === 1 ? '' : 's'}, ${diff.deletions} deletion${diff.deletions === 1 ? '' : 's'}`}
          </span>
        )}
        <button type="button" onClick={onClose}>Close review</button>
      </div>
      <div className="review-scroll" onClick={keepLinksInPlace} onAuxClick={keepLinksInPlace}>
        {!diff ? (
          <p className="empty">{revisions ? 'Loading…' : 'Loading revisions…'}</p>
        ) : (
          <div className={`review-grid story${notesFor ? ' with-notes' : ''}`}>
            <div className="review-head">Before</div>
            <div className="review-head">After</div>
            {notesFor && <div className="review-head">Notes</div>}
            {diff.rows.map((row, i) => {
              const span = notesFor ? afterLines(diff.rows, i) : null;
              return (
                <ReviewRowView key={i} type={row.type} before={row.before} after={row.after}>
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

function ReviewRowView({ type, before, after, children }: { type: string; before: string | null; after: string | null; children?: ReactNode }) {
  return (
    <>
      <div className={`review-cell before ${type}`} {...(before === null ? { 'aria-hidden': true } : { dangerouslySetInnerHTML: { __html: before } })} />
      <div className={`review-cell after ${type}`} {...(after === null ? { 'aria-hidden': true } : { dangerouslySetInnerHTML: { __html: after } })} />
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
