/**
 * The PostgreSQL implementation of PublishingStore (the `postgres` client), for several server
 * instances sharing one database. What SQLite gets from being one process, this gets from the
 * database:
 *
 * - Change cursors never skip. Every write takes the next change number from one counter row with
 *   `UPDATE … RETURNING`, which row-locks it until the transaction ends: writers therefore commit in
 *   change-number order, and a reader that has seen number N has seen every number below it. (A
 *   sequence would hand numbers out in order but let them commit out of order.) The lock is the
 *   first statement of a write, so it also serialises the precondition checks, as SQLite's
 *   BEGIN IMMEDIATE does; the rest of the write is pipelined to keep the lock short.
 * - Idempotency keys in flight are rows (state `in_flight`) that every instance sees, claimed by an
 *   INSERT that exactly one instance wins; a crashed instance's claims are void at once (each
 *   instance holds an advisory lock while it lives), and a lease is the backstop.
 * - The catalog is cached per instance and brought up to date from the change feed whenever the
 *   database's catalog version moved (one indexed MAX per call), so another instance's write is
 *   seen at the next request.
 * - Migrations run in one transaction under an advisory lock: instances starting together migrate
 *   once; a database of a newer schema is refused.
 */
import { randomInt, timingSafeEqual } from 'node:crypto';
import postgres from 'postgres';
import type { Catalog, CatalogIndex, CatalogStory, Entity } from '../../shared/index.js';
import { CatalogReplica } from './live-catalog.js';
import {
  changePage, idempotencyKeyId, noteFromRow, publishedEntry, type NoteRow, type CatalogChange, type CatalogKind, type ChangePage,
  type IdempotencyBegin, type IdempotencyScope, type NoteRecord, type NoteStore, type PublicStorySummary, type PublishedEntry,
  type PublishedFilter, type PublishingStore, type PutNoteInput, type PutNoteResult,
  type PutStoryInput, type PutStoryResult, type Role, type StoredResponse, type StoredStatus, type StoredStory, type StoryFieldsRecord,
  type StoryListItem, type TokenInfo,
} from './store.js';

const MIGRATIONS: string[] = [
  // 1: the first schema (the SQLite store's, in PostgreSQL's types)
  `
  CREATE TABLE counters (name TEXT PRIMARY KEY, value BIGINT NOT NULL);
  INSERT INTO counters (name, value) VALUES ('change', 0);
  CREATE TABLE tokens (
    name TEXT PRIMARY KEY, role TEXT NOT NULL CHECK (role IN ('writer','editor','publisher')),
    hash BYTEA NOT NULL UNIQUE, created_at TEXT NOT NULL
  );
  CREATE TABLE catalog_items (
    kind TEXT NOT NULL CHECK (kind IN ('entity','beat','story')), slug TEXT NOT NULL,
    data TEXT NOT NULL, deleted BOOLEAN NOT NULL DEFAULT FALSE, seq BIGINT NOT NULL,
    PRIMARY KEY (kind, slug)
  );
  CREATE INDEX catalog_items_seq ON catalog_items (seq);
  CREATE TABLE stories (
    slug TEXT PRIMARY KEY, version INTEGER NOT NULL, status TEXT NOT NULL, title TEXT NOT NULL,
    beat TEXT NOT NULL, published TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL, seq BIGINT NOT NULL
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
    status INTEGER, headers TEXT, body TEXT, created_at TEXT NOT NULL,
    instance INTEGER, lease_until TIMESTAMPTZ, PRIMARY KEY (owner, key)
  );
  CREATE INDEX idempotency_created ON idempotency (created_at);
  `,
  // 2: review notes (as the SQLite store's migration 2)
  `
  CREATE TABLE notes (
    story_slug TEXT NOT NULL, id TEXT NOT NULL, version INTEGER NOT NULL, author TEXT NOT NULL, role TEXT NOT NULL,
    body TEXT NOT NULL, anchor TEXT, state TEXT NOT NULL CHECK (state IN ('open','resolved')), reply_to TEXT,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, seq BIGINT NOT NULL, PRIMARY KEY (story_slug, id)
  );
  CREATE INDEX notes_seq ON notes (story_slug, seq);
  `,
];

