/**
 * The SQLite implementation of PublishingStore (better-sqlite3): WAL, every acknowledged write on
 * disk by default (group commit, wal-sync.ts), schema migrations by `PRAGMA user_version`, every
 * write in a BEGIN IMMEDIATE transaction so that concurrent requests serialise. better-sqlite3 is
 * synchronous: each transaction runs to completion without yielding, so it never interleaves with
 * another request's.
 *
 * One server process owns the file (the CLI's token commands may share it briefly): idempotency
 * keys in flight are therefore kept in this process's memory, and a crash forgets them as it should.
 */
import Database from 'better-sqlite3';
import { timingSafeEqual } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Catalog, CatalogIndex, CatalogStory, Entity } from '../../shared/index.js';
import { memoize } from '../../shared/index.js';
import { LiveCatalogIndex } from './live-catalog.js';
import { notesSchema, SQLITE, storySchema } from './schema.js';
import { WalSync } from './wal-sync.js';
import { changePage, STORY_CHANGES_COLUMNS, storyListItem, idempotencyKeyId, noteFromRow, nextNote, storyFromRow, publishedEntry } from './store.js';
// The store's types, by one name: both stores use nearly all of them.
import type * as S from './store.js';

const MIGRATIONS: string[] = [storySchema(SQLITE), notesSchema(SQLITE)];

export interface SqliteStoreOptions {
  /**
   * FULL (default): a write is acknowledged once it is on disk, so it survives power loss too (as
   * SQLite's FULL, but with one WAL sync per batch of writes, off the event loop). NORMAL: once it is
   * in the operating system's hands, which survives the process being killed but not power loss.
   */
  synchronous?: 'NORMAL' | 'FULL';
}

/** What a story write changed in the catalog's stories: published (the item), or no longer (null). */
interface CatalogStoryChange {
  slug: string;
  story: CatalogStory | null;
  seq: number;
}

export class SqliteStore implements S.PublishingStore, S.NoteStore {
  readonly db: Database.Database;
  readonly notes: S.NoteStore = this;
  /** The live catalog and its version (the change number of its latest change); null: read it again. */
  private catalogCache: { index: LiveCatalogIndex; version: number } | null = null;
  /** Keys whose first request is still running, by owner and key (see the header comment). */
  private readonly inFlight = new Map<string, { fingerprint: string; createdAt: string }>();
  /** Group commit of the WAL (FULL); null for NORMAL and in-memory databases. */
  private readonly walSync: WalSync | null;

  constructor(file: string, options: SqliteStoreOptions = {}) {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    // SQLite's own FULL would fsync on the event loop at every commit; WalSync does it in batches.
    this.db.pragma('synchronous = NORMAL');
    this.walSync = (options.synchronous ?? 'FULL') === 'FULL' && file !== ':memory:' ? new WalSync(`${file}-wal`) : null;
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
    this.migrate();
  }

  private migrate(): void {
    const current = this.db.pragma('user_version', { simple: true }) as number;
    if (current > MIGRATIONS.length) {
      throw new Error(`the database schema is version ${current}, newer than this server knows (${MIGRATIONS.length})`);
    }
    for (let v = current; v < MIGRATIONS.length; v++) {
      this.db
        .transaction(() => {
          this.db.exec(MIGRATIONS[v]!);
          this.db.pragma(`user_version = ${v + 1}`);
        })
        .immediate();
    }
  }

  /** A prepared statement, prepared once: preparing costs more than running most of these. */
  private readonly sql = memoize((source: string): Database.Statement => this.db.prepare(source));

  /** Resolves once every commit so far is on disk: awaited before a write is acknowledged. */
  private durable(): Promise<void> {
    return this.walSync ? this.walSync.sync() : Promise.resolve();
  }

  private nextSeq(): number {
    const row = this.sql(`UPDATE counters SET value = value + 1 WHERE name = 'change' RETURNING value`).get() as { value: number };
    return row.value;
  }

  // ---- tokens

