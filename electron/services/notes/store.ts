/**
 * Review notes in the library file: the notes as this studio knows them, their outbox, the pull
 * cursor of each story's notes, and the body each story's note anchors were last placed on. Tables
 * have a `notes_` prefix and their own schema version, as the sync tables do, so they share the
 * library's file without touching its migrations.
 */
import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { Note, NoteAnchor, NotePutBody, NoteState } from '../../../shared/index.js';
import { memoize } from '../../../shared/index.js';
import type { Role } from '../../../shared/protocol/index.js';

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS notes_items (
    id TEXT PRIMARY KEY, story_slug TEXT NOT NULL, body TEXT NOT NULL, anchor TEXT, local_anchor TEXT,
    state TEXT NOT NULL, reply_to TEXT, author TEXT, role TEXT, version INTEGER,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, remote TEXT
  );
  CREATE INDEX IF NOT EXISTS notes_items_story ON notes_items (story_slug);
  CREATE TABLE IF NOT EXISTS notes_bases_by_id (story_id TEXT PRIMARY KEY, body TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS notes_outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT, note_id TEXT NOT NULL, story_slug TEXT NOT NULL, body TEXT NOT NULL,
    sent_precondition TEXT, idempotency_key TEXT NOT NULL UNIQUE,
    state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued','conflict','rejected')),
    attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at INTEGER NOT NULL DEFAULT 0, last_error TEXT, created_at INTEGER NOT NULL
  );
  CREATE INDEX IF NOT EXISTS notes_outbox_note ON notes_outbox (note_id);
  CREATE TABLE IF NOT EXISTS notes_cursors (story_slug TEXT PRIMARY KEY, cursor TEXT NOT NULL);
