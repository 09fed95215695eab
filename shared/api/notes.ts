/** Review notes as the studio's processes exchange them: the note as the UI shows it, and the inputs of the note methods. */
import { z } from 'zod';
import { NOTE_BODY_MAX, NOTE_STATES, noteAnchorSchema, noteIdSchema, type NoteAnchor, type NoteState } from '../notes/index.js';
import type { Role } from '../protocol/index.js';

/** A note where the story's text stands now. */
export interface NoteView {
  id: string;
  storySlug: string;
  body: string;
  state: NoteState;
  replyTo: string | null;
  author: string | null;
  role: Role | null;
  /** The quote and context the note was written on. */
  anchor: NoteAnchor | null;
  /** Where the note stands in the story file now (offsets), or null: a reply, or detached. */
  place: { from: number; to: number } | null;
  detached: boolean;
  /** A change of this note waits to reach the backend. */
  pending: boolean;
  /** Why the backend refused the waiting change, or null. */
  rejected: string | null;
  /** The backend's text and state when both sides changed the note: both are kept until the person chooses. */
  conflict: { body: string; state: NoteState; version: number; author: string } | null;
  /** What the person may do with it, by their role and authorship. */
  allowed: { edit: boolean; resolve: boolean };
  createdAt: string;
  updatedAt: string;
}

const id = z.string().min(1).max(200);
const body = z.string().min(1).max(NOTE_BODY_MAX);

export const noteInputs = {
  list: z.object({ id }),
  add: z.object({ id, anchor: noteAnchorSchema, body }),
  reply: z.object({ noteId: noteIdSchema, body }),
  edit: z.object({ noteId: noteIdSchema, body }),
  setState: z.object({ noteId: noteIdSchema, state: z.enum(NOTE_STATES) }),
  resolveConflict: z.object({ noteId: noteIdSchema, body, state: z.enum(NOTE_STATES) }),
};
