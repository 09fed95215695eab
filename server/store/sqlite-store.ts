/**
 * The SQLite implementation of PublishingStore (better-sqlite3): WAL, synchronous FULL by default,
 * schema migrations by `PRAGMA user_version`, every write in a BEGIN IMMEDIATE transaction so that
 * concurrent requests serialise. better-sqlite3 is synchronous: each method runs to completion
 * without yielding, so a transaction never interleaves with another request's.
 */
import Database from 'better-sqlite3';
import { timingSafeEqual } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { CatalogIndex, type Catalog, type Entity } from '../../shared/index.js';
import type {
  CatalogChange, CatalogKind, ChangePage, IdempotencyBegin, IdempotencyScope, PublicStorySummary, PublishingStore,
  PutStoryInput, PutStoryResult, Role, StoredResponse, StoredStatus, StoredStory, StoryFieldsRecord, StoryListItem, TokenInfo,
} from './store.js';

const MIGRATIONS: string[] = [
  // 1: the first schema
  `
  CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
  INSERT INTO counters (name, value) VALUES ('change', 0);
  CREATE TABLE tokens (
    name TEXT PRIMARY KEY, role TEXT NOT NULL CHECK (role IN ('writer','editor','publisher')),
    hash BLOB NOT NULL UNIQUE, created_at TEXT NOT NULL
  );
  CREATE TABLE catalog_items (
    kind TEXT NOT NULL CHECK (kind IN ('entity','beat','story')), slug TEXT NOT NULL,
    data TEXT NOT NULL, deleted INTEGER NOT NULL DEFAULT 0, seq INTEGER NOT NULL,
    PRIMARY KEY (kind, slug)
  );
  CREATE INDEX catalog_items_seq ON catalog_items (seq);
  CREATE TABLE stories (
    slug TEXT PRIMARY KEY, version INTEGER NOT NULL, status TEXT NOT NULL, title TEXT NOT NULL,
    beat TEXT NOT NULL, published TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL, seq INTEGER NOT NULL
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
    status INTEGER, headers TEXT, body TEXT, created_at TEXT NOT NULL, PRIMARY KEY (owner, key)
  );
  CREATE INDEX idempotency_created ON idempotency (created_at);
  `,
];

export interface SqliteStoreOptions {
  /** PRAGMA synchronous: FULL (default) makes every acknowledged write survive power loss too. */
  synchronous?: 'NORMAL' | 'FULL';
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

export class SqliteStore implements PublishingStore {
  readonly db: Database.Database;
  private catalogCache: { index: CatalogIndex; version: number } | null = null;

