import { useId, useRef, useState } from 'react';
import type { NoteView } from '../../shared/api/notes.js';
import type { NotesControl } from '../notes/use-notes.js';

export interface NotesPanelProps {
  control: NotesControl;
  /** Whether the panel's "new note" field is open (Ctrl+Alt+M opens it on the selection). */
  composing: boolean;
  onCompose(open: boolean): void;
  /** The new note was sent (`sent`) or given up: the keyboard goes back to the story. */
  onComposed(sent: boolean): void;
  onReveal(id: string): void;
  onClose(): void;
}

function quote(n: NoteView): string {
  const q = n.anchor?.exact ?? '';
  return q.length > 120 ? `${q.slice(0, 119)}…` : q;
}

/** A field that sends on Enter (Shift+Enter for a new line) and gives up on Escape. */
function NoteField({ label, onSend, onCancel, autoFocus }: { label: string; onSend(text: string): void; onCancel(): void; autoFocus?: boolean }) {
  const [text, setText] = useState('');
  const keys = useId();
  return (
    <form
      className="note-field"
      onSubmit={(e) => {
        e.preventDefault();
        if (text.trim()) onSend(text.trim());
      }}
    >
      <textarea
        aria-label={label}
        aria-describedby={keys}
        value={text}
        rows={3}
        autoFocus={autoFocus}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && !e.shiftKey) {
            e.preventDefault();
            if (text.trim()) onSend(text.trim());
          }
          if (e.key === 'Escape') {
            e.preventDefault();
            onCancel();
          }
        }}
      />
      <div className="toolbar">
        <button type="submit" disabled={!text.trim()}>
          Send
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
        <span className="muted note-keys" id={keys}>
          Enter sends · Shift+Enter: new line · Escape: cancel
        </span>
      </div>
    </form>
  );
}

function NoteItem({ note, replies, control, onReveal }: { note: NoteView; replies: NoteView[]; control: NotesControl; onReveal(id: string): void }) {
  const [replying, setReplying] = useState(false);
  const state = note.state === 'resolved' ? 'Resolved' : note.detached ? 'Detached' : 'Open';
  return (
    <li className={`note note-${note.state}${note.detached ? ' note-detached' : ''}`} data-note-id={note.id}>
      <button
        type="button"
        className="note-quote"
        onClick={() => onReveal(note.id)}
        disabled={!note.place}
        title={note.place ? 'Show in the story' : 'Its text is no longer in the story'}
      >
        <span className="note-state">{state}</span> “{quote(note)}”
      </button>
      <p className="note-body">
        <strong>{note.author ?? 'You'}</strong>
        {note.role ? <span className="muted"> ({note.role})</span> : null}: {note.body}
      </p>
      {note.pending && <p className="note-flag muted">Waiting to be sent</p>}
      {note.rejected && <p className="note-flag error">Refused: {note.rejected}</p>}
      {note.conflict && (
        <div className="note-conflict" role="group" aria-label="Changed here and on the backend">
          <p>
            Changed on the backend too: <strong>{note.conflict.author}</strong>: {note.conflict.body}
          </p>
          <div className="toolbar">
            <button type="button" onClick={() => void control.resolveConflict(note.id, note.body, note.state)}>
              Keep mine
            </button>
            <button type="button" onClick={() => void control.resolveConflict(note.id, note.conflict!.body, note.conflict!.state)}>
              Take the backend’s
            </button>
          </div>
        </div>
      )}
      {replies.length > 0 && (
        <ul className="note-replies" aria-label="Replies">
          {replies.map((r) => (
            <li key={r.id} className="note-reply">
              <strong>{r.author ?? 'You'}</strong>: {r.body}
              {r.pending ? <span className="muted"> · waiting to be sent</span> : null}
            </li>
          ))}
        </ul>
      )}
      {replying ? (
        <NoteField
          label={`Reply to ${note.author ?? 'your'} note`}
          autoFocus
          onCancel={() => setReplying(false)}
          onSend={(t) => void control.reply(note.id, t).then(() => setReplying(false))}
        />
      ) : (
        <div className="toolbar">
          <button type="button" onClick={() => setReplying(true)}>
            Reply
          </button>
          {note.allowed.resolve && (
            <button type="button" onClick={() => void control.setState(note.id, note.state === 'open' ? 'resolved' : 'open')}>
              {note.state === 'open' ? 'Resolve' : 'Reopen'}
            </button>
          )}
        </div>
      )}
    </li>
  );
}

/** The open story's review notes: open, resolved and detached ones, with their replies. */
export function NotesPanel({ control, composing, onCompose, onComposed, onReveal, onClose }: NotesPanelProps) {
  const [problem, setProblem] = useState<string | null>(null);
  const quoteRef = useRef<string | null>(null);
  if (composing && quoteRef.current === null) quoteRef.current = control.selectionQuote();
  if (!composing) quoteRef.current = null;
  const roots = control.notes.filter((n) => !n.replyTo);
  const repliesOf = (id: string) => control.notes.filter((n) => n.replyTo === id);
  const groups: [string, NoteView[]][] = [
    ['Open', roots.filter((n) => n.state === 'open' && !n.detached)],
    ['Resolved', roots.filter((n) => n.state === 'resolved' && !n.detached)],
    ['Detached: their text is no longer in the story', roots.filter((n) => n.detached)],
  ];
  return (
    <aside className="notes-panel" aria-label="Review notes">
      <div className="toolbar">
        <h2>Notes</h2>
        <span className="spacer" />
        <button
          type="button"
          onClick={() => {
            setProblem(control.selectionQuote() ? null : 'Select some text of the story first.');
            onCompose(!!control.selectionQuote());
          }}
          title="Add a note on the selected text (Ctrl+Alt+M)"
        >
          Add note
        </button>
        <button type="button" onClick={onClose} aria-label="Close notes">
          ×
        </button>
      </div>
      {problem && (
        <p className="error" role="alert">
          {problem}
        </p>
      )}
      {composing &&
        (quoteRef.current ? (
          <div className="note-new">
            <p className="muted">Note on “{quoteRef.current.length > 120 ? `${quoteRef.current.slice(0, 119)}…` : quoteRef.current}”</p>
            <NoteField
              label="New note"
              autoFocus
              onCancel={() => {
                onCompose(false);
                onComposed(false);
              }}
              onSend={(t) =>
                void control.add(t).then((why) => {
                  setProblem(why);
                  if (why) return;
                  onCompose(false);
                  onComposed(true);
                })
              }
            />
          </div>
        ) : (
          <p className="error" role="alert">
            Select some text of the story first.
          </p>
        ))}
      {roots.length === 0 && !composing && <p className="muted">No notes yet. Select text and press Ctrl+Alt+M to add one.</p>}
      {groups.map(
        ([title, list]) =>
          list.length > 0 && (
            <section key={title} aria-label={title}>
              <h3>
                {title} ({list.length})
              </h3>
              <ul className="notes-list">
                {list.map((n) => (
                  <NoteItem key={n.id} note={n} replies={repliesOf(n.id)} control={control} onReveal={onReveal} />
                ))}
              </ul>
            </section>
          ),
      )}
    </aside>
  );
}
