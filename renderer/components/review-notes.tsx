import type { ReactNode } from 'react';
import type { NoteView } from '../../shared/api/notes.js';
import { lineIndexAt, lineStarts } from '../../shared/text-util.js';
import type { NotesControl } from '../notes/use-notes.js';

/**
 * Review mode's notes: a function giving, for the source lines of one rendered block, the notes
 * standing on them (with their replies), so that an editor reads, comments on and resolves them
 * beside the text they are about.
 */
export function reviewNotes(control: NotesControl, text: string): (fromLine: number, toLine: number) => ReactNode {
  const starts = lineStarts(text);
  const roots = control.notes.filter((n) => !n.replyTo && n.place);
  const lineOf = (n: NoteView) => lineIndexAt(starts, n.place!.from) + 1;
  return (fromLine, toLine) => {
    const here = roots.filter((n) => lineOf(n) >= fromLine && lineOf(n) <= toLine);
    if (here.length === 0) return null;
    return (
      <ul className="review-notes" aria-label={`Notes on line ${fromLine}`}>
        {here.map((n) => {
          const replies = control.notes.filter((r) => r.replyTo === n.id);
          return (
            <li key={n.id} className={`note note-${n.state}`}>
              <p className="note-quote-text">“{n.anchor?.exact}”</p>
              <p className="note-body">
                <strong>{n.author ?? 'You'}</strong>: {n.body}
              </p>
              {replies.map((r) => (
                <p key={r.id} className="note-reply">
                  <strong>{r.author ?? 'You'}</strong>: {r.body}
                </p>
              ))}
              {n.allowed.resolve && (
                <button type="button" onClick={() => void control.setState(n.id, n.state === 'open' ? 'resolved' : 'open')}>
                  {n.state === 'open' ? 'Resolve' : 'Reopen'}
                </button>
              )}
              {!n.allowed.resolve && <span className="note-state">{n.state === 'open' ? 'Open' : 'Resolved'}</span>}
            </li>
          );
        })}
      </ul>
    );
  };
}