/** The advisory lock migrations run under (any constant: it names this application's migrations). */
const MIGRATION_LOCK = 7_312_004_117;
/**
 * The advisory-lock space of the instances' liveness locks: each instance holds (this, its id) on a
 * connection of its own for as long as it lives, and PostgreSQL drops the lock the moment that
 * connection goes (a kill -9 closes it), so other instances know at once that its claims are void.
 */
const LIVENESS_LOCKS = 7_312_004;
/** The backstop for a claim whose instance looks alive but never finishes (its lock connection lost). */
const LEASE_SECONDS = 600;
/** A claim is void when its lease ran out or its instance no longer holds its liveness lock. */
const CLAIM_VOID = `(idempotency.lease_until < now() OR NOT EXISTS (SELECT 1 FROM pg_locks l WHERE l.locktype = 'advisory'
  AND l.classid = ${LIVENESS_LOCKS}::oid AND l.objid = idempotency.instance::oid AND l.objsubid = 2 AND l.granted))`;

export interface PgStoreOptions {
  /** Connections in this instance's pool (default 10). */
  poolSize?: number;
}

type Sql = postgres.Sql<Record<string, never>>;
type Tx = postgres.TransactionSql<Record<string, never>>;

/** Whether a `--db` value names a PostgreSQL database rather than a SQLite file. */
export function isPostgresUrl(value: string): boolean {
  return /^postgres(?:ql)?:\/\//i.test(value);
}

/** A database URL fit for a message: the password, if any, replaced. */
export function redactUrl(url: string): string {
  return url.replace(/^(postgres(?:ql)?:\/\/[^:/@]*):[^@/]*@/i, '$1:***@');
}

export class PgStore implements PublishingStore, NoteStore {
  readonly sql: Sql;
  readonly notes: NoteStore = this;
  private catalogCache: { replica: CatalogReplica; version: number } | null = null;
  /** The refresh of the cached catalog under way: one at a time, so changes apply in order. */
  private refreshing: Promise<void> | null = null;
  /** Keys this instance claimed and has not finished: their fingerprint and first time. */
  private readonly claimed = new Map<string, { fingerprint: string; createdAt: string }>();

  private constructor(sql: Sql, private readonly liveness: Sql, readonly instance: number) {
    this.sql = sql;
  }

  /** Connects and migrates (once across instances); refuses a database of a newer schema. */
  static async open(url: string, options: PgStoreOptions = {}): Promise<PgStore> {
    const sql = postgres(url, {
      max: options.poolSize ?? 10,
      onnotice: () => undefined,
      connect_timeout: 10,
      // Change numbers and counts are BIGINT: as numbers (2^53 is far away), not strings.
      types: { bigint: { to: 20, from: [20], serialize: (x: number) => String(x), parse: (x: string) => Number(x) } },
      connection: { application_name: 'studio-server' },
    }) as unknown as Sql;
    const liveness = postgres(url, { max: 1, onnotice: () => undefined, connect_timeout: 10, connection: { application_name: 'studio-server liveness' } }) as unknown as Sql;
    try {
      await migrate(sql);
      // An id no live instance holds: the lock is taken with try, and a taken id is drawn again.
      for (;;) {
        const id = randomInt(1, 2 ** 31 - 1);
        const [{ ok }] = (await liveness<{ ok: boolean }[]>`SELECT pg_try_advisory_lock(${LIVENESS_LOCKS}::int, ${id}::int) AS ok`) as unknown as [{ ok: boolean }];
        if (ok) return new PgStore(sql, liveness, id);
      }
    } catch (e) {
      await Promise.all([sql.end({ timeout: 1 }), liveness.end({ timeout: 1 })]);
      throw e;
    }
  }

  // ---- tokens

  async createToken(name: string, role: Role, hash: Buffer): Promise<void> {
    const rows = await this.sql`INSERT INTO tokens (name, role, hash, created_at) VALUES (${name}, ${role}, ${hash}, ${new Date().toISOString()})
                                ON CONFLICT (name) DO NOTHING RETURNING name`;
    if (rows.length === 0) throw new Error(`a token named "${name}" exists already`);
  }

  async listTokens(): Promise<TokenInfo[]> {
    const rows = await this.sql<{ name: string; role: Role; created_at: string }[]>`SELECT name, role, created_at FROM tokens ORDER BY name`;
    return rows.map((r) => ({ name: r.name, role: r.role, createdAt: r.created_at }));
  }

  async revokeToken(name: string): Promise<boolean> {
    return (await this.sql`DELETE FROM tokens WHERE name = ${name}`).count > 0;
  }

