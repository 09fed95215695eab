import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { MergeView, goToNextChunk, goToPreviousChunk } from '@codemirror/merge';
import { EditorState, type Extension } from '@codemirror/state';
import { EditorView, keymap } from '@codemirror/view';
import { useEffect, useRef, useState } from 'react';
import type { StorySync } from '../../shared/api/sync.js';
import { PUSH_STATUSES, type PushStatus } from '../../shared/protocol/index.js';
import { storyMarkdown } from '../editor/front-matter.js';
import { studioTheme } from '../editor/theme.js';

export type Conflict = NonNullable<StorySync['conflict']>;

export interface ConflictViewProps {
  conflict: Conflict;
  /** The person's text (the editor's, saved): it starts the merge. */
  mine: string;
  title: string;
  busy: boolean;
  /** Sends the chosen text; the view closes when it went into the outbox. */
  onResolve(text: string, status?: PushStatus): void;
  onClose(): void;
}

type Against = 'remote' | 'base';

const common: Extension = [EditorView.lineWrapping, storyMarkdown(), studioTheme];

/**
 * A conflict, side by side (@codemirror/merge): on the left the person's text, editable — it
 * becomes the merge; on the right the backend's version, or the last synced one (the base) for
 * seeing who changed what. The arrows between them copy a change from the right into the merge.
 * Nothing is sent or replaced until the person picks: keep theirs, take the backend's, or send
 * the merge. Both sides go out on the backend's current version (If-Match).
 */
export function ConflictView({ conflict, mine, title, busy, onResolve, onClose }: ConflictViewProps) {
  const host = useRef<HTMLDivElement>(null);
  const merge = useRef<MergeView | null>(null);
  const [against, setAgainst] = useState<Against>('remote');
  const [edited, setEdited] = useState(false);
  // The person's text when the conflict opened: later renders must not rebuild the merge view.
  const mineRef = useRef(mine);
  mineRef.current = mine;

  // One merge view per conflict; the person's edits live in it until they choose.
  useEffect(() => {
    const mv = new MergeView({
      parent: host.current!,
      orientation: 'b-a',
      revertControls: 'a-to-b',
      a: { doc: conflict.remoteText, extensions: [common, EditorState.readOnly.of(true), EditorView.editable.of(false)] },
      b: {
        doc: mineRef.current,
        extensions: [
          common, history(),
          keymap.of([{ key: 'Mod-Alt-ArrowDown', run: goToNextChunk }, { key: 'Mod-Alt-ArrowUp', run: goToPreviousChunk }, ...historyKeymap, ...defaultKeymap]),
          EditorView.updateListener.of((u) => {
            if (u.docChanged) setEdited(true);
          }),
          EditorView.contentAttributes.of({ 'aria-label': 'Your text (the merge)' }),
        ],
      },
    });
    mv.a.contentDOM.setAttribute('aria-label', "The backend's text (read-only)");
    merge.current = mv;
    return () => {
      mv.destroy();
      merge.current = null;
    };
  }, [conflict.remoteVersion, conflict.remoteText]);

  // The right side shows the backend's text or the base; the merge on the left is untouched.
  useEffect(() => {
    const a = merge.current?.a;
    if (!a) return;
    const text = against === 'base' ? (conflict.baseText ?? '') : conflict.remoteText;
    a.dispatch({ changes: { from: 0, to: a.state.doc.length, insert: text } });
    a.contentDOM.setAttribute('aria-label', against === 'base' ? 'The last synced text (read-only)' : "The backend's text (read-only)");
  }, [against, conflict.baseText, conflict.remoteText]);

  const remoteStatus = PUSH_STATUSES.includes(conflict.remoteStatus as PushStatus) ? (conflict.remoteStatus as PushStatus) : undefined;
  const merged = () => merge.current?.b.state.doc.toString() ?? mine;

  return (
    <section className="pane conflict" aria-label="Conflict" data-testid="conflict-view">
      <div className="toolbar conflict-bar">
        <strong className="conflict-title">Conflict: {title}</strong>
        <span className="muted">
          changed here and on the backend (v{conflict.remoteVersion}{conflict.remoteStatus ? `, ${conflict.remoteStatus}` : ''})
        </span>
        <span className="spacer" />
        <div className="segmented" role="radiogroup" aria-label="Compare with">
          <button type="button" role="radio" aria-checked={against === 'remote'} onClick={() => setAgainst('remote')}>The backend's (v{conflict.remoteVersion})</button>
          <button type="button" role="radio" aria-checked={against === 'base'} disabled={conflict.baseText === null} onClick={() => setAgainst('base')}
            title={conflict.baseText === null ? 'The story was never synced: there is no base' : 'The version both sides started from'}>
            Last synced
          </button>
        </div>
      </div>
      <div className="conflict-heads" aria-hidden="true">
        <span>Yours — edit here: this becomes the merge{edited ? ' (edited)' : ''}</span>
        <span>{against === 'base' ? 'Last synced (the base), read-only' : `The backend's v${conflict.remoteVersion}, read-only`}</span>
      </div>
      <div className="conflict-merge" ref={host} data-testid="merge-view" />
      <div className="toolbar conflict-actions">
        <span className="muted">Nothing is sent until you choose.</span>
        <span className="spacer" />
        <button type="button" onClick={onClose} disabled={busy}>Decide later</button>
        <button type="button" disabled={busy} onClick={() => onResolve(mine)} title="Send your text as it was, over the backend's version">Keep mine</button>
        <button type="button" disabled={busy} onClick={() => onResolve(conflict.remoteText, remoteStatus)} title="Your text becomes the backend's (yours stays in History)">Take the backend's</button>
        <button type="button" className="primary" disabled={busy} onClick={() => onResolve(merged())}>Send the merge</button>
      </div>
    </section>
  );
}