  constructor(file: string, options: SqliteStoreOptions = {}) {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${options.synchronous ?? 'FULL'}`);
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
      this.db.transaction(() => {
        this.db.exec(MIGRATIONS[v]!);
        this.db.pragma(`user_version = ${v + 1}`);
      }).immediate();
    }
  }

  private nextSeq(): number {
    const row = this.db.prepare(`UPDATE counters SET value = value + 1 WHERE name = 'change' RETURNING value`).get() as { value: number };
    return row.value;
  }

  // ---- tokens

  async createToken(name: string, role: Role, hash: Buffer): Promise<void> {
    this.db.transaction(() => {
      const exists = this.db.prepare('SELECT 1 FROM tokens WHERE name = ?').get(name);
      if (exists) throw new Error(`a token named "${name}" exists already`);
      this.db.prepare('INSERT INTO tokens (name, role, hash, created_at) VALUES (?, ?, ?, ?)').run(name, role, hash, new Date().toISOString());
    }).immediate();
  }

  async listTokens(): Promise<TokenInfo[]> {
    const rows = this.db.prepare('SELECT name, role, created_at FROM tokens ORDER BY name').all() as { name: string; role: Role; created_at: string }[];
    return rows.map((r) => ({ name: r.name, role: r.role, createdAt: r.created_at }));
  }

  async revokeToken(name: string): Promise<boolean> {
    return this.db.transaction(() => this.db.prepare('DELETE FROM tokens WHERE name = ?').run(name).changes > 0).immediate();
  }

  async findToken(hash: Buffer): Promise<TokenInfo | null> {
    const row = this.db.prepare('SELECT name, role, hash, created_at FROM tokens WHERE hash = ?').get(hash) as
      | { name: string; role: Role; hash: Buffer; created_at: string }
      | undefined;
    if (!row || row.hash.length !== hash.length || !timingSafeEqual(row.hash, hash)) return null;
    return { name: row.name, role: row.role, createdAt: row.created_at };
  }

  // ---- catalog

  async catalog(): Promise<{ index: CatalogIndex; version: number }> {
    if (!this.catalogCache) {
      const rows = this.db.prepare('SELECT kind, data FROM catalog_items WHERE deleted = 0 ORDER BY seq').all() as { kind: CatalogKind; data: string }[];
      const catalog: Catalog = { entities: [], beats: [], stories: [] };
      for (const r of rows) {
        const data = JSON.parse(r.data);
        if (r.kind === 'entity') catalog.entities.push(data);
        else if (r.kind === 'beat') catalog.beats.push(data);
        else catalog.stories.push(data);
      }
      const version = (this.db.prepare('SELECT COALESCE(MAX(seq), 0) AS v FROM catalog_items').get() as { v: number }).v;
      this.catalogCache = { index: new CatalogIndex(catalog), version };
    }
    return this.catalogCache;
  }

  async seedCatalog(catalog: Catalog): Promise<boolean> {
    const done = this.db.transaction(() => {
      const any = this.db.prepare('SELECT (SELECT COUNT(*) FROM catalog_items) + (SELECT COUNT(*) FROM stories) AS n').get() as { n: number };
      if (any.n > 0) return false;
      const insert = this.db.prepare('INSERT INTO catalog_items (kind, slug, data, deleted, seq) VALUES (?, ?, ?, 0, ?)');
      for (const e of catalog.entities) insert.run('entity', e.slug, JSON.stringify(e), this.nextSeq());
      for (const b of catalog.beats) insert.run('beat', b.slug, JSON.stringify(b), this.nextSeq());
      for (const s of catalog.stories) insert.run('story', s.slug, JSON.stringify(s), this.nextSeq());
      return true;
    }).immediate();
    if (done) this.catalogCache = null;
    return done;
  }

  async putEntity(entity: Entity, _now: string): Promise<{ created: boolean; seq: number }> {
    const result = this.db.transaction(() => {
      const old = this.db.prepare(`SELECT deleted FROM catalog_items WHERE kind = 'entity' AND slug = ?`).get(entity.slug) as { deleted: number } | undefined;
      const seq = this.nextSeq();
      this.db
        .prepare(`INSERT INTO catalog_items (kind, slug, data, deleted, seq) VALUES ('entity', ?, ?, 0, ?)
                  ON CONFLICT (kind, slug) DO UPDATE SET data = excluded.data, deleted = 0, seq = excluded.seq`)
        .run(entity.slug, JSON.stringify(entity), seq);
      return { created: !old || old.deleted === 1, seq };
    }).immediate();
    this.catalogCache = null;
    return result;
  }

  async catalogChanges(since: number, limit: number): Promise<ChangePage<CatalogChange>> {
    const rows = this.db
      .prepare('SELECT kind, slug, data, deleted, seq FROM catalog_items WHERE seq > ? ORDER BY seq LIMIT ?')
      .all(since, limit + 1) as { kind: CatalogKind; slug: string; data: string; deleted: number; seq: number }[];
    const hasMore = rows.length > limit;
    const page = rows.slice(0, limit);
    return {
      items: page.map((r) => ({ kind: r.kind, slug: r.slug, deleted: r.deleted === 1, data: JSON.parse(r.data) })),
      cursor: String(page.length ? page[page.length - 1]!.seq : since),
      hasMore,
    };
  }

  // ---- stories

  private storyRow(slug: string, version?: number): StoredStory | null {
    const row = (
      version === undefined
        ? this.db.prepare(`SELECT s.slug, s.version, s.status, s.created_at, s.updated_at, s.seq, v.fields, v.text
                           FROM stories s JOIN story_versions v ON v.slug = s.slug AND v.version = s.version WHERE s.slug = ?`).get(slug)
        : this.db.prepare(`SELECT v.slug, v.version, v.status, s.created_at, v.created_at AS updated_at, s.seq, v.fields, v.text
                           FROM story_versions v JOIN stories s ON s.slug = v.slug WHERE v.slug = ? AND v.version = ?`).get(slug, version)
    ) as StoryRow | undefined;
    if (!row) return null;
    return {
      slug: row.slug,
      version: row.version,
      status: row.status,
      story: JSON.parse(row.fields) as StoryFieldsRecord,
      text: row.text,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      seq: row.seq,
    };
  }

  async getStory(slug: string): Promise<StoredStory | null> {
    return this.storyRow(slug);
  }

  async getStoryVersion(slug: string, version: number): Promise<StoredStory | null> {
    return this.storyRow(slug, version);
  }

  async countVersions(slug: string): Promise<number> {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM story_versions WHERE slug = ?').get(slug) as { n: number }).n;
  }

  private writeVersion(
    slug: string, current: StoredStory | null, story: StoryFieldsRecord, text: string,
    refs: { kind: string; slug: string }[] | null, author: string, now: string,
  ): PutStoryResult & { ok: true } {
    const version = current ? current.version + 1 : 1;
    const seq = this.nextSeq();
    const published = story.status === 'published' || story.status === 'withdrawn' ? (story.published ?? null) : null;
    this.db
      .prepare(`INSERT INTO stories (slug, version, status, title, beat, published, created_at, updated_at, seq)
                VALUES (@slug, @version, @status, @title, @beat, @published, @now, @now, @seq)
                ON CONFLICT (slug) DO UPDATE SET version = excluded.version, status = excluded.status, title = excluded.title,
                  beat = excluded.beat, published = excluded.published, updated_at = excluded.updated_at, seq = excluded.seq`)
      .run({ slug, version, status: story.status, title: story.title, beat: story.beat, published, now, seq });
    this.db
      .prepare('INSERT INTO story_versions (slug, version, status, fields, text, author, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(slug, version, story.status, JSON.stringify(story), text, author, now);
    if (refs) {
      this.db.prepare('DELETE FROM story_refs WHERE slug = ?').run(slug);
      const ins = this.db.prepare('INSERT OR IGNORE INTO story_refs (slug, kind, ref) VALUES (?, ?, ?)');
      for (const r of refs) ins.run(slug, r.kind, r.slug);
    }
    // The catalog lists published stories: a story leaving "published" leaves a tombstone.
    const item = this.db.prepare(`SELECT deleted FROM catalog_items WHERE kind = 'story' AND slug = ?`).get(slug) as { deleted: number } | undefined;
    if (story.status === 'published') {
      const data = { slug, title: story.title, beat: story.beat, ...(story.published ? { published: story.published } : {}) };
      this.db
        .prepare(`INSERT INTO catalog_items (kind, slug, data, deleted, seq) VALUES ('story', ?, ?, 0, ?)
                  ON CONFLICT (kind, slug) DO UPDATE SET data = excluded.data, deleted = 0, seq = excluded.seq`)
        .run(slug, JSON.stringify(data), seq);
      this.catalogCache = null;
    } else if (item && item.deleted === 0) {
      this.db.prepare(`UPDATE catalog_items SET deleted = 1, data = ?, seq = ? WHERE kind = 'story' AND slug = ?`).run(JSON.stringify({ slug }), seq, slug);
      this.catalogCache = null;
    }
    return { ok: true, created: current === null, version, status: story.status, updatedAt: now };
  }

  async putStory(input: PutStoryInput): Promise<PutStoryResult> {
    return this.db.transaction((): PutStoryResult => {
      const current = this.storyRow(input.slug);
      const matches = input.expectedVersion === null ? current === null : current !== null && current.version === input.expectedVersion;
      const result: PutStoryResult = matches
        ? this.writeVersion(input.slug, current, input.story, input.text, input.refs, input.author, input.now)
        : { ok: false, reason: 'conflict', current };
      if (input.idempotency) this.finishKey(input.idempotency, input.idempotency.respond(result));
      return result;
    }).immediate();
  }

  async withdrawStory(slug: string, expectedVersion: number, author: string, now: string): Promise<PutStoryResult | { ok: false; reason: 'not_found' }> {
    return this.db.transaction((): PutStoryResult | { ok: false; reason: 'not_found' } => {
      const current = this.storyRow(slug);
      if (!current) return { ok: false, reason: 'not_found' };
      if (current.version !== expectedVersion) return { ok: false, reason: 'conflict', current };
      return this.writeVersion(slug, current, { ...current.story, status: 'withdrawn' }, current.text, null, author, now);
    }).immediate();
  }

  async storyChanges(since: number, limit: number): Promise<ChangePage<StoryListItem>> {
    const rows = this.db
      .prepare('SELECT slug, version, status, updated_at, seq FROM stories WHERE seq > ? ORDER BY seq LIMIT ?')
      .all(since, limit + 1) as { slug: string; version: number; status: StoredStatus; updated_at: string; seq: number }[];
    const hasMore = rows.length > limit;
    const page = rows.slice(0, limit);
    return {
      items: page.map((r) => ({ slug: r.slug, version: r.version, status: r.status, updatedAt: r.updated_at, seq: r.seq })),
      cursor: String(page.length ? page[page.length - 1]!.seq : since),
      hasMore,
    };
  }

  async publishedStories(offset: number, limit: number, filter: { beat?: string; entity?: string } = {}): Promise<{ items: PublicStorySummary[]; total: number }> {
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
    const total = (this.db.prepare(`SELECT COUNT(*) AS n ${sql}`).get(...params) as { n: number }).n;
    const rows = this.db
      .prepare(`SELECT s.slug, v.fields, s.published ${sql} ORDER BY s.published DESC, s.seq DESC LIMIT ? OFFSET ?`)
      .all(...params, limit, offset) as { slug: string; fields: string; published: string | null }[];
    const items = rows.map((r) => {
      const f = JSON.parse(r.fields) as StoryFieldsRecord;
      return { slug: r.slug, title: f.title, ...(f.dek ? { dek: f.dek } : {}), beat: f.beat, published: r.published ?? '' };
    });
    return { items, total };
  }

  // ---- idempotency

  async beginIdempotent(scope: IdempotencyScope, fingerprint: string, now: string): Promise<IdempotencyBegin> {
    return this.db.transaction((): IdempotencyBegin => {
      const row = this.db.prepare('SELECT fingerprint, state, status, headers, body FROM idempotency WHERE owner = ? AND key = ?').get(scope.owner, scope.key) as
        | { fingerprint: string; state: string; status: number | null; headers: string | null; body: string | null }
        | undefined;
      if (!row) {
        this.db.prepare(`INSERT INTO idempotency (owner, key, fingerprint, state, created_at) VALUES (?, ?, ?, 'in_flight', ?)`).run(scope.owner, scope.key, fingerprint, now);
        return { state: 'new' };
      }
      if (row.fingerprint !== fingerprint) return { state: 'reused' };
      if (row.state === 'in_flight') return { state: 'in_flight' };
      return { state: 'done', response: { status: row.status!, headers: JSON.parse(row.headers ?? '{}'), body: row.body ?? '' } };
    }).immediate();
  }

  private finishKey(scope: IdempotencyScope, response: StoredResponse): void {
    this.db
      .prepare(`UPDATE idempotency SET state = 'done', status = ?, headers = ?, body = ? WHERE owner = ? AND key = ?`)
      .run(response.status, JSON.stringify(response.headers), response.body, scope.owner, scope.key);
  }

  async completeIdempotent(scope: IdempotencyScope, response: StoredResponse): Promise<void> {
    this.db.transaction(() => this.finishKey(scope, response)).immediate();
  }

  async abandonIdempotent(scope: IdempotencyScope): Promise<void> {
    this.db.transaction(() => {
      this.db.prepare(`DELETE FROM idempotency WHERE owner = ? AND key = ? AND state = 'in_flight'`).run(scope.owner, scope.key);
    }).immediate();
  }

  async sweepIdempotency(before: string): Promise<number> {
    return this.db.transaction(() => this.db.prepare(`DELETE FROM idempotency WHERE state = 'done' AND created_at < ?`).run(before).changes).immediate();
  }

  async releaseInFlight(): Promise<number> {
    return this.db.transaction(() => this.db.prepare(`DELETE FROM idempotency WHERE state = 'in_flight'`).run().changes).immediate();
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