  async findToken(hash: Buffer): Promise<TokenInfo | null> {
    // Read on every request, never cached: a revocation on any instance holds everywhere at once.
    const [row] = await this.sql<{ name: string; role: Role; hash: Buffer; created_at: string }[]>`
      SELECT name, role, hash, created_at FROM tokens WHERE hash = ${hash}`;
    if (!row || row.hash.length !== hash.length || !timingSafeEqual(row.hash, hash)) return null;
    return { name: row.name, role: row.role, createdAt: row.created_at };
  }

  // ---- catalog

  async catalog(): Promise<{ index: CatalogIndex; version: number }> {
    const [{ v }] = (await this.sql<{ v: number }[]>`SELECT COALESCE(MAX(seq), 0)::bigint AS v FROM catalog_items`) as unknown as [{ v: number }];
    while (!this.catalogCache || this.catalogCache.version < v) {
      this.refreshing ??= this.refreshCatalog().finally(() => (this.refreshing = null));
      await this.refreshing;
    }
    return { index: this.catalogCache.replica.index, version: this.catalogCache.version };
  }

  /** Applies the catalog's changes since the cached version (all of it the first time), in order. */
  private async refreshCatalog(): Promise<void> {
    const cache = this.catalogCache ?? { replica: new CatalogReplica(), version: 0 };
    for (;;) {
      const page = await this.catalogChanges(cache.version, 5000);
      cache.replica.apply(page.items);
      cache.version = Number(page.cursor);
      if (!page.hasMore) break;
    }
    this.catalogCache = cache;
  }

  async seedCatalog(catalog: Catalog): Promise<boolean> {
    return this.sql.begin(async (tx) => {
      await lockCounter(tx, 0);
      const [{ n }] = (await tx<{ n: number }[]>`SELECT (SELECT COUNT(*) FROM catalog_items) + (SELECT COUNT(*) FROM stories) AS n`) as unknown as [{ n: number }];
      if (n > 0) return false;
      const items = [
        ...catalog.entities.map((e) => ['entity', e.slug, JSON.stringify(e)] as const),
        ...catalog.beats.map((b) => ['beat', b.slug, JSON.stringify(b)] as const),
        ...catalog.stories.map((s) => ['story', s.slug, JSON.stringify(s)] as const),
      ];
      if (items.length === 0) return true;
      const [{ last }] = (await tx<{ last: number }[]>`UPDATE counters SET value = value + ${items.length} WHERE name = 'change' RETURNING value AS last`) as unknown as [{ last: number }];
      const first = last - items.length + 1;
      await tx`INSERT INTO catalog_items (kind, slug, data, deleted, seq)
               SELECT k, s, d, FALSE, ${first}::bigint + o - 1
               FROM unnest(${items.map((i) => i[0])}::text[], ${items.map((i) => i[1])}::text[], ${items.map((i) => i[2])}::text[]) WITH ORDINALITY AS t(k, s, d, o)`;
      return true;
    }) as Promise<boolean>;
  }

  async putEntity(entity: Entity, _now: string): Promise<{ created: boolean; seq: number }> {
    return this.sql.begin(async (tx) => {
      const seq = await lockCounter(tx);
      const [row] = await tx<{ created: boolean }[]>`
        WITH old AS (SELECT deleted FROM catalog_items WHERE kind = 'entity' AND slug = ${entity.slug})
        INSERT INTO catalog_items (kind, slug, data, deleted, seq) VALUES ('entity', ${entity.slug}, ${JSON.stringify(entity)}, FALSE, ${seq})
        ON CONFLICT (kind, slug) DO UPDATE SET data = excluded.data, deleted = FALSE, seq = excluded.seq
        RETURNING COALESCE((SELECT deleted FROM old), TRUE) AS created`;
      return { created: row!.created, seq };
    }) as Promise<{ created: boolean; seq: number }>;
  }

  async catalogChanges(since: number, limit: number): Promise<ChangePage<CatalogChange>> {
    const rows = await this.sql<{ kind: CatalogKind; slug: string; data: string; deleted: boolean; seq: number }[]>`
      SELECT kind, slug, data, deleted, seq FROM catalog_items WHERE seq > ${since} ORDER BY seq LIMIT ${limit + 1}`;
    return changePage(rows, limit, since, (r) => ({ kind: r.kind, slug: r.slug, deleted: r.deleted, data: JSON.parse(r.data) }));
  }

