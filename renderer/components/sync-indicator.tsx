import { useEffect, useRef, useState } from 'react';
import type { SyncOverview } from '../../shared/api/sync.js';
import { whenSynced } from '../sync/story-sync-text.js';

export interface SyncIndicatorProps {
  overview: SyncOverview | null;
  /** The browser's own idea of the network (navigator.onLine). */
  networkUp: boolean;
  onSyncNow(): void;
  onOpenSettings(): void;
  /** Opens a story in conflict with its merge view. */
  onOpenConflict(id: string): void;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/**
 * The sync part of the status bar: online or not, what waits, what needs the person (conflicts,
 * rejections, a pause), when the last sync ended, the progress of a running one, and "Sync now".
 */
export function SyncIndicator({ overview: o, networkUp, onSyncNow, onOpenSettings, onOpenConflict }: SyncIndicatorProps) {
  const [listOpen, setListOpen] = useState(false);
  const box = useRef<HTMLDivElement>(null);

  // The conflict list closes when the pointer or the focus goes elsewhere.
  useEffect(() => {
    if (!listOpen) return;
    const away = (e: Event) => {
      if (!box.current?.contains(e.target as Node)) setListOpen(false);
    };
    document.addEventListener('pointerdown', away);
    document.addEventListener('focusin', away);
    return () => {
      document.removeEventListener('pointerdown', away);
      document.removeEventListener('focusin', away);
    };
  }, [listOpen]);

  if (!o) return null;
  if (!o.configured) {
    return (
      // Keyed apart from the connected line below: Preact would otherwise reuse this button's node
      // as "Sync now", and the keyboard, given back to it as settings close, would land there.
      <div key="setup" className="sync-status" data-testid="sync-status" role="group" aria-label="Sync">
        {o.queued > 0 && <span data-testid="sync-queued">{o.queued} queued</span>}
        <button type="button" className="link" onClick={onOpenSettings} data-testid="sync-connect" title="No publishing backend — set up…">
          No publishing backend — set up…
        </button>
      </div>
    );
  }

  const online = !networkUp ? false : o.online;
  const problem = o.paused ?? o.lastError;
  const progress =
    o.running && o.progress
      ? `${o.progress.phase === 'push' ? 'Sending' : 'Receiving'} ${o.progress.done}${o.progress.total !== null ? ` of ${o.progress.total}` : ''}`
      : o.running
        ? 'Syncing…'
        : null;

  function conflicts() {
    if (!o) return;
    const only = o.conflicts.length === 1 ? o.conflicts[0] : undefined;
    if (only?.id) onOpenConflict(only.id);
    else setListOpen(!listOpen);
  }

  return (
    <div key="sync" className="sync-status" data-testid="sync-status" role="group" aria-label="Sync" ref={box}>
      <span className={`sync-online ${online === false ? 'off' : online ? 'on' : ''}`} data-testid="sync-online" title={o.backendUrl ?? ''}>
        {online === false ? 'Offline' : online ? 'Online' : 'Connecting…'}
      </span>
      {progress && (
        <span className="sync-progress" data-testid="sync-progress" role="status">
          {progress}
        </span>
      )}
      <span data-testid="sync-queued" className={o.queued ? 'sync-waiting' : ''}>
        {o.queued} queued
      </span>
      {o.conflicts.length > 0 && (
        <button
          type="button"
          className="sync-alert"
          data-testid="sync-conflicts"
          aria-haspopup={o.conflicts.length > 1 ? 'menu' : undefined}
          aria-expanded={o.conflicts.length > 1 ? listOpen : undefined}
          onClick={conflicts}
        >
          {plural(o.conflicts.length, 'conflict')}
        </button>
      )}
      {listOpen && o.conflicts.length > 1 && (
        <ul className="sync-conflict-list" role="menu" aria-label="Stories in conflict">
          {o.conflicts.map((c) => (
            <li key={c.slug} role="none">
              <button
                type="button"
                role="menuitem"
                disabled={!c.id}
                onClick={() => {
                  setListOpen(false);
                  if (c.id) onOpenConflict(c.id);
                }}
              >
                {c.title}
              </button>
            </li>
          ))}
        </ul>
      )}
      {o.rejected > 0 && (
        <span className="sync-alert" data-testid="sync-rejected">
          {o.rejected} rejected
        </span>
      )}
      <span data-testid="sync-last" title={o.lastSyncAt ? new Date(o.lastSyncAt).toLocaleString() : undefined}>
        {o.lastSyncAt ? `Synced ${whenSynced(o.lastSyncAt)}` : 'Not synced yet'}
      </span>
      {problem && (
        <span className="sync-problem" data-testid="sync-problem" title={problem}>
          {problem}
        </span>
      )}
      <button type="button" onClick={onSyncNow} disabled={o.running} data-testid="sync-now">
        Sync now
      </button>
    </div>
  );
}
