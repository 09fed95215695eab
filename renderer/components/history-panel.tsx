import type { RevisionSummary } from '../../shared/api/contract.js';

/** The open story's saved revisions, newest first, each but the newest restorable. */
export function HistoryPanel({ revisions, onRestore, onClose }: { revisions: RevisionSummary[]; onRestore(id: number): void; onClose(): void }) {
  return (
    <div className="history" role="region" aria-label="History">
      <div className="history-head">
        <strong>History</strong>{' '}
        <span className="muted">
          {revisions.length} revision{revisions.length === 1 ? '' : 's'}
        </span>
        <span className="spacer" />
        <button type="button" className="link" onClick={onClose}>
          Close
        </button>
      </div>
      <ul className="revisions" aria-label="Revisions">
        {revisions.map((r, i) => (
          <li key={r.id}>
            <span>
              {new Date(r.createdAt).toLocaleString()} — {r.title || 'Untitled'} ({r.size} chars){i === 0 ? ' · current' : ''}
            </span>
            {i > 0 && (
              <button type="button" onClick={() => onRestore(r.id)}>
                Restore
              </button>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}
