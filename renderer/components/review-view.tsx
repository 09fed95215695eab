import { useEffect, useMemo, useState } from 'react';
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
}

const when = (iso: string) => new Date(iso).toLocaleString();

/**
 * Review mode: two versions of the open story as rendered previews side by side, blocks lined up,
 * deleted words marked on the left and inserted words on the right.
 */
export function ReviewView({ api, storyId, currentText, catalog, site, onClose, onError }: ReviewViewProps) {
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
          <div className="review-grid story">
            <div className="review-head">Before</div>
            <div className="review-head">After</div>
            {diff.rows.map((row, i) => (
              <ReviewRowView key={i} type={row.type} before={row.before} after={row.after} />
            ))}
          </div>
        )}
      </div>
    </section>
  );
}

function ReviewRowView({ type, before, after }: { type: string; before: string | null; after: string | null }) {
  return (
    <>
      <div className={`review-cell before ${type}`} {...(before === null ? { 'aria-hidden': true } : { dangerouslySetInnerHTML: { __html: before } })} />
      <div className={`review-cell after ${type}`} {...(after === null ? { 'aria-hidden': true } : { dangerouslySetInnerHTML: { __html: after } })} />
    </>
  );
}