  // ---- stories

  private async storyRow(db: Sql | Tx, slug: string, version?: number): Promise<StoredStory | null> {
    const rows =
      version === undefined
        ? await db<StoryRow[]>`SELECT s.slug, s.version, s.status, s.created_at, s.updated_at, s.seq, v.fields, v.text
                               FROM stories s JOIN story_versions v ON v.slug = s.slug AND v.version = s.version WHERE s.slug = ${slug}`
        : await db<StoryRow[]>`SELECT v.slug, v.version, v.status, s.created_at, v.created_at AS updated_at, s.seq, v.fields, v.text
                               FROM story_versions v JOIN stories s ON s.slug = v.slug WHERE v.slug = ${slug} AND v.version = ${version}`;
    const row = rows[0];
    if (!row) return null;
    return {
      slug: row.slug, version: row.version, status: row.status, story: JSON.parse(row.fields) as StoryFieldsRecord, text: row.text,
      createdAt: row.created_at, updatedAt: row.updated_at, seq: row.seq,
    };
  }

  async getStory(slug: string): Promise<StoredStory | null> {
    return this.storyRow(this.sql, slug);
  }

  async getStoryState(slug: string): Promise<{ version: number; status: StoredStatus; published: string | null } | null> {
    const [row] = await this.sql<{ version: number; status: StoredStatus; published: string | null }[]>`
      SELECT version, status, published FROM stories WHERE slug = ${slug}`;
    return row ? { version: row.version, status: row.status, published: row.published } : null;
  }

  async getStoryVersion(slug: string, version: number): Promise<StoredStory | null> {
    return this.storyRow(this.sql, slug, version);
  }

  async countVersions(slug: string): Promise<number> {
    const [{ n }] = (await this.sql<{ n: number }[]>`SELECT COUNT(*) AS n FROM story_versions WHERE slug = ${slug}`) as unknown as [{ n: number }];
    return n;
  }

  /** Writes a new version inside the caller's transaction, which holds the counter (`seq`). */
  private writeVersion(
    tx: Tx, seq: number, slug: string, currentVersion: number | null, story: StoryFieldsRecord, text: string,
    refs: { kind: string; slug: string }[] | null, author: string, now: string,
  ): { result: PutStoryResult & { ok: true }; writes: Promise<unknown>[] } {
    const version = currentVersion === null ? 1 : currentVersion + 1;
    const published = story.status === 'published' || story.status === 'withdrawn' ? (story.published ?? null) : null;
    // Issued together without awaiting each: postgres.js pipelines them on the transaction's connection.
    const writes: Promise<unknown>[] = [
      tx`INSERT INTO stories (slug, version, status, title, beat, published, created_at, updated_at, seq)
         VALUES (${slug}, ${version}, ${story.status}, ${story.title}, ${story.beat}, ${published}, ${now}, ${now}, ${seq})
         ON CONFLICT (slug) DO UPDATE SET version = excluded.version, status = excluded.status, title = excluded.title,
           beat = excluded.beat, published = excluded.published, updated_at = excluded.updated_at, seq = excluded.seq`,
      tx`INSERT INTO story_versions (slug, version, status, fields, text, author, created_at)
         VALUES (${slug}, ${version}, ${story.status}, ${JSON.stringify(story)}, ${text}, ${author}, ${now})`,
    ];
    if (refs) {
      writes.push(tx`DELETE FROM story_refs WHERE slug = ${slug}`);
      if (refs.length) {
        writes.push(tx`INSERT INTO story_refs (slug, kind, ref) SELECT ${slug}, k, r FROM unnest(${refs.map((r) => r.kind)}::text[], ${refs.map((r) => r.slug)}::text[]) AS t(k, r)
                       ON CONFLICT DO NOTHING`);
      }
    }
    // The catalog lists published stories: a story leaving "published" leaves a tombstone.
    if (story.status === 'published') {
      const data: CatalogStory = { slug, title: story.title, beat: story.beat, ...(story.published ? { published: story.published } : {}) };
      writes.push(tx`INSERT INTO catalog_items (kind, slug, data, deleted, seq) VALUES ('story', ${slug}, ${JSON.stringify(data)}, FALSE, ${seq})
                     ON CONFLICT (kind, slug) DO UPDATE SET data = excluded.data, deleted = FALSE, seq = excluded.seq`);
    } else {
      writes.push(tx`UPDATE catalog_items SET deleted = TRUE, data = ${JSON.stringify({ slug })}, seq = ${seq}
                     WHERE kind = 'story' AND slug = ${slug} AND NOT deleted`);
    }
    return { result: { ok: true, created: currentVersion === null, version, status: story.status, updatedAt: now }, writes };
  }

