/**
 * The storage interface of the publishing backend. Two implementations: SQLite (sqlite-store.ts, one
 * process owns the file) and PostgreSQL (pg-store.ts, several instances share one database); the
 * `--db` value chooses. The routes see only this interface.
 *
 * Every write is one serialised transaction: a story PUT checks its precondition, writes the new
 * version, the change cursor, the reference rows and the idempotency answer atomically.
 */
import type { Catalog, CatalogIndex, Entity, NoteAnchor, NoteState } from '../../shared/index.js';
import { REMOTE_STATUSES, ROLES, type RemoteStatus, type Role } from '../../shared/protocol/index.js';

export { ROLES, type Role };
export const STORED_STATUSES = REMOTE_STATUSES;
export type StoredStatus = RemoteStatus;

export interface TokenInfo {
  name: string;
  role: Role;
  createdAt: string;
}

/** The story fields as the protocol carries them (the PUT body, plus slug). */
export interface StoryFieldsRecord {
  slug: string;
  title: string;
  dek?: string;
  beat: string;
  body: string;
  citations: Array<Record<string, unknown>>;
  status: StoredStatus;
  published?: string;
}

export interface StoredStory {
  slug: string;
  version: number;
  status: StoredStatus;
  /** The fields of the current version. */
  story: StoryFieldsRecord;
  /** The canonical story file of the current version (what the public page renders). */
  text: string;
  createdAt: string;
  updatedAt: string;
  /** The change sequence number of the latest write. */
  seq: number;
}

export interface StoryListItem {
  slug: string;
  version: number;
  status: StoredStatus;
  updatedAt: string;
  seq: number;
}

/** A `stories` row as the change feed reads it (`STORY_CHANGES_COLUMNS`). */
export interface StoryChangeRow {
  slug: string;
  version: number;
  status: StoredStatus;
  updated_at: string;
  seq: number;
}
export const STORY_CHANGES_COLUMNS = 'slug, version, status, updated_at, seq';
export const storyListItem = (r: StoryChangeRow): StoryListItem => ({
  slug: r.slug,
  version: r.version,
  status: r.status,
  updatedAt: r.updated_at,
  seq: r.seq,
});

/** Which published stories a list page shows: all, a beat's, or an entity's. */
export interface PublishedStoriesFilter {
  beat?: string;
  entity?: string;
}

/** A reference of a story's body to a catalog item (for /entities/:slug and /beats/:slug). */
export interface StoryRef {
  kind: 'entity' | 'beat' | 'story';
  slug: string;
}

/** A response as first sent, kept to replay an idempotent request byte for byte. */
export interface StoredResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export type IdempotencyBegin = { state: 'new' } | { state: 'in_flight' } | { state: 'reused' } | { state: 'done'; response: StoredResponse };

export interface IdempotencyScope {
  /** The token's identity (hex SHA-256 of the token, `CallerToken.id`), never its reusable name. */
  owner: string;
  key: string;
}

export interface PutStoryInput {
  slug: string;
  /** null: create (If-None-Match: *); a number: the version the writer last saw (If-Match). */
  expectedVersion: number | null;
  story: StoryFieldsRecord;
  text: string;
  refs: StoryRef[];
  author: string;
  now: string;
  /**
   * Completed in the same transaction as the write, so a crash never leaves a key half done. A store
   * may ask for the answer to the write it expects before making it, and again for a conflict: the
   * last answer asked for is the one kept.
   */
  idempotency?: IdempotencyScope & { respond: (result: PutStoryResult) => StoredResponse };
}

export type PutStoryResult =
  { ok: true; created: boolean; version: number; status: StoredStatus; updatedAt: string } | { ok: false; reason: 'conflict'; current: StoredStory | null };

export interface ChangePage<T> {
  items: T[];
  cursor: string;
  hasMore: boolean;
}

export type CatalogKind = 'entity' | 'beat' | 'story';
export interface CatalogChange {
  kind: CatalogKind;
  slug: string;
  deleted: boolean;
  data: Record<string, unknown>;
}

export interface PublicStorySummary {
  slug: string;
  title: string;
  dek?: string;
  beat: string;
  published: string;
}