  async createToken(name: string, role: S.Role, hash: Buffer): Promise<void> {
    this.db
      .transaction(() => {
        const exists = this.sql('SELECT 1 FROM tokens WHERE name = ?').get(name);
        if (exists) throw new Error(`a token named "${name}" exists already`);
        this.sql('INSERT INTO tokens (name, role, hash, created_at) VALUES (?, ?, ?, ?)').run(name, role, hash, new Date().toISOString());
      })
      .immediate();
    await this.durable();
  }

  async listTokens(): Promise<S.TokenInfo[]> {
    const rows = this.sql('SELECT name, role, created_at FROM tokens ORDER BY name').all() as { name: string; role: S.Role; created_at: string }[];
    return rows.map((r) => ({ name: r.name, role: r.role, createdAt: r.created_at }));
  }

  async revokeToken(name: string): Promise<boolean> {
    const revoked = this.db.transaction(() => this.sql('DELETE FROM tokens WHERE name = ?').run(name).changes > 0).immediate();
    await this.durable();
    return revoked;
  }

  async findToken(hash: Buffer): Promise<S.TokenInfo | null> {
    const row = this.sql('SELECT name, role, hash, created_at FROM tokens WHERE hash = ?').get(hash) as
      { name: string; role: S.Role; hash: Buffer; created_at: string } | undefined;
    if (!row || row.hash.length !== hash.length || !timingSafeEqual(row.hash, hash)) return null;
    return { name: row.name, role: row.role, createdAt: row.created_at };
  }

  // ---- catalog

  async catalog(): Promise<{ index: CatalogIndex; version: number }> {
    if (!this.catalogCache) {
      const rows = this.sql('SELECT kind, data FROM catalog_items WHERE deleted = 0 ORDER BY seq').all() as { kind: S.CatalogKind; data: string }[];
      const catalog: Catalog = { entities: [], beats: [], stories: [] };
      for (const r of rows) {
        const data = JSON.parse(r.data);
        if (r.kind === 'entity') catalog.entities.push(data);
        else if (r.kind === 'beat') catalog.beats.push(data);
        else catalog.stories.push(data);
      }
      const version = (this.sql('SELECT COALESCE(MAX(seq), 0) AS v FROM catalog_items').get() as { v: number }).v;
      this.catalogCache = { index: new LiveCatalogIndex(catalog), version };
    }
    return this.catalogCache;
  }

  async seedCatalog(catalog: Catalog): Promise<boolean> {
    const done = this.db
      .transaction(() => {
        const any = this.sql('SELECT (SELECT COUNT(*) FROM catalog_items) + (SELECT COUNT(*) FROM stories) AS n').get() as { n: number };
        if (any.n > 0) return false;
        const insert = this.sql('INSERT INTO catalog_items (kind, slug, data, deleted, seq) VALUES (?, ?, ?, 0, ?)');
        for (const e of catalog.entities) insert.run('entity', e.slug, JSON.stringify(e), this.nextSeq());
        for (const b of catalog.beats) insert.run('beat', b.slug, JSON.stringify(b), this.nextSeq());
        for (const s of catalog.stories) insert.run('story', s.slug, JSON.stringify(s), this.nextSeq());
        return true;
      })
      .immediate();
    if (done) this.catalogCache = null;
    await this.durable();
    return done;
  }

  async putEntity(entity: Entity, _now: string): Promise<{ created: boolean; seq: number }> {
    const result = this.db
      .transaction(() => {
        const old = this.sql(`SELECT deleted FROM catalog_items WHERE kind = 'entity' AND slug = ?`).get(entity.slug) as { deleted: number } | undefined;
        const seq = this.nextSeq();
        this.sql(
          `INSERT INTO catalog_items (kind, slug, data, deleted, seq) VALUES ('entity', ?, ?, 0, ?)
                  ON CONFLICT (kind, slug) DO UPDATE SET data = excluded.data, deleted = 0, seq = excluded.seq`,
        ).run(entity.slug, JSON.stringify(entity), seq);
        return { created: !old || old.deleted === 1, seq };
      })
      .immediate();
    this.catalogCache = null;
    await this.durable();
    return result;
  }