  async putStory(input: PutStoryInput): Promise<PutStoryResult> {
    const result = (await this.sql.begin(async (tx) => {
      // The counter's lock first: it orders this write among all instances' (see the header).
      const [seq, rows] = await Promise.all([
        lockCounter(tx),
        tx<{ version: number }[]>`SELECT version FROM stories WHERE slug = ${input.slug}`,
      ]);
      const current = rows[0]?.version ?? null;
      const matches = input.expectedVersion === null ? current === null : current === input.expectedVersion;
      let result: PutStoryResult;
      const writes: Promise<unknown>[] = [];
      if (matches) {
        const written = this.writeVersion(tx, seq, input.slug, current, input.story, input.text, input.refs, input.author, input.now);
        result = written.result;
        writes.push(...written.writes);
      } else result = { ok: false, reason: 'conflict', current: await this.storyRow(tx, input.slug) };
      if (input.idempotency) writes.push(this.finishKey(tx, input.idempotency, input.idempotency.respond(result)));
      await Promise.all(writes);
      return result;
    })) as PutStoryResult;
    if (input.idempotency) this.claimed.delete(idempotencyKeyId(input.idempotency));
    return result;
  }

  async withdrawStory(slug: string, expectedVersion: number, author: string, now: string): Promise<PutStoryResult | { ok: false; reason: 'not_found' }> {
    return (await this.sql.begin(async (tx) => {
      const seq = await lockCounter(tx);
      const current = await this.storyRow(tx, slug);
      if (!current) return { ok: false, reason: 'not_found' };
      if (current.version !== expectedVersion) return { ok: false, reason: 'conflict', current };
      const written = this.writeVersion(tx, seq, slug, current.version, { ...current.story, status: 'withdrawn' }, current.text, null, author, now);
      await Promise.all(written.writes);
      return written.result;
    })) as PutStoryResult | { ok: false; reason: 'not_found' };
  }

  async storyChanges(since: number, limit: number): Promise<ChangePage<StoryListItem>> {
    const rows = await this.sql<{ slug: string; version: number; status: StoredStatus; updated_at: string; seq: number }[]>`
      SELECT slug, version, status, updated_at, seq FROM stories WHERE seq > ${since} ORDER BY seq LIMIT ${limit + 1}`;
    return changePage(rows, limit, since, (r) => ({ slug: r.slug, version: r.version, status: r.status, updatedAt: r.updated_at, seq: r.seq }));
  }

  async publishedStories(offset: number, limit: number, filter: { beat?: string; entity?: string } = {}): Promise<{ items: PublicStorySummary[]; total: number }> {
    const sql = this.sql;
    const from = sql`FROM stories s JOIN story_versions v ON v.slug = s.slug AND v.version = s.version
      ${filter.entity !== undefined ? sql`JOIN story_refs r ON r.slug = s.slug AND r.kind = 'entity' AND r.ref = ${filter.entity}` : sql``}
      WHERE s.status = 'published' ${filter.beat !== undefined ? sql`AND s.beat = ${filter.beat}` : sql``}`;
    const [[{ n }], rows] = (await Promise.all([
      sql<{ n: number }[]>`SELECT COUNT(*) AS n ${from}`,
      sql<{ slug: string; fields: string; published: string | null }[]>`SELECT s.slug, v.fields, s.published ${from} ORDER BY s.published DESC, s.seq DESC LIMIT ${limit} OFFSET ${offset}`,
    ])) as unknown as [[{ n: number }], { slug: string; fields: string; published: string | null }[]];
    const items = rows.map((r) => {
      const f = JSON.parse(r.fields) as StoryFieldsRecord;
      return { slug: r.slug, title: f.title, ...(f.dek ? { dek: f.dek } : {}), beat: f.beat, published: r.published ?? '' };
    });
    return { items, total: n };
  }