/** A review note as the backend keeps it (publishing-protocol.md, "Review notes"). */
export interface NoteRecord {
  id: string;
  storySlug: string;
  version: number;
  author: string;
  role: Role;
  body: string;
  anchor: NoteAnchor | null;
  state: NoteState;
  replyTo: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface PutNoteInput {
  storySlug: string;
  id: string;
  /** null: create (If-None-Match: *); a number: the version the writer last saw (If-Match). */
  expectedVersion: number | null;
  /** The note's new fields (author and role of a new note come from the token). */
  note: Pick<NoteRecord, 'body' | 'anchor' | 'state' | 'replyTo' | 'author' | 'role'>;
  now: string;
  idempotency?: IdempotencyScope & { respond: (result: PutNoteResult) => StoredResponse };
}

export type PutNoteResult =
  { ok: true; created: boolean; note: NoteRecord } | { ok: false; reason: 'conflict'; current: NoteRecord | null } | { ok: false; reason: 'no_story' };

/** Review notes: a store that keeps them offers this (routes answer 501 where one does not). */
export interface NoteStore {
  getNote(storySlug: string, id: string): Promise<NoteRecord | null>;
  /** Writes a note in one transaction with its precondition and idempotent answer. */
  putNote(input: PutNoteInput): Promise<PutNoteResult>;
  /** A story's notes changed after `since`, oldest change first. */
  noteChanges(storySlug: string, since: number, limit: number): Promise<ChangePage<NoteRecord>>;
}

/** Which published stories a feed or sitemap lists. */
export interface PublishedFilter {
  beat?: string;
  /** Only stories published at or after this ISO time. */
  publishedSince?: string;
  /** Include each story's file (to render its body). */
  withText?: boolean;
}

export interface PublishedEntry extends PublicStorySummary {
  version: number;
  /** When the current version was written. */
  updatedAt: string;
  /** The story file of the current version, when asked for. */
  text?: string;
}

export interface PublishingStore {
  /** Review notes, where this store keeps them. */
  readonly notes?: NoteStore;

  // tokens
  createToken(name: string, role: Role, hash: Buffer): Promise<void>;
  listTokens(): Promise<TokenInfo[]>;
  revokeToken(name: string): Promise<boolean>;
  /** The token whose SHA-256 hash this is (compared in constant time), or null. */
  findToken(hash: Buffer): Promise<TokenInfo | null>;

  // catalog
  /** The current catalog, indexed; `version` changes whenever the catalog does. */
  catalog(): Promise<{ index: CatalogIndex; version: number }>;
  /** Seeds an empty store; false (and nothing written) when it already holds data. */
  seedCatalog(catalog: Catalog): Promise<boolean>;
  putEntity(entity: Entity, now: string): Promise<{ created: boolean; seq: number }>;
  catalogChanges(since: number, limit: number): Promise<ChangePage<CatalogChange>>;
  /**
   * The catalog's changes after `since` up to `upTo` (a version catalog() returned) from what the
   * store holds in memory, in feed order (a change may come again: applying it twice is harmless),
   * or null when it does not hold them all. For a store whose every read is a round trip.
   */
  recentCatalogChanges?(since: number, upTo: number): CatalogChange[] | null;

  // stories
  getStory(slug: string): Promise<StoredStory | null>;
  /**
   * A story's current version and status alone (what a cached public page needs to be checked), and
   * its publication date while published or withdrawn (null otherwise: what a PUT keeps when it
   * publishes again without a date).
   */
  getStoryState(slug: string): Promise<{ version: number; status: StoredStatus; published: string | null } | null>;
  getStoryVersion(slug: string, version: number): Promise<StoredStory | null>;
  putStory(input: PutStoryInput): Promise<PutStoryResult>;
  withdrawStory(slug: string, expectedVersion: number, author: string, now: string): Promise<PutStoryResult | { ok: false; reason: 'not_found' }>;
  storyChanges(since: number, limit: number): Promise<ChangePage<StoryListItem>>;
  countVersions(slug: string): Promise<number>;

  // public pages
  publishedStories(offset: number, limit: number, filter?: PublishedStoriesFilter): Promise<{ items: PublicStorySummary[]; total: number }>;
  /**
   * The newest published stories for feeds and sitemaps (newest publication first), with their
   * current version and its time; their story file too when `withText`.
   */
  publishedEntries(limit: number, filter?: PublishedFilter): Promise<PublishedEntry[]>;