  async catalogChanges(since: number, limit: number): Promise<S.ChangePage<S.CatalogChange>> {
    const rows = this.sql('SELECT kind, slug, data, deleted, seq FROM catalog_items WHERE seq > ? ORDER BY seq LIMIT ?').all(since, limit + 1) as {
      kind: S.CatalogKind;
      slug: string;
      data: string;
      deleted: number;
      seq: number;
    }[];
    return changePage(rows, limit, since, (r) => ({ kind: r.kind, slug: r.slug, deleted: r.deleted === 1, data: JSON.parse(r.data) }));
  }

  // ---- stories

  private storyRow(slug: string, version?: number): S.StoredStory | null {
    const row = (
      version === undefined
        ? this.sql(
            `SELECT s.slug, s.version, s.status, s.created_at, s.updated_at, s.seq, v.fields, v.text
                           FROM stories s JOIN story_versions v ON v.slug = s.slug AND v.version = s.version WHERE s.slug = ?`,
          ).get(slug)
        : this.sql(
            `SELECT v.slug, v.version, v.status, s.created_at, v.created_at AS updated_at, s.seq, v.fields, v.text
                           FROM story_versions v JOIN stories s ON s.slug = v.slug WHERE v.slug = ? AND v.version = ?`,
          ).get(slug, version)
    ) as S.StoryRow | undefined;
    return row ? storyFromRow(row) : null;
  }

  async getStory(slug: string): Promise<S.StoredStory | null> {
    return this.storyRow(slug);
  }

  async getStoryState(slug: string): Promise<{ version: number; status: S.StoredStatus; published: string | null } | null> {
    return (
      (this.sql('SELECT version, status, published FROM stories WHERE slug = ?').get(slug) as
        { version: number; status: S.StoredStatus; published: string | null } | undefined) ?? null
    );
  }

  async getStoryVersion(slug: string, version: number): Promise<S.StoredStory | null> {
    return this.storyRow(slug, version);
  }

  async countVersions(slug: string): Promise<number> {
    return (this.sql('SELECT COUNT(*) AS n FROM story_versions WHERE slug = ?').get(slug) as { n: number }).n;
  }

  /** After a commit: the change a write made to the catalog's stories, on the cached index (not re-read). */
  private applyCatalogChange(change: CatalogStoryChange | null): void {
    if (!change || !this.catalogCache) return;
    if (change.story) this.catalogCache.index.setStory(change.story);
    else this.catalogCache.index.removeStory(change.slug);
    this.catalogCache.version = change.seq;
  }

