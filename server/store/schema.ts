/**
 * The publishing store's tables, written once for both databases. The two stores keep their own
 * lists of migrations (PostgreSQL has functions and leases SQLite does not need), but the tables
 * both hold are these, with the few types that differ named by the dialect; the CHECK lists come
 * from the protocol's own names, so a role or a state added there reaches both schemas.
 */
import { NOTE_STATES, REFERENCE_KINDS } from '../../shared/index.js';
import { ROLES } from '../../shared/protocol/index.js';

export interface SqlDialect {
  /** A change number or counter (SQLite's INTEGER is 64-bit; PostgreSQL's is not). */
  bigint: string;
  bytes: string;
  /** A yes/no column that starts as no. */
  flag: string;
  /** Columns of an idempotency row that only this store keeps (PostgreSQL: who holds it, until when). */
  idempotencyExtra: string;
}

export const SQLITE: SqlDialect = { bigint: 'INTEGER', bytes: 'BLOB', flag: 'INTEGER NOT NULL DEFAULT 0', idempotencyExtra: '' };
export const POSTGRES: SqlDialect = {
  bigint: 'BIGINT',
  bytes: 'BYTEA',
  flag: 'BOOLEAN NOT NULL DEFAULT FALSE',
  idempotencyExtra: ' instance INTEGER, lease_until TIMESTAMPTZ,',
};

/** `'a','b'`: a list of the protocol's names for a CHECK constraint. */
const sqlList = (names: readonly string[]) => names.map((n) => `'${n}'`).join(',');

/** Migration 1 of both stores: counters, tokens, the catalog, stories and their versions, idempotency keys. */
export function storySchema(d: SqlDialect): string {
  return `
  CREATE TABLE counters (name TEXT PRIMARY KEY, value ${d.bigint} NOT NULL);
  INSERT INTO counters (name, value) VALUES ('change', 0);
  CREATE TABLE tokens (
    name TEXT PRIMARY KEY, role TEXT NOT NULL CHECK (role IN (${sqlList(ROLES)})),
    hash ${d.bytes} NOT NULL UNIQUE, created_at TEXT NOT NULL
  );
  CREATE TABLE catalog_items (
    kind TEXT NOT NULL CHECK (kind IN (${sqlList(REFERENCE_KINDS)})), slug TEXT NOT NULL,
    data TEXT NOT NULL, deleted ${d.flag}, seq ${d.bigint} NOT NULL,
    PRIMARY KEY (kind, slug)
  );
  CREATE INDEX catalog_items_seq ON catalog_items (seq);
  CREATE TABLE stories (
    slug TEXT PRIMARY KEY, version INTEGER NOT NULL, status TEXT NOT NULL, title TEXT NOT NULL,
    beat TEXT NOT NULL, published TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL, seq ${d.bigint} NOT NULL
  );
  CREATE UNIQUE INDEX stories_seq ON stories (seq);
  CREATE INDEX stories_public ON stories (status, published);
  CREATE TABLE story_versions (
    slug TEXT NOT NULL, version INTEGER NOT NULL, status TEXT NOT NULL, fields TEXT NOT NULL, text TEXT NOT NULL,
    author TEXT NOT NULL, created_at TEXT NOT NULL, PRIMARY KEY (slug, version)
  );
  CREATE TABLE story_refs (slug TEXT NOT NULL, kind TEXT NOT NULL, ref TEXT NOT NULL, PRIMARY KEY (slug, kind, ref));
  CREATE INDEX story_refs_ref ON story_refs (kind, ref);
  CREATE TABLE idempotency (
    owner TEXT NOT NULL, key TEXT NOT NULL, fingerprint TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('in_flight','done')),
    status INTEGER, headers TEXT, body TEXT, created_at TEXT NOT NULL,${d.idempotencyExtra} PRIMARY KEY (owner, key)
  );
  CREATE INDEX idempotency_created ON idempotency (created_at);
  `;
}

/** Migration 2 of both stores: review notes; seq from the change counter, so a story's notes page by the same kind of cursor. */
export function notesSchema(d: SqlDialect): string {
  return `
  CREATE TABLE notes (
    story_slug TEXT NOT NULL, id TEXT NOT NULL, version INTEGER NOT NULL, author TEXT NOT NULL, role TEXT NOT NULL,
    body TEXT NOT NULL, anchor TEXT, state TEXT NOT NULL CHECK (state IN (${sqlList(NOTE_STATES)})), reply_to TEXT,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, seq ${d.bigint} NOT NULL, PRIMARY KEY (story_slug, id)
  );
  CREATE INDEX notes_seq ON notes (story_slug, seq);
  `;
}
