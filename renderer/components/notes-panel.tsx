import { useEffect, useId, useLayoutEffect, useRef, useState, type FocusEvent, type KeyboardEvent } from 'react';
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
  /** Escape in the panel (not in a field): the keyboard goes back to the story. */
  onEscape(): void;
  /** The note F7 showed last: marked here too. */
  current: string | null;
  /** Changes when the keyboard should come to the panel (its first note, else its "Add note"). */
  takeFocus: number;
}

function quote(n: NoteView): string {
  const q = n.anchor?.exact ?? '';
  return q.length > 120 ? `${q.slice(0, 119)}…` : q;
}

/** A field that sends on Enter (Shift+Enter for a new line) and gives up on Escape. */
function NoteField({ label, onSend, onCancel, autoFocus }: { label: string; onSend(text: string): void; onCancel(): void; autoFocus?: boolean }) {
  const [text, setText] = useState('');
  const keys = useId();
  const field = useRef<HTMLTextAreaElement>(null);
  // Focused here, not by the `autofocus` attribute: a browser honours that only in a dialog or
  // as the page loads. A layout effect runs as the field is inserted, so no key can go elsewhere.
  useLayoutEffect(() => {
    if (autoFocus) field.current?.focus();
  }, [autoFocus]);
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
        ref={field}
        onChange={(e) => setText(e.currentTarget.value)}
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

function NoteItem({
  note,
  replies,
  control,
  current,
  onReveal,
}: {
  note: NoteView;
  replies: NoteView[];
  control: NotesControl;
  current: boolean;
  onReveal(id: string): void;
}) {
  const [replying, setReplying] = useState(false);
  const item = useRef<HTMLLIElement>(null);
  // A reply sent or given up hands the keyboard back to this note's Reply button: the field that
  // had it is gone, and the keyboard would otherwise fall to the page's top.
  const replyButton = useRef<HTMLButtonElement>(null);
  const backToReply = useRef(false);
  const stopReplying = () => {
    backToReply.current = true;
    setReplying(false);
  };
  useEffect(() => {
    if (replying || !backToReply.current) return;
    backToReply.current = false;
    replyButton.current?.focus();
  }, [replying]);
  useEffect(() => {
    if (current) item.current?.scrollIntoView({ block: 'nearest' });
  }, [current]);
  const state = note.state === 'resolved' ? 'Resolved' : note.detached ? 'Detached' : 'Open';
  return (
    <li
      ref={item}
      className={`note note-${note.state}${note.detached ? ' note-detached' : ''}${current ? ' note-current' : ''}`}
      data-note-id={note.id}
      aria-current={current ? 'true' : undefined}
    >
      {/* aria-disabled, not disabled: a detached note's quote stays in reach of Tab and the arrows. */}
      <button
        type="button"
        className="note-quote"
        onClick={() => note.place && onReveal(note.id)}
        aria-disabled={!note.place}
        title={note.place ? 'Show in the story' : 'Its text is no longer in the story'}
      >
        <span className="note-state">{state}</span> “{quote(note)}”
      </button>
      <p className="note-body">
        <strong>{note.author ?? 'You'}</strong>
        {note.role ? <span className="muted"> ({note.role})</span> : null}: {note.body}
      </p>
      {note.pending && replying && <p className="note-flag muted">Waiting to be sent</p>}
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
          onCancel={stopReplying}
          onSend={(t) => void control.reply(note.id, t).then(stopReplying)}
        />
      ) : (
        <div className="toolbar">
          <button type="button" ref={replyButton} onClick={() => setReplying(true)}>
            Reply
          </button>
          {note.allowed.resolve && (
            <button type="button" onClick={() => void control.setState(note.id, note.state === 'open' ? 'resolved' : 'open')}>
              {note.state === 'open' ? 'Resolve' : 'Reopen'}
            </button>
          )}
          {/* On the buttons' line (seen in the screenshots: a line of its own made the panel scroll sooner). */}
          {note.pending && <span className="note-flag muted">Waiting to be sent</span>}
        </div>
      )}
    </li>
  );
}