  /** Writes a new version (inside the caller's transaction); the catalog change is applied after commit. */
  private writeVersion(
    slug: string,
    currentVersion: number | null,
    story: S.StoryFieldsRecord,
    text: string,
    refs: { kind: string; slug: string }[] | null,
    author: string,
    now: string,
  ): { result: S.PutStoryResult & { ok: true }; catalog: CatalogStoryChange | null } {
    const version = currentVersion === null ? 1 : currentVersion + 1;
    const seq = this.nextSeq();
    const published = story.status === 'published' || story.status === 'withdrawn' ? (story.published ?? null) : null;
    this.sql(
      `INSERT INTO stories (slug, version, status, title, beat, published, created_at, updated_at, seq)
                VALUES (@slug, @version, @status, @title, @beat, @published, @now, @now, @seq)
                ON CONFLICT (slug) DO UPDATE SET version = excluded.version, status = excluded.status, title = excluded.title,
                  beat = excluded.beat, published = excluded.published, updated_at = excluded.updated_at, seq = excluded.seq`,
    ).run({ slug, version, status: story.status, title: story.title, beat: story.beat, published, now, seq });
    this.sql('INSERT INTO story_versions (slug, version, status, fields, text, author, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
      slug,
      version,
      story.status,
      JSON.stringify(story),
      text,
      author,
      now,
    );
    if (refs) {
      this.sql('DELETE FROM story_refs WHERE slug = ?').run(slug);
      const ins = this.sql('INSERT OR IGNORE INTO story_refs (slug, kind, ref) VALUES (?, ?, ?)');
      for (const r of refs) ins.run(slug, r.kind, r.slug);
    }
    // The catalog lists published stories: a story leaving "published" leaves a tombstone.
    const item = this.sql(`SELECT deleted FROM catalog_items WHERE kind = 'story' AND slug = ?`).get(slug) as { deleted: number } | undefined;
    let catalog: CatalogStoryChange | null = null;
    if (story.status === 'published') {
      const data: CatalogStory = { slug, title: story.title, beat: story.beat, ...(story.published ? { published: story.published } : {}) };
      this.sql(
        `INSERT INTO catalog_items (kind, slug, data, deleted, seq) VALUES ('story', ?, ?, 0, ?)
                  ON CONFLICT (kind, slug) DO UPDATE SET data = excluded.data, deleted = 0, seq = excluded.seq`,
      ).run(slug, JSON.stringify(data), seq);
      catalog = { slug, story: data, seq };
    } else if (item && item.deleted === 0) {
      this.sql(`UPDATE catalog_items SET deleted = 1, data = ?, seq = ? WHERE kind = 'story' AND slug = ?`).run(JSON.stringify({ slug }), seq, slug);
      catalog = { slug, story: null, seq };
    }
    return { result: { ok: true, created: currentVersion === null, version, status: story.status, updatedAt: now }, catalog };
  }

  async putStory(input: S.PutStoryInput): Promise<S.PutStoryResult> {
    let change: CatalogStoryChange | null = null;
    const result = this.db
      .transaction((): S.PutStoryResult => {
        // The version alone decides; the whole current story is read only for a 412's answer.
        const current = (this.sql('SELECT version FROM stories WHERE slug = ?').get(input.slug) as { version: number } | undefined)?.version ?? null;
        const matches = input.expectedVersion === null ? current === null : current === input.expectedVersion;
        let result: S.PutStoryResult;
        if (matches) ({ result, catalog: change } = this.writeVersion(input.slug, current, input.story, input.text, input.refs, input.author, input.now));
        else result = { ok: false, reason: 'conflict', current: this.storyRow(input.slug) };
        if (input.idempotency) this.finishKey(input.idempotency, input.idempotency.respond(result));
        return result;
      })
      .immediate();
    this.applyCatalogChange(change);
    if (input.idempotency) this.inFlight.delete(idempotencyKeyId(input.idempotency));
    // A 412 is acknowledged after the sync too: the version it shows may have just been written.
    await this.durable();
    return result;
  }

  async withdrawStory(slug: string, expectedVersion: number, author: string, now: string): Promise<S.PutStoryResult | { ok: false; reason: 'not_found' }> {
    let change: CatalogStoryChange | null = null;
    const result = this.db
      .transaction((): S.PutStoryResult | { ok: false; reason: 'not_found' } => {
        const current = this.storyRow(slug);
        if (!current) return { ok: false, reason: 'not_found' };
        if (current.version !== expectedVersion) return { ok: false, reason: 'conflict', current };
        const written = this.writeVersion(slug, current.version, { ...current.story, status: 'withdrawn' }, current.text, null, author, now);
        change = written.catalog;
        return written.result;
      })
      .immediate();
    this.applyCatalogChange(change);
    await this.durable();
    return result;
  }

  async storyChanges(since: number, limit: number): Promise<S.ChangePage<S.StoryListItem>> {
    const rows = this.sql(`SELECT ${STORY_CHANGES_COLUMNS} FROM stories WHERE seq > ? ORDER BY seq LIMIT ?`).all(since, limit + 1) as S.StoryChangeRow[];
    return changePage(rows, limit, since, storyListItem);
  }