  async publishedEntries(limit: number, filter: PublishedFilter = {}): Promise<PublishedEntry[]> {
    const sql = this.sql;
    const rows = await sql<Parameters<typeof publishedEntry>[0][]>`
      SELECT s.slug, s.version, s.updated_at, s.published, v.fields ${filter.withText ? sql`, v.text` : sql``}
      FROM stories s JOIN story_versions v ON v.slug = s.slug AND v.version = s.version
      WHERE s.status = 'published' ${filter.beat !== undefined ? sql`AND s.beat = ${filter.beat}` : sql``}
        ${filter.publishedSince !== undefined ? sql`AND s.published >= ${filter.publishedSince}` : sql``}
      ORDER BY s.published DESC, s.seq DESC LIMIT ${limit}`;
    return rows.map(publishedEntry);
  }

  // ---- idempotency

  async beginIdempotent(scope: IdempotencyScope, fingerprint: string, now: string): Promise<IdempotencyBegin> {
    // One INSERT claims the key for this instance; on another instance the same INSERT finds the row.
    // A void claim (its instance died) is taken over.
    const claimed = await this.sql`
      INSERT INTO idempotency (owner, key, fingerprint, state, created_at, instance, lease_until)
      VALUES (${scope.owner}, ${scope.key}, ${fingerprint}, 'in_flight', ${now}, ${this.instance}, now() + make_interval(secs => ${LEASE_SECONDS}))
      ON CONFLICT (owner, key) DO UPDATE SET fingerprint = excluded.fingerprint, created_at = excluded.created_at,
        instance = excluded.instance, lease_until = excluded.lease_until
        WHERE idempotency.state = 'in_flight' AND ${this.sql.unsafe(CLAIM_VOID)}
      RETURNING 1`;
    if (claimed.length > 0) {
      this.claimed.set(idempotencyKeyId(scope), { fingerprint, createdAt: now });
      return { state: 'new' };
    }
    const [row] = await this.sql<{ fingerprint: string; state: string; status: number | null; headers: string | null; body: string | null }[]>`
      SELECT fingerprint, state, status, headers, body FROM idempotency WHERE owner = ${scope.owner} AND key = ${scope.key}`;
    // Swept or abandoned between the two statements: the key is free again.
    if (!row) return this.beginIdempotent(scope, fingerprint, now);
    if (row.fingerprint !== fingerprint) return { state: 'reused' };
    if (row.state === 'in_flight') return { state: 'in_flight' };
    return { state: 'done', response: { status: row.status!, headers: JSON.parse(row.headers ?? '{}'), body: row.body ?? '' } };
  }

  /** Writes a key's answer inside the caller's transaction. */
  private finishKey(db: Sql | Tx, scope: IdempotencyScope, response: StoredResponse): Promise<unknown> {
    const mine = this.claimed.get(idempotencyKeyId(scope));
    if (!mine) throw new Error('an idempotency key was completed without being begun');
    return db`INSERT INTO idempotency (owner, key, fingerprint, state, status, headers, body, created_at, lease_until)
              VALUES (${scope.owner}, ${scope.key}, ${mine.fingerprint}, 'done', ${response.status}, ${JSON.stringify(response.headers)}, ${response.body}, ${mine.createdAt}, NULL)
              ON CONFLICT (owner, key) DO UPDATE SET fingerprint = excluded.fingerprint, state = 'done', status = excluded.status,
                headers = excluded.headers, body = excluded.body, created_at = excluded.created_at, lease_until = NULL`;
  }

  async completeIdempotent(scope: IdempotencyScope, response: StoredResponse): Promise<void> {
    await this.finishKey(this.sql, scope, response);
    this.claimed.delete(idempotencyKeyId(scope));
  }

  async abandonIdempotent(scope: IdempotencyScope): Promise<void> {
    this.claimed.delete(idempotencyKeyId(scope));
    await this.sql`DELETE FROM idempotency WHERE owner = ${scope.owner} AND key = ${scope.key} AND state = 'in_flight'`;
  }

  async sweepIdempotency(before: string): Promise<number> {
    // Each row is deleted by exactly one instance's DELETE, however many sweep at once.
    return (await this.sql`DELETE FROM idempotency WHERE state = 'done' AND created_at < ${before}`).count;
  }

  async releaseInFlight(): Promise<number> {
    // Other instances may be serving: only the claims of dead instances are void.
    this.claimed.clear();
    return (await this.sql`DELETE FROM idempotency WHERE state = 'in_flight' AND ${this.sql.unsafe(CLAIM_VOID)}`).count;
  }