/** The open story's review notes: open, resolved and detached ones, with their replies. */
export function NotesPanel({ control, composing, onCompose, onComposed, onReveal, onClose, onEscape, current, takeFocus }: NotesPanelProps) {
  const [problem, setProblem] = useState<string | null>(null);
  const panel = useRef<HTMLElement>(null);
  useEffect(() => {
    if (takeFocus === 0) return;
    const at = panel.current;
    (at?.querySelector<HTMLElement>('.note-quote') ?? at?.querySelector<HTMLElement>('.notes-add'))?.focus();
  }, [takeFocus]);
  // A note moves between the groups when it is resolved, reopened or detached: it is then rendered
  // anew, and the button that had the keyboard is gone (the keyboard fell to the page). Which note's
  // which button had it is kept, and given the keyboard again after such a render.
  const had = useRef<{ id: string; index: number } | null>(null);
  const onFocus = (e: FocusEvent<HTMLElement>) => {
    const item = (e.target as HTMLElement).closest<HTMLElement>('.note[data-note-id]');
    const buttons = item ? [...item.querySelectorAll('button')] : [];
    had.current = item && e.target instanceof HTMLButtonElement ? { id: item.dataset.noteId!, index: buttons.indexOf(e.target) } : null;
  };
  const onBlur = (e: FocusEvent<HTMLElement>) => {
    if (e.relatedTarget instanceof Node && !panel.current?.contains(e.relatedTarget)) had.current = null;
  };
  useLayoutEffect(() => {
    const at = had.current;
    if (!at || (document.activeElement && document.activeElement !== document.body)) return;
    const item = [...(panel.current?.querySelectorAll<HTMLElement>('.note[data-note-id]') ?? [])].find((el) => el.dataset.noteId === at.id);
    if (!item) return;
    const buttons = item.querySelectorAll('button');
    (buttons[at.index] ?? buttons[0])?.focus();
  });
  // ArrowDown / ArrowUp from note to note (on their quotes), Home / End to the first / last, Escape
  // back to the story; Tab goes
  // through each note's buttons as anywhere else.
  const onKeyDown = (e: KeyboardEvent<HTMLElement>) => {
    if (e.defaultPrevented) return;
    if (e.key === 'Escape') {
      e.preventDefault();
      return onEscape();
    }
    if (!['ArrowDown', 'ArrowUp', 'Home', 'End'].includes(e.key)) return;
    const target = e.target as HTMLElement;
    if (target.tagName === 'TEXTAREA') return;
    const quotes = [...(panel.current?.querySelectorAll<HTMLElement>('.note-quote') ?? [])];
    if (quotes.length === 0) return;
    const at = quotes.findIndex((q) => q.closest('.note') === target.closest('.note'));
    const step = e.key === 'ArrowDown' ? 1 : -1;
    const next = e.key === 'Home' ? 0 : e.key === 'End' ? quotes.length - 1 : at === -1 ? 0 : Math.min(quotes.length - 1, Math.max(0, at + step));
    e.preventDefault();
    // The whole note in view, not only its quote (focus alone showed the quote and cut its text off).
    quotes[next]!.focus({ preventScroll: true });
    quotes[next]!.closest('.note')?.scrollIntoView({ block: 'nearest' });
  };
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
    <aside className="notes-panel" aria-label="Review notes" ref={panel} onKeyDown={onKeyDown} onFocus={onFocus} onBlur={onBlur}>
      <div className="toolbar">
        <h2>Notes</h2>
        <span className="spacer" />
        <button
          type="button"
          className="notes-add"
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
                  <NoteItem key={n.id} note={n} replies={repliesOf(n.id)} control={control} current={n.id === current} onReveal={onReveal} />
                ))}
              </ul>
            </section>
          ),
      )}
    </aside>
  );
}