  async publishedStories(offset: number, limit: number, filter: S.PublishedStoriesFilter = {}): Promise<{ items: S.PublicStorySummary[]; total: number }> {
    let from = `FROM stories s JOIN story_versions v ON v.slug = s.slug AND v.version = s.version`;
    const where = [`s.status = 'published'`];
    const params: unknown[] = [];
    if (filter.entity !== undefined) {
      from += ` JOIN story_refs r ON r.slug = s.slug AND r.kind = 'entity' AND r.ref = ?`;
      params.push(filter.entity);
    }
    if (filter.beat !== undefined) {
      where.push('s.beat = ?');
      params.push(filter.beat);
    }
    const sql = `${from} WHERE ${where.join(' AND ')}`;
    const total = (this.sql(`SELECT COUNT(*) AS n ${sql}`).get(...params) as { n: number }).n;
    const rows = this.sql(`SELECT s.slug, v.fields, s.published ${sql} ORDER BY s.published DESC, s.seq DESC LIMIT ? OFFSET ?`).all(
      ...params,
      limit,
      offset,
    ) as { slug: string; fields: string; published: string | null }[];
    const items = rows.map((r) => {
      const f = JSON.parse(r.fields) as S.StoryFieldsRecord;
      return { slug: r.slug, title: f.title, ...(f.dek ? { dek: f.dek } : {}), beat: f.beat, published: r.published ?? '' };
    });
    return { items, total };
  }

  async publishedEntries(limit: number, filter: S.PublishedFilter = {}): Promise<S.PublishedEntry[]> {
    const where = [`s.status = 'published'`];
    const params: unknown[] = [];
    if (filter.beat !== undefined) {
      where.push('s.beat = ?');
      params.push(filter.beat);
    }
    if (filter.publishedSince !== undefined) {
      where.push('s.published >= ?');
      params.push(filter.publishedSince);
    }
    const rows = this.sql(
      `SELECT s.slug, s.version, s.updated_at, s.published, v.fields${filter.withText ? ', v.text' : ''}
            FROM stories s JOIN story_versions v ON v.slug = s.slug AND v.version = s.version
            WHERE ${where.join(' AND ')} ORDER BY s.published DESC, s.seq DESC LIMIT ?`,
    ).all(...params, limit) as Parameters<typeof publishedEntry>[0][];
    return rows.map(publishedEntry);
  }

  // ---- idempotency

  async beginIdempotent(scope: S.IdempotencyScope, fingerprint: string, now: string): Promise<S.IdempotencyBegin> {
    const id = idempotencyKeyId(scope);
    const flying = this.inFlight.get(id);
    if (flying) return flying.fingerprint === fingerprint ? { state: 'in_flight' } : { state: 'reused' };
    const row = this.sql('SELECT fingerprint, state, status, headers, body FROM idempotency WHERE owner = ? AND key = ?').get(scope.owner, scope.key) as
      { fingerprint: string; state: string; status: number | null; headers: string | null; body: string | null } | undefined;
    if (!row) {
      // Nothing to write yet: the key's row is written with its answer, in the answer's transaction.
      this.inFlight.set(id, { fingerprint, createdAt: now });
      return { state: 'new' };
    }
    if (row.fingerprint !== fingerprint) return { state: 'reused' };
    if (row.state === 'in_flight') return { state: 'in_flight' };
    // The answer may have been committed a moment ago: it is replayed only once it is on disk.
    await this.durable();
    return { state: 'done', response: { status: row.status!, headers: JSON.parse(row.headers ?? '{}'), body: row.body ?? '' } };
  }