  // idempotency
  /** Looks the key up and, when new, records it as in flight (in its own transaction). */
  beginIdempotent(scope: IdempotencyScope, fingerprint: string, now: string): Promise<IdempotencyBegin>;
  completeIdempotent(scope: IdempotencyScope, response: StoredResponse): Promise<void>;
  /** Forgets an in-flight key whose request failed without an answer worth replaying (a 5xx). */
  abandonIdempotent(scope: IdempotencyScope): Promise<void>;
  /** Removes finished keys older than `before` (ISO); returns how many. */
  sweepIdempotency(before: string): Promise<number>;
  /** At the start of the (single) server process: keys left in flight by a crash are forgotten. */
  releaseInFlight(): Promise<number>;

  close(): Promise<void>;
}

/** A published entry from its row's fields (the current version's, as JSON). */
export function publishedEntry(r: {
  slug: string;
  version: number;
  updated_at: string;
  published: string | null;
  fields: string;
  text?: string;
}): PublishedEntry {
  const f = JSON.parse(r.fields) as StoryFieldsRecord;
  return {
    slug: r.slug,
    title: f.title,
    ...(f.dek ? { dek: f.dek } : {}),
    beat: f.beat,
    published: r.published ?? '',
    version: r.version,
    updatedAt: r.updated_at,
    ...(r.text !== undefined ? { text: r.text } : {}),
  };
}

/** A change page from `limit + 1` rows read after `since` in change order (the extra row says there is more). */
export function changePage<R extends { seq: number }, T>(rows: readonly R[], limit: number, since: number, map: (row: R) => T): ChangePage<T> {
  const page = rows.slice(0, limit);
  return { items: page.map(map), cursor: String(page.length ? page[page.length - 1]!.seq : since), hasMore: rows.length > limit };
}

/** One string for an owner's key. Owner names cannot hold a NUL (token names are [A-Za-z0-9._@-]), so the pair is unambiguous. */
export function idempotencyKeyId(scope: IdempotencyScope): string {
  return `${scope.owner}\u0000${scope.key}`;
}

/** A note's row, as both stores keep it. */
export interface NoteRow {
  story_slug: string;
  id: string;
  version: number;
  author: string;
  role: Role;
  body: string;
  anchor: string | null;
  state: NoteRecord['state'];
  reply_to: string | null;
  created_at: string;
  updated_at: string;
  seq: number;
}

export function noteFromRow(r: NoteRow): NoteRecord {
  return {
    id: r.id,
    storySlug: r.story_slug,
    version: r.version,
    author: r.author,
    role: r.role,
    body: r.body,
    anchor: r.anchor ? (JSON.parse(r.anchor) as NoteRecord['anchor']) : null,
    state: r.state,
    replyTo: r.reply_to,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** A story's current (or asked-for) version joined with the story, as both stores read it. */
export interface StoryRow {
  slug: string;
  version: number;
  status: StoredStatus;
  created_at: string;
  updated_at: string;
  seq: number;
  fields: string;
  text: string;
}

export function storyFromRow(r: StoryRow): StoredStory {
  return {
    slug: r.slug,
    version: r.version,
    status: r.status,
    story: JSON.parse(r.fields) as StoryFieldsRecord,
    text: r.text,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    seq: r.seq,
  };
}

/**
 * A note write decided from the note as stored: refused when the expected version does not match
 * (null expects no note yet), else the next record, keeping who wrote it and when it began.
 */
export function nextNote(input: PutNoteInput, current: NoteRecord | null): { conflict: true } | { conflict: false; note: NoteRecord } {
  if (input.expectedVersion === null ? current !== null : current?.version !== input.expectedVersion) return { conflict: true };
  const n = input.note;
  return {
    conflict: false,
    note: {
      id: input.id,
      storySlug: input.storySlug,
      version: (current?.version ?? 0) + 1,
      author: current?.author ?? n.author,
      role: current?.role ?? n.role,
      body: n.body,
      anchor: n.anchor,
      state: n.state,
      replyTo: n.replyTo,
      createdAt: current?.createdAt ?? input.now,
      updatedAt: input.now,
    },
  };
}
