import type { ImportRun } from '../import/use-importer.js';
import { Modal } from './modal.js';

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export interface ImportDialogProps {
  /** Null before any file was chosen. */
  run: ImportRun | null;
  /** Opens the file picker (a click here is the user gesture a file picker needs). */
  onChoose(): void;
  onOpen(id: string): void;
  onClose(): void;
}

/** Import progress (n of m) and a line per file: imported or refused, its notices and its lint count. */
export function ImportDialog({ run, onChoose, onOpen, onClose }: ImportDialogProps) {
  if (!run) {
    return (
      <Modal title="Import" onClose={onClose} className="import" testId="import-dialog">
        <p>Import story files (.md) and plain-text exports (.txt), many at once.</p>
        <div className="dialog-actions">
          <span className="muted">Or drop files anywhere on the window.</span>
          <button type="button" className="primary" onClick={onChoose} autoFocus>
            Choose files…
          </button>
        </div>
      </Modal>
    );
  }
  const ok = run.reports.filter((r) => r.ok).length;
  return (
    <Modal title="Import" onClose={onClose} className="import" testId="import-dialog">
      <div className="import-progress">
        <progress max={run.total} value={run.done} aria-label="Import progress" />
        <span role="status" data-testid="import-progress">
          {run.running ? `Importing ${run.done + 1} of ${run.total}…` : `Imported ${ok} of ${plural(run.total, 'file')}`}
        </span>
      </div>
      <ul className="import-report" aria-label="Import report">
        {run.reports.map((r, i) => (
          <li key={i} className={r.ok ? 'ok' : 'bad'} data-testid="import-line">
            <div className="import-line">
              <span className="mark" aria-hidden="true">
                {r.ok ? '✓' : '✗'}
              </span>
              {r.ok ? (
                <>
                  <span className="name">{r.name}</span>
                  <span className="title">{r.title || 'Untitled'}</span>
                  <span className={r.diagnostics ? 'count warn' : 'count'} data-testid="import-diagnostics">
                    {plural(r.diagnostics, 'diagnostic')}
                  </span>
                  {r.id && (
                    <button type="button" className="link" onClick={() => onOpen(r.id!)}>
                      Open
                    </button>
                  )}
                </>
              ) : (
                <span className="error">{r.error}</span>
              )}
            </div>
            {r.notices.map((n, j) => (
              <div key={j} className="notice">
                Note: {n}
              </div>
            ))}
          </li>
        ))}
      </ul>
      <div className="dialog-actions">
        <button type="button" className="primary" onClick={onClose} disabled={run.running}>
          Close
        </button>
      </div>
    </Modal>
  );
}