  /** Writes a key's answer (inside the caller's transaction); the caller then forgets it is in flight. */
  private finishKey(scope: S.IdempotencyScope, response: S.StoredResponse): void {
    const flying = this.inFlight.get(idempotencyKeyId(scope));
    if (!flying) throw new Error('an idempotency key was completed without being begun');
    this.sql(
      `INSERT INTO idempotency (owner, key, fingerprint, state, status, headers, body, created_at) VALUES (?, ?, ?, 'done', ?, ?, ?, ?)
            ON CONFLICT (owner, key) DO UPDATE SET fingerprint = excluded.fingerprint, state = 'done', status = excluded.status,
              headers = excluded.headers, body = excluded.body, created_at = excluded.created_at`,
    ).run(scope.owner, scope.key, flying.fingerprint, response.status, JSON.stringify(response.headers), response.body, flying.createdAt);
  }

  async completeIdempotent(scope: S.IdempotencyScope, response: S.StoredResponse): Promise<void> {
    this.db.transaction(() => this.finishKey(scope, response)).immediate();
    this.inFlight.delete(idempotencyKeyId(scope));
    await this.durable();
  }

  async abandonIdempotent(scope: S.IdempotencyScope): Promise<void> {
    this.inFlight.delete(idempotencyKeyId(scope));
  }

  async sweepIdempotency(before: string): Promise<number> {
    return this.db.transaction(() => this.sql(`DELETE FROM idempotency WHERE state = 'done' AND created_at < ?`).run(before).changes).immediate();
  }

  async releaseInFlight(): Promise<number> {
    const forgotten = this.inFlight.size;
    this.inFlight.clear();
    // Rows in flight are never written now, but a database from an earlier version may hold some.
    return forgotten + this.db.transaction(() => this.sql(`DELETE FROM idempotency WHERE state = 'in_flight'`).run().changes).immediate();
  }

  // ---- review notes

  private noteRow(storySlug: string, id: string): S.NoteRecord | null {
    const r = this.sql('SELECT * FROM notes WHERE story_slug = ? AND id = ?').get(storySlug, id) as S.NoteRow | undefined;
    return r ? noteFromRow(r) : null;
  }

  async getNote(storySlug: string, id: string): Promise<S.NoteRecord | null> {
    return this.noteRow(storySlug, id);
  }

  async putNote(input: S.PutNoteInput): Promise<S.PutNoteResult> {
    const result = this.db
      .transaction((): S.PutNoteResult => {
        const settle = (r: S.PutNoteResult): S.PutNoteResult => {
          if (input.idempotency) this.finishKey(input.idempotency, input.idempotency.respond(r));
          return r;
        };
        if (!this.sql('SELECT 1 FROM stories WHERE slug = ?').get(input.storySlug)) return settle({ ok: false, reason: 'no_story' });
        const current = this.noteRow(input.storySlug, input.id);
        const next = nextNote(input, current);
        if (next.conflict) return settle({ ok: false, reason: 'conflict', current });
        const { note } = next;
        this.sql(
          `INSERT INTO notes (story_slug, id, version, author, role, body, anchor, state, reply_to, created_at, updated_at, seq)
              VALUES (@storySlug, @id, @version, @author, @role, @body, @anchor, @state, @replyTo, @createdAt, @updatedAt, @seq)
              ON CONFLICT (story_slug, id) DO UPDATE SET version = excluded.version, body = excluded.body, anchor = excluded.anchor,
                state = excluded.state, updated_at = excluded.updated_at, seq = excluded.seq`,
        ).run({ ...note, anchor: note.anchor ? JSON.stringify(note.anchor) : null, seq: this.nextSeq() });
        return settle({ ok: true, created: current === null, note });
      })
      .immediate();
    if (input.idempotency) this.inFlight.delete(idempotencyKeyId(input.idempotency));
    await this.durable();
    return result;
  }

  async noteChanges(storySlug: string, since: number, limit: number): Promise<S.ChangePage<S.NoteRecord>> {
    const rows = this.sql('SELECT * FROM notes WHERE story_slug = ? AND seq > ? ORDER BY seq LIMIT ?').all(storySlug, since, limit + 1) as S.NoteRow[];
    return changePage(rows, limit, since, noteFromRow);
  }

  async close(): Promise<void> {
    await this.walSync?.close();
    if (this.db.open) this.db.close();
  }
}