  // ---- review notes

  private async noteRow(db: Sql | Tx, storySlug: string, id: string): Promise<NoteRecord | null> {
    const [r] = await db<NoteRow[]>`SELECT * FROM notes WHERE story_slug = ${storySlug} AND id = ${id}`;
    return r ? noteFromRow(r) : null;
  }

  async getNote(storySlug: string, id: string): Promise<NoteRecord | null> {
    return this.noteRow(this.sql, storySlug, id);
  }

  async putNote(input: PutNoteInput): Promise<PutNoteResult> {
    const result = (await this.sql.begin(async (tx) => {
      // The counter's lock first, as for stories: it orders this change among every instance's.
      const [seq, story, current] = await Promise.all([
        lockCounter(tx),
        tx`SELECT 1 FROM stories WHERE slug = ${input.storySlug}`,
        this.noteRow(tx, input.storySlug, input.id),
      ]);
      let result: PutNoteResult;
      if (story.length === 0) result = { ok: false, reason: 'no_story' };
      else if (input.expectedVersion === null ? current !== null : current?.version !== input.expectedVersion) {
        result = { ok: false, reason: 'conflict', current };
      } else {
        const n = input.note;
        const note: NoteRecord = {
          id: input.id, storySlug: input.storySlug, version: (current?.version ?? 0) + 1,
          author: current?.author ?? n.author, role: current?.role ?? n.role, body: n.body, anchor: n.anchor, state: n.state,
          replyTo: n.replyTo, createdAt: current?.createdAt ?? input.now, updatedAt: input.now,
        };
        await tx`INSERT INTO notes (story_slug, id, version, author, role, body, anchor, state, reply_to, created_at, updated_at, seq)
                 VALUES (${note.storySlug}, ${note.id}, ${note.version}, ${note.author}, ${note.role}, ${note.body},
                   ${note.anchor ? JSON.stringify(note.anchor) : null}, ${note.state}, ${note.replyTo}, ${note.createdAt}, ${note.updatedAt}, ${seq})
                 ON CONFLICT (story_slug, id) DO UPDATE SET version = excluded.version, body = excluded.body, anchor = excluded.anchor,
                   state = excluded.state, updated_at = excluded.updated_at, seq = excluded.seq`;
        result = { ok: true, created: current === null, note };
      }
      if (input.idempotency) await this.finishKey(tx, input.idempotency, input.idempotency.respond(result));
      return result;
    })) as PutNoteResult;
    if (input.idempotency) this.claimed.delete(idempotencyKeyId(input.idempotency));
    return result;
  }

  async noteChanges(storySlug: string, since: number, limit: number): Promise<ChangePage<NoteRecord>> {
    const rows = await this.sql<NoteRow[]>`SELECT * FROM notes WHERE story_slug = ${storySlug} AND seq > ${since} ORDER BY seq LIMIT ${limit + 1}`;
    return changePage(rows, limit, since, noteFromRow);
  }

  async close(): Promise<void> {
    await this.sql.end({ timeout: 5 });
    await this.liveness.end({ timeout: 5 });
  }
}


interface StoryRow {
  slug: string;
  version: number;
  status: StoredStatus;
  created_at: string;
  updated_at: string;
  seq: number;
  fields: string;
  text: string;
}

/** Takes `count` change numbers (the last one returned), holding the counter's row lock to commit. */
async function lockCounter(tx: Tx, count = 1): Promise<number> {
  const [row] = await tx<{ value: number }[]>`UPDATE counters SET value = value + ${count} WHERE name = 'change' RETURNING value`;
  return row!.value;
}

async function migrate(sql: Sql): Promise<void> {
  await sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`;
    await tx`CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`;
    const [{ v }] = (await tx<{ v: number }[]>`SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations`) as unknown as [{ v: number }];
    if (v > MIGRATIONS.length) throw new Error(`the database schema is version ${v}, newer than this server knows (${MIGRATIONS.length})`);
    for (let next = v; next < MIGRATIONS.length; next++) {
      await tx.unsafe(MIGRATIONS[next]!);
      await tx`INSERT INTO schema_migrations (version) VALUES (${next + 1})`;
    }
  });
}


export const PG_SCHEMA_VERSION = MIGRATIONS.length;