`;

/** A note as this studio holds it: its own text, and the backend's when both sides changed it. */
export interface LocalNote {
  id: string;
  storySlug: string;
  /**
   * The library story it was written on here (null for a note pulled from the backend). A draft's
   * slug comes from its title until the story is first sent, so two new stories share one and a
   * new title changes it: notes go by the story they were written on, and take its slug with them.
   */
  storyId: string | null;
  body: string;
  /** The anchor as written (the backend's), and as last placed on this studio's text. */
  anchor: NoteAnchor | null;
  localAnchor: NoteAnchor | null;
  state: NoteState;
  replyTo: string | null;
  author: string | null;
  role: Role | null;
  /** The backend's version this note was last in step with; null before it first reached the backend. */
  version: number | null;
  createdAt: string;
  updatedAt: string;
  /** The backend's note when it changed there while this studio had a change of its own waiting. */
  remote: Note | null;
}

export interface NoteOutboxRow {
  id: number;
  noteId: string;
  storySlug: string;
  body: NotePutBody;
  sentPrecondition: string | null;
  idempotencyKey: string;
  state: 'queued' | 'conflict' | 'rejected';
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
}

interface ItemRow {
  id: string;
  story_slug: string;
  story_id: string | null;
  body: string;
  anchor: string | null;
  local_anchor: string | null;
  state: NoteState;
  reply_to: string | null;
  author: string | null;
  role: Role | null;
  version: number | null;
  created_at: string;
  updated_at: string;
  remote: string | null;
}

interface OutboxDbRow {
  id: number;
  note_id: string;
  story_slug: string;
  body: string;
  sent_precondition: string | null;
  idempotency_key: string;
  state: NoteOutboxRow['state'];
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
}

const json = <T>(text: string | null): T | null => (text === null ? null : (JSON.parse(text) as T));

function itemOf(r: ItemRow): LocalNote {
  return {
    id: r.id,
    storySlug: r.story_slug,
    storyId: r.story_id,
    body: r.body,
    anchor: json(r.anchor),
    localAnchor: json(r.local_anchor),
    state: r.state,
    replyTo: r.reply_to,
    author: r.author,
    role: r.role,
    version: r.version,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    remote: json(r.remote),
  };
}

function rowOf(r: OutboxDbRow): NoteOutboxRow {
  return {
    id: r.id,
    noteId: r.note_id,
    storySlug: r.story_slug,
    body: JSON.parse(r.body) as NotePutBody,
    sentPrecondition: r.sent_precondition,
    idempotencyKey: r.idempotency_key,
    state: r.state,
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at,
    lastError: r.last_error,
  };
}

export class NotesStore {
  constructor(readonly db: Database.Database) {
    db.exec(SCHEMA);
    // Libraries from before notes knew their story: the column comes in empty (notes go by slug then).
    const columns = db.prepare('PRAGMA table_info(notes_items)').all() as { name: string }[];
    if (!columns.some((c) => c.name === 'story_id')) db.exec('ALTER TABLE notes_items ADD COLUMN story_id TEXT');
    db.exec('CREATE INDEX IF NOT EXISTS notes_items_story_id ON notes_items (story_id)');
  }

  private readonly sql = memoize((source: string): Database.Statement => this.db.prepare(source));

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  get(id: string): LocalNote | null {
    const r = this.sql('SELECT * FROM notes_items WHERE id = ?').get(id) as ItemRow | undefined;
    return r ? itemOf(r) : null;
  }

  /**
   * The notes of a library story: those written on it here, and those of its slug that no story here
   * was named for: pulled from the backend, when the slug is the story's own (written in its front
   * matter: a slug still made from the title is no one's yet), or written here before notes knew
   * their story (never sent).
   */
  forStory(storyId: string, storySlug: string, slugIsItsOwn: boolean): LocalNote[] {
    return (
      this.sql('SELECT * FROM notes_items WHERE story_id = ? OR (story_id IS NULL AND story_slug = ? AND (? OR version IS NULL)) ORDER BY created_at, id').all(
        storyId,
        storySlug,
        slugIsItsOwn ? 1 : 0,
      ) as ItemRow[]
    ).map(itemOf);
  }

  /**
   * Gives the notes written on a story here, and not yet on the backend, the story's slug now (and
   * their waiting changes): a draft's slug follows its title until it is first sent.
   */
  followSlug(storyId: string, storySlug: string): void {
    this.sql(
      'UPDATE notes_outbox SET story_slug = ? WHERE story_slug <> ? AND note_id IN (SELECT id FROM notes_items WHERE story_id = ? AND version IS NULL)',
    ).run(storySlug, storySlug, storyId);
    this.sql('UPDATE notes_items SET story_slug = ? WHERE story_id = ? AND version IS NULL AND story_slug <> ?').run(storySlug, storyId, storySlug);
  }

  /** Library stories that have notes written on them here and not yet on the backend. */
  storiesWithUnsentNotes(): string[] {
    return (this.sql('SELECT DISTINCT story_id AS s FROM notes_items WHERE story_id IS NOT NULL AND version IS NULL').all() as { s: string }[]).map((r) => r.s);
  }

  /** Slugs of stories that have notes here. */
  storiesWithNotes(): string[] {
    return (this.sql('SELECT DISTINCT story_slug AS s FROM notes_items').all() as { s: string }[]).map((r) => r.s);
  }

  put(n: LocalNote): void {
    this.sql(
      `INSERT INTO notes_items (id, story_slug, story_id, body, anchor, local_anchor, state, reply_to, author, role, version, created_at, updated_at, remote)
            VALUES (@id, @storySlug, @storyId, @body, @anchor, @localAnchor, @state, @replyTo, @author, @role, @version, @createdAt, @updatedAt, @remote)
            ON CONFLICT (id) DO UPDATE SET body = excluded.body, anchor = excluded.anchor, local_anchor = excluded.local_anchor,
              state = excluded.state, author = excluded.author, role = excluded.role, version = excluded.version,
              updated_at = excluded.updated_at, remote = excluded.remote`,
    ).run({
      ...n,
      anchor: n.anchor ? JSON.stringify(n.anchor) : null,
      localAnchor: n.localAnchor ? JSON.stringify(n.localAnchor) : null,
      remote: n.remote ? JSON.stringify(n.remote) : null,
    });
  }

  setLocalAnchor(id: string, anchor: NoteAnchor): void {
    this.sql('UPDATE notes_items SET local_anchor = ? WHERE id = ?').run(JSON.stringify(anchor), id);
  }

  // ---- the outbox: one Idempotency-Key per row, made once, reused on every retry

  enqueue(noteId: string, storySlug: string, body: NotePutBody, now: number): void {
    this.sql('INSERT INTO notes_outbox (note_id, story_slug, body, idempotency_key, created_at) VALUES (?, ?, ?, ?, ?)').run(
      noteId,
      storySlug,
      JSON.stringify(body),
      `note-${randomUUID()}`,
      now,
    );
  }

  /** The first waiting row of each note (a note's rows go out in order), due by `now`. */
  due(now: number): NoteOutboxRow[] {
    return (
      this.sql(
        `SELECT * FROM notes_outbox o WHERE state = 'queued' AND next_attempt_at <= ?
              AND NOT EXISTS (SELECT 1 FROM notes_outbox p WHERE p.note_id = o.note_id AND p.id < o.id)
            ORDER BY id`,
      ).all(now) as OutboxDbRow[]
    ).map(rowOf);
  }

  pending(noteId: string): NoteOutboxRow[] {
    return (this.sql('SELECT * FROM notes_outbox WHERE note_id = ? ORDER BY id').all(noteId) as OutboxDbRow[]).map(rowOf);
  }

  countWaiting(): number {
    return (this.sql(`SELECT COUNT(*) AS n FROM notes_outbox WHERE state = 'queued'`).get() as { n: number }).n;
  }

  fixPrecondition(rowId: number, precondition: string): void {
    this.sql('UPDATE notes_outbox SET sent_precondition = ? WHERE id = ?').run(precondition, rowId);
  }

  retryLater(rowId: number, at: number, error: string): void {
    this.sql('UPDATE notes_outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE id = ?').run(at, error, rowId);
  }

  settle(rowId: number, state: 'conflict' | 'rejected', error: string): void {
    this.sql('UPDATE notes_outbox SET state = ?, last_error = ? WHERE id = ?').run(state, error, rowId);
  }

  remove(rowId: number): void {
    this.sql('DELETE FROM notes_outbox WHERE id = ?').run(rowId);
  }

  /**
   * Drops every row of a note whose conflict the person settled: the one in conflict, and the changes
   * queued after it, made on the text the settled one replaces (sent on the backend's version, they
   * would undo the backend's text, or be refused as an edit of another's note).
   */
  clearSettled(noteId: string): void {
    this.sql(`DELETE FROM notes_outbox WHERE note_id = ?`).run(noteId);
  }

  cursor(storySlug: string): string | null {
    return (this.sql('SELECT cursor FROM notes_cursors WHERE story_slug = ?').get(storySlug) as { cursor: string } | undefined)?.cursor ?? null;
  }

  setCursor(storySlug: string, cursor: string): void {
    this.sql('INSERT INTO notes_cursors (story_slug, cursor) VALUES (?, ?) ON CONFLICT (story_slug) DO UPDATE SET cursor = excluded.cursor').run(
      storySlug,
      cursor,
    );
  }

  /** The body a story's notes were last placed on here (by library story: two drafts may share a slug). */
  base(storyId: string): string | null {
    return (this.sql('SELECT body FROM notes_bases_by_id WHERE story_id = ?').get(storyId) as { body: string } | undefined)?.body ?? null;
  }

  setBase(storyId: string, body: string): void {
    this.sql('INSERT INTO notes_bases_by_id (story_id, body) VALUES (?, ?) ON CONFLICT (story_id) DO UPDATE SET body = excluded.body').run(storyId, body);
  }
}
