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
 *   BEGIN IMMEDIATE does.
 * - Idempotency keys in flight are rows (state `in_flight`) that every instance sees, claimed by an
 *   INSERT that exactly one instance wins; a crashed instance's claims are void at once (each
 *   instance holds an advisory lock while it lives), and a lease is the backstop.
 * - The catalog and the stories' states are cached per instance by the change number they were
 *   read at, and used while no write came after: known without asking while the instance holds a
 *   cache lease (pg-trust.ts), else from one read of the counter shared by the requests of the
 *   moment (shared-read.ts). So another instance's write is seen at the next request.
 * - A story write is one call of put_story_version (migration 3): one round trip, the counter's
 *   lock held for the function and the commit only.
 * - Migrations run in one transaction under an advisory lock: instances starting together migrate
 *   once; a database of a newer schema is refused.
 */
import { randomInt, timingSafeEqual } from 'node:crypto';
import postgres from 'postgres';
import type { Catalog, CatalogIndex, CatalogStory, Entity } from '../../shared/index.js';
import { CatalogReplica } from './live-catalog.js';
import { notesSchema, POSTGRES, storySchema } from './schema.js';
import { CHANGE_CHANNEL, CacheTrust, type Peers } from './pg-trust.js';
import { SharedRead } from './shared-read.js';
import { changePage, STORY_CHANGES_COLUMNS, storyListItem, idempotencyKeyId, noteFromRow, nextNote, storyFromRow, publishedEntry } from './store.js';
// The store's types, by one name: both stores use nearly all of them.
import type * as S from './store.js';

/**
 * The advisory-lock space of the instances' liveness locks: each instance holds (this, its id) on a
 * connection of its own for as long as it lives, and PostgreSQL drops the lock the moment that
 * connection goes (a kill -9 closes it), so other instances know at once that its claims are void.
 */
const LIVENESS_LOCKS = 7_312_004;

const MIGRATIONS: string[] = [
  // 1 and 2: the tables both stores hold (schema.ts), in PostgreSQL's types
  storySchema(POSTGRES),
  notesSchema(POSTGRES),
  // 3: a story write as one function call: one round trip, and the counter's lock is held for the
  // write's statements and its commit only, never across a turn of a server's event loop; the
  // leases of instances answering from their caches (pg-trust.ts)
  `
  CREATE TABLE cache_trust (instance INTEGER PRIMARY KEY, until TIMESTAMPTZ NOT NULL);
  -- The live instances other than p_instance holding a lease, and the ms each has left: a writer
  -- reads them under the counter's lock and waits for them after its commit (pg-trust.ts).
  CREATE FUNCTION cache_peers(p_instance INTEGER, OUT ids INTEGER[], OUT left_ms DOUBLE PRECISION[]) LANGUAGE sql AS $$
    SELECT array_agg(t.instance), array_agg(EXTRACT(EPOCH FROM t.until - now()) * 1000) FROM cache_trust t
    WHERE t.instance <> p_instance AND t.until > now() AND EXISTS (SELECT 1 FROM pg_locks l WHERE l.locktype = 'advisory'
      AND l.classid = ${LIVENESS_LOCKS}::oid AND l.objid = t.instance::oid AND l.objsubid = 2 AND l.granted)
  $$;
  CREATE FUNCTION put_story_version(
    p_slug TEXT, p_expected INTEGER, p_status TEXT, p_title TEXT, p_beat TEXT, p_published TEXT, p_fields TEXT, p_text TEXT,
    p_author TEXT, p_now TEXT, p_ref_kinds TEXT[], p_ref_slugs TEXT[], p_catalog TEXT,
    p_owner TEXT, p_key TEXT, p_fingerprint TEXT, p_answer_status INTEGER, p_answer_headers TEXT, p_answer_body TEXT, p_key_created TEXT,
    p_instance INTEGER, OUT o_seq BIGINT, OUT peer_ids INTEGER[], OUT peer_left_ms DOUBLE PRECISION[]
  ) LANGUAGE plpgsql AS $$
  DECLARE
    v_current INTEGER;
    v_version INTEGER;
  BEGIN
    -- The counter's lock first: it orders this write among all instances' (see pg-store.ts). Each
    -- statement after it reads the latest committed rows (READ COMMITTED, a fresh snapshot each).
    UPDATE counters SET value = value + 1 WHERE name = 'change' RETURNING value INTO o_seq;
    SELECT version INTO v_current FROM stories WHERE slug = p_slug;
    -- o_seq NULL: the version moved (or the story exists, for a create); nothing else is written.
    IF v_current IS DISTINCT FROM p_expected THEN o_seq := NULL; RETURN; END IF;
    SELECT p.ids, p.left_ms INTO peer_ids, peer_left_ms FROM cache_peers(p_instance) p;
    PERFORM pg_notify('${CHANGE_CHANNEL}', 'c:' || o_seq || ':' || p_instance);
    v_version := COALESCE(v_current, 0) + 1;
    INSERT INTO stories (slug, version, status, title, beat, published, created_at, updated_at, seq)
      VALUES (p_slug, v_version, p_status, p_title, p_beat, p_published, p_now, p_now, o_seq)
      ON CONFLICT (slug) DO UPDATE SET version = excluded.version, status = excluded.status, title = excluded.title,
        beat = excluded.beat, published = excluded.published, updated_at = excluded.updated_at, seq = excluded.seq;
    INSERT INTO story_versions (slug, version, status, fields, text, author, created_at)
      VALUES (p_slug, v_version, p_status, p_fields, p_text, p_author, p_now);
    IF p_ref_kinds IS NOT NULL THEN
      DELETE FROM story_refs WHERE slug = p_slug;
      INSERT INTO story_refs (slug, kind, ref) SELECT p_slug, k, r FROM unnest(p_ref_kinds, p_ref_slugs) AS t(k, r) ON CONFLICT DO NOTHING;
    END IF;
    -- The catalog lists published stories: a story leaving "published" leaves a tombstone.
    IF p_status = 'published' THEN
      INSERT INTO catalog_items (kind, slug, data, deleted, seq) VALUES ('story', p_slug, p_catalog, FALSE, o_seq)
        ON CONFLICT (kind, slug) DO UPDATE SET data = excluded.data, deleted = FALSE, seq = excluded.seq;
    ELSE
      UPDATE catalog_items SET deleted = TRUE, data = p_catalog, seq = o_seq WHERE kind = 'story' AND slug = p_slug AND NOT deleted;
    END IF;
    IF p_owner IS NOT NULL THEN
      INSERT INTO idempotency (owner, key, fingerprint, state, status, headers, body, created_at, lease_until)
        VALUES (p_owner, p_key, p_fingerprint, 'done', p_answer_status, p_answer_headers, p_answer_body, p_key_created, NULL)
        ON CONFLICT (owner, key) DO UPDATE SET fingerprint = excluded.fingerprint, state = 'done', status = excluded.status,
          headers = excluded.headers, body = excluded.body, created_at = excluded.created_at, lease_until = NULL;
    END IF;
  END $$;
  `,
];

/** The advisory lock migrations run under (any constant: it names this application's migrations). */
const MIGRATION_LOCK = 7_312_004_117;
/** The backstop for a claim whose instance looks alive but never finishes (its lock connection lost). */
const LEASE_SECONDS = 600;
/** Catalog changes read in one query. */
const CATALOG_PAGE = 5000;
/** Story states cached by change number (public pages ask for them): the oldest goes first. */
const STATE_CACHE_LIMIT = 1000;
/** Catalog changes kept in memory for the story workers (recentCatalogChanges). */
const RECENT_CHANGES = 2000;
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

export class PgStore implements S.PublishingStore, S.NoteStore {
  readonly sql: Sql;
  readonly notes: S.NoteStore = this;
  /** The catalog, its version, and the change number it is known to be current at (`at`). */
  private catalogCache: { replica: CatalogReplica; version: number; at: number } | null = null;
  /**
   * The refresh of the cached catalog under way (one at a time, so changes apply in order), and the
   * count of catalog() calls when it began: it serves the calls up to that one.
   */
  private refreshing: { begun: number; done: Promise<void> } | null = null;
  private catalogCalls = 0;
  /** The catalog changes applied to the cache with seq in (after, upTo], in order. */
  private recent: { after: number; upTo: number; changes: { seq: number; change: S.CatalogChange }[] } = { after: 0, upTo: 0, changes: [] };
  /** Stories' states as read at a change number: good for as long as the change number has not moved. */
  private readonly states = new Map<string, { at: number; state: StoryState | null }>();
  /** The latest change number this instance wrote (its own caches are behind it without asking). */
  private ownSeq = 0;
  /**
   * The latest committed change number, from a read the database began after the call: whatever was
   * committed before the call (a write another instance has acknowledged) is at or below it. Shared
   * by the calls of the moment: one tiny read per round trip, however many requests ask.
   */
  private readonly change = new SharedRead(async () => {
    const [row] = await this.sql<{ value: number }[]>`SELECT value FROM counters WHERE name = 'change'`;
    return row!.value;
  });
  /** Keys this instance claimed and has not finished: their fingerprint and first time. */
  private readonly claimed = new Map<string, { fingerprint: string; createdAt: string }>();

  private constructor(
    sql: Sql,
    private readonly liveness: Sql,
    private readonly acks: Sql,
    readonly instance: number,
    private readonly trust: CacheTrust,
  ) {
    this.sql = sql;
  }

  /** Connects and migrates (once across instances); refuses a database of a newer schema. */
  static async open(url: string, options: PgStoreOptions = {}): Promise<PgStore> {
    // Three pools, named for pg_stat_activity: the store's, the liveness lock's, the acknowledgements'.
    const connect = (name: string, max: number, more: Parameters<typeof postgres>[1] = {}, connection: Record<string, string> = {}) =>
      postgres(url, { max, onnotice: () => undefined, connect_timeout: 10, ...more, connection: { application_name: name, ...connection } }) as unknown as Sql;
    const sql = connect('studio-server', options.poolSize ?? 10, {
      // Change numbers and counts are BIGINT: as numbers (2^53 is far away), not strings.
      types: { bigint: { to: 20, from: [20], serialize: (x: number) => String(x), parse: (x: string) => Number(x) } },
    });
    const liveness = connect('studio-server liveness', 1);
    // Acknowledgements of other instances' changes (pg-trust.ts) need not survive a crash of the database.
    const acks = connect('studio-server acks', 1, {}, { synchronous_commit: 'off' });
    try {
      await migrate(sql);
      // An id no live instance holds: the lock is taken with try, and a taken id is drawn again.
      for (;;) {
        const id = randomInt(1, 2 ** 31 - 1);
        const [{ ok }] = (await liveness<{ ok: boolean }[]>`SELECT pg_try_advisory_lock(${LIVENESS_LOCKS}::int, ${id}::int) AS ok`) as unknown as [
          { ok: boolean },
        ];
        if (ok) return new PgStore(sql, liveness, acks, id, await CacheTrust.start(sql, acks, id));
      }
    } catch (e) {
      await Promise.all([sql.end({ timeout: 1 }), liveness.end({ timeout: 1 }), acks.end({ timeout: 1 })]);
      throw e;
    }
  }

  // ---- tokens

  async createToken(name: string, role: S.Role, hash: Buffer): Promise<void> {
    const rows = await this.sql`INSERT INTO tokens (name, role, hash, created_at) VALUES (${name}, ${role}, ${hash}, ${new Date().toISOString()})
                                ON CONFLICT (name) DO NOTHING RETURNING name`;
    if (rows.length === 0) throw new Error(`a token named "${name}" exists already`);
  }

  async listTokens(): Promise<S.TokenInfo[]> {
    const rows = await this.sql<{ name: string; role: S.Role; created_at: string }[]>`SELECT name, role, created_at FROM tokens ORDER BY name`;
    return rows.map((r) => ({ name: r.name, role: r.role, createdAt: r.created_at }));
  }

  async revokeToken(name: string): Promise<boolean> {
    return (await this.sql`DELETE FROM tokens WHERE name = ${name}`).count > 0;
  }

  async findToken(hash: Buffer): Promise<S.TokenInfo | null> {
    // Read on every request, never cached: a revocation on any instance holds everywhere at once.
    const [row] = await this.sql<{ name: string; role: S.Role; hash: Buffer; created_at: string }[]>`
      SELECT name, role, hash, created_at FROM tokens WHERE hash = ${hash}`;
    if (!row || row.hash.length !== hash.length || !timingSafeEqual(row.hash, hash)) return null;
    return { name: row.name, role: row.role, createdAt: row.created_at };
  }

  // ---- catalog

  // ---- the change number, and what is cached by it

  /** This instance wrote change `seq` to `slug`: what it cached of them is behind. */
  private wrote(slug: string, seq: number): void {
    this.states.delete(slug);
    if (seq > this.ownSeq) this.ownSeq = seq;
  }

  // ---- catalog

  async catalog(): Promise<{ index: CatalogIndex; version: number }> {
    const call = ++this.catalogCalls;
    // Every change to the catalog takes a change number: while that has not moved, the cache is
    // current. After a write of this instance's own it has, without asking.
    const cached = this.catalogCache;
    if (cached && cached.at >= this.ownSeq) {
      // Trusted (pg-trust.ts): every write acknowledged anywhere has been heard of, none since this cache.
      if (cached.at >= this.trust.heard && this.trust.trusted()) return this.catalogOf(cached);
      if ((await this.change.get()) <= cached.at) return this.catalogOf(cached);
    }
    // Else a refresh begun after this call (so it sees what was committed before it).
    for (;;) {
      if (!this.refreshing) {
        const begun = this.catalogCalls;
        this.refreshing = { begun, done: this.refreshCatalog().finally(() => (this.refreshing = null)) };
      }
      const refresh = this.refreshing;
      await refresh.done;
      if (refresh.begun >= call) return this.catalogOf(this.catalogCache!);
    }
  }

  private catalogOf(cache: { replica: CatalogReplica; version: number }): { index: CatalogIndex; version: number } {
    return { index: cache.replica.index, version: cache.version };
  }

  /**
   * Applies the catalog's changes since the cached version (all of it the first time), in order;
   * the first page read with the change number, in one snapshot, which the cache is then current at.
   */
  private async refreshCatalog(): Promise<void> {
    const cache = this.catalogCache ?? { replica: new CatalogReplica(), version: 0, at: 0 };
    const first = await this.sql<({ change: number } & Partial<CatalogRow>)[]>`
      SELECT c.value AS change, i.kind, i.slug, i.data, i.deleted, i.seq FROM counters c
      LEFT JOIN LATERAL (SELECT kind, slug, data, deleted, seq FROM catalog_items WHERE seq > ${cache.version} ORDER BY seq LIMIT ${CATALOG_PAGE + 1}) i ON TRUE
      WHERE c.name = 'change'`;
    const at = first[0]!.change;
    let rows: readonly Partial<CatalogRow>[] = first;
    for (;;) {
      const items = rows.filter((r): r is CatalogRow => r.seq != null);
      const more = items.length > CATALOG_PAGE;
      if (more) items.length = CATALOG_PAGE;
      const changes = items.map(catalogChange);
      cache.replica.apply(changes);
      this.remember(cache.version, items, changes);
      if (items.length) cache.version = items[items.length - 1]!.seq;
      if (!more) break;
      rows = await this.sql<CatalogRow[]>`
        SELECT kind, slug, data, deleted, seq FROM catalog_items WHERE seq > ${cache.version} ORDER BY seq LIMIT ${CATALOG_PAGE + 1}`;
    }
    cache.at = Math.max(cache.at, at);
    this.catalogCache = cache;
  }

  /** Keeps the latest catalog changes applied (after `from`, gap-free) for recentCatalogChanges. */
  private remember(from: number, items: CatalogRow[], changes: S.CatalogChange[]): void {
    if (this.recent.upTo !== from) this.recent = { after: from, upTo: from, changes: [] };
    for (let i = 0; i < items.length; i++) this.recent.changes.push({ seq: items[i]!.seq, change: changes[i]! });
    if (items.length) this.recent.upTo = items[items.length - 1]!.seq;
    const excess = this.recent.changes.length - RECENT_CHANGES;
    if (excess > 0) this.recent.after = this.recent.changes.splice(0, excess).at(-1)!.seq;
  }

  recentCatalogChanges(since: number, upTo: number): S.CatalogChange[] | null {
    const r = this.recent;
    if (since < r.after || upTo > r.upTo) return null;
    return r.changes.filter((c) => c.seq > since && c.seq <= upTo).map((c) => c.change);
  }

  async seedCatalog(catalog: Catalog): Promise<boolean> {
    let announced: { seq: number; peers: Peers } | null = null;
    const seeded = (await this.sql.begin(async (tx) => {
      await lockCounter(tx, 0);
      const [{ n }] = (await tx<{ n: number }[]>`SELECT (SELECT COUNT(*) FROM catalog_items) + (SELECT COUNT(*) FROM stories) AS n`) as unknown as [
        { n: number },
      ];
      if (n > 0) return false;
      const items = [
        ...catalog.entities.map((e) => ['entity', e.slug, JSON.stringify(e)] as const),
        ...catalog.beats.map((b) => ['beat', b.slug, JSON.stringify(b)] as const),
        ...catalog.stories.map((s) => ['story', s.slug, JSON.stringify(s)] as const),
      ];
      if (items.length === 0) return true;
      const [{ last }] = (await tx<
        { last: number }[]
      >`UPDATE counters SET value = value + ${items.length} WHERE name = 'change' RETURNING value AS last`) as unknown as [{ last: number }];
      announced = { seq: last, peers: await this.announce(tx, last) };
      const first = last - items.length + 1;
      await tx`INSERT INTO catalog_items (kind, slug, data, deleted, seq)
               SELECT k, s, d, FALSE, ${first}::bigint + o - 1
               FROM unnest(${items.map((i) => i[0])}::text[], ${items.map((i) => i[1])}::text[], ${items.map((i) => i[2])}::text[]) WITH ORDINALITY AS t(k, s, d, o)`;
      return true;
    })) as boolean;
    const a = announced as { seq: number; peers: Peers } | null;
    if (a) await this.trust.peersHeard(a.seq, a.peers);
    return seeded;
  }

  async putEntity(entity: Entity, _now: string): Promise<{ created: boolean; seq: number }> {
    let peers: Peers = { ids: null, leftMs: null };
    const result = (await this.sql.begin(async (tx) => {
      const seq = await lockCounter(tx);
      peers = await this.announce(tx, seq);
      const [row] = await tx<{ created: boolean }[]>`
        WITH old AS (SELECT deleted FROM catalog_items WHERE kind = 'entity' AND slug = ${entity.slug})
        INSERT INTO catalog_items (kind, slug, data, deleted, seq) VALUES ('entity', ${entity.slug}, ${JSON.stringify(entity)}, FALSE, ${seq})
        ON CONFLICT (kind, slug) DO UPDATE SET data = excluded.data, deleted = FALSE, seq = excluded.seq
        RETURNING COALESCE((SELECT deleted FROM old), TRUE) AS created`;
      return { created: row!.created, seq };
    })) as { created: boolean; seq: number };
    await this.trust.peersHeard(result.seq, peers);
    return result;
  }

  /**
   * Inside a catalog write's transaction, under the counter's lock: announces its change number and
   * lists the instances to wait for after the commit (pg-trust.ts; put_story_version does the same).
   */
  private async announce(tx: Tx, seq: number): Promise<Peers> {
    const [[peers]] = await Promise.all([
      tx<{ ids: number[] | null; left_ms: number[] | null }[]>`SELECT ids, left_ms FROM cache_peers(${this.instance})`,
      tx`SELECT pg_notify(${CHANGE_CHANNEL}, ${`c:${seq}:${this.instance}`})`,
    ]);
    return { ids: peers!.ids, leftMs: peers!.left_ms };
  }

  async catalogChanges(since: number, limit: number): Promise<S.ChangePage<S.CatalogChange>> {
    const rows = await this.sql<CatalogRow[]>`
      SELECT kind, slug, data, deleted, seq FROM catalog_items WHERE seq > ${since} ORDER BY seq LIMIT ${limit + 1}`;
    return changePage(rows, limit, since, catalogChange);
  }

  // ---- stories

  private async storyRow(db: Sql | Tx, slug: string, version?: number): Promise<S.StoredStory | null> {
    const rows =
      version === undefined
        ? await db<S.StoryRow[]>`SELECT s.slug, s.version, s.status, s.created_at, s.updated_at, s.seq, v.fields, v.text
                               FROM stories s JOIN story_versions v ON v.slug = s.slug AND v.version = s.version WHERE s.slug = ${slug}`
        : await db<S.StoryRow[]>`SELECT v.slug, v.version, v.status, s.created_at, v.created_at AS updated_at, s.seq, v.fields, v.text
                               FROM story_versions v JOIN stories s ON s.slug = v.slug WHERE v.slug = ${slug} AND v.version = ${version}`;
    return rows[0] ? storyFromRow(rows[0]) : null;
  }

  async getStory(slug: string): Promise<S.StoredStory | null> {
    return this.storyRow(this.sql, slug);
  }

  async getStoryState(slug: string): Promise<StoryState | null> {
    // A public page asks at every request: while the change number has not moved, the state has not.
    const known = this.states.get(slug);
    if (known && known.at >= this.ownSeq) {
      if (known.at >= this.trust.heard && this.trust.trusted()) return known.state;
      if ((await this.change.get()) === known.at) return known.state;
    }
    // Read with the change number, in one snapshot: the state as of that number.
    const [row] = (await this.sql<({ change: number } & Partial<StoryState>)[]>`
      SELECT c.value AS change, s.version, s.status, s.published FROM counters c LEFT JOIN stories s ON s.slug = ${slug}
      WHERE c.name = 'change'`) as unknown as [{ change: number } & Partial<StoryState>];
    const state = row.version != null ? { version: row.version, status: row.status!, published: row.published ?? null } : null;
    if (this.states.size >= STATE_CACHE_LIMIT) this.states.delete(this.states.keys().next().value!);
    this.states.set(slug, { at: row.change, state });
    return state;
  }

  async getStoryVersion(slug: string, version: number): Promise<S.StoredStory | null> {
    return this.storyRow(this.sql, slug, version);
  }

  async countVersions(slug: string): Promise<number> {
    const [{ n }] = (await this.sql<{ n: number }[]>`SELECT COUNT(*) AS n FROM story_versions WHERE slug = ${slug}`) as unknown as [{ n: number }];
    return n;
  }

  /**
   * Writes a new version if the story is at `expected` (null: has none), in one call of
   * put_story_version (migration 3) with the key's answer `answer`: one round trip, the counter's
   * lock held only while the database runs it and commits. The change number, or null on a conflict
   * (then nothing was written).
   */
  private async writeVersion(
    slug: string,
    expected: number | null,
    story: S.StoryFieldsRecord,
    text: string,
    refs: { kind: string; slug: string }[] | null,
    author: string,
    now: string,
    key?: { scope: S.IdempotencyScope; answer: S.StoredResponse },
  ): Promise<number | null> {
    const published = story.status === 'published' || story.status === 'withdrawn' ? (story.published ?? null) : null;
    const catalog: CatalogStory | { slug: string } =
      story.status === 'published' ? { slug, title: story.title, beat: story.beat, ...(story.published ? { published: story.published } : {}) } : { slug };
    const mine = key ? this.claimed.get(idempotencyKeyId(key.scope)) : undefined;
    if (key && !mine) throw new Error('an idempotency key was completed without being begun');
    const [row] = (await this.sql<
      { seq: number | null; peer_ids: number[] | null; peer_left_ms: number[] | null }[]
    >`SELECT o_seq::bigint AS seq, peer_ids, peer_left_ms FROM put_story_version(
      ${slug}, ${expected}, ${story.status}, ${story.title}, ${story.beat}, ${published}, ${JSON.stringify(story)}, ${text},
      ${author}, ${now}, ${refs ? refs.map((r) => r.kind) : null}::text[], ${refs ? refs.map((r) => r.slug) : null}::text[], ${JSON.stringify(catalog)},
      ${key?.scope.owner ?? null}, ${key?.scope.key ?? null}, ${mine?.fingerprint ?? null}, ${key?.answer.status ?? null},
      ${key ? JSON.stringify(key.answer.headers) : null}, ${key?.answer.body ?? null}, ${mine?.createdAt ?? null}, ${this.instance}
    )`) as unknown as [{ seq: number | null; peer_ids: number[] | null; peer_left_ms: number[] | null }];
    const seq = row.seq;
    if (seq === null) return null;
    // Our own write moved the change number: this instance's cached states and catalog are behind.
    this.wrote(slug, seq);
    // Acknowledged once every instance answering from its caches has heard of it (pg-trust.ts).
    await this.trust.peersHeard(seq, { ids: row.peer_ids, leftMs: row.peer_left_ms });
    return seq;
  }

  async putStory(input: S.PutStoryInput): Promise<S.PutStoryResult> {
    const expected = input.expectedVersion;
    // The answer if the write goes through is known before it is made (the next version, now), so
    // it is written with the story, in the same transaction; a conflict writes nothing but its answer.
    const success: S.PutStoryResult & { ok: true } = {
      ok: true,
      created: expected === null,
      version: (expected ?? 0) + 1,
      status: input.story.status,
      updatedAt: input.now,
    };
    const key = input.idempotency ? { scope: input.idempotency, answer: input.idempotency.respond(success) } : undefined;
    try {
      const seq = await this.writeVersion(input.slug, expected, input.story, input.text, input.refs, input.author, input.now, key);
      if (seq !== null) return success;
      const result: S.PutStoryResult = { ok: false, reason: 'conflict', current: await this.storyRow(this.sql, input.slug) };
      if (input.idempotency) await this.finishKey(this.sql, input.idempotency, input.idempotency.respond(result));
      return result;
    } finally {
      if (input.idempotency) this.claimed.delete(idempotencyKeyId(input.idempotency));
    }
  }

  async withdrawStory(slug: string, expectedVersion: number, author: string, now: string): Promise<S.PutStoryResult | { ok: false; reason: 'not_found' }> {
    const current = await this.storyRow(this.sql, slug);
    if (!current) return { ok: false, reason: 'not_found' };
    if (current.version !== expectedVersion) return { ok: false, reason: 'conflict', current };
    // Written only if still at that version: a write in between makes this a conflict, as under a lock.
    const story: S.StoryFieldsRecord = { ...current.story, status: 'withdrawn' };
    const seq = await this.writeVersion(slug, current.version, story, current.text, null, author, now);
    if (seq === null) return { ok: false, reason: 'conflict', current: await this.storyRow(this.sql, slug) };
    return { ok: true, created: false, version: current.version + 1, status: 'withdrawn', updatedAt: now };
  }

  async storyChanges(since: number, limit: number): Promise<S.ChangePage<S.StoryListItem>> {
    const rows = await this.sql<S.StoryChangeRow[]>`
      SELECT ${this.sql.unsafe(STORY_CHANGES_COLUMNS)} FROM stories WHERE seq > ${since} ORDER BY seq LIMIT ${limit + 1}`;
    return changePage(rows, limit, since, storyListItem);
  }

  async publishedStories(offset: number, limit: number, filter: S.PublishedStoriesFilter = {}): Promise<{ items: S.PublicStorySummary[]; total: number }> {
    const sql = this.sql;
    const from = sql`FROM stories s JOIN story_versions v ON v.slug = s.slug AND v.version = s.version
      ${filter.entity !== undefined ? sql`JOIN story_refs r ON r.slug = s.slug AND r.kind = 'entity' AND r.ref = ${filter.entity}` : sql``}
      WHERE s.status = 'published' ${filter.beat !== undefined ? sql`AND s.beat = ${filter.beat}` : sql``}`;
    const [[{ n }], rows] = (await Promise.all([
      sql<{ n: number }[]>`SELECT COUNT(*) AS n ${from}`,
      sql<
        { slug: string; fields: string; published: string | null }[]
      >`SELECT s.slug, v.fields, s.published ${from} ORDER BY s.published DESC, s.seq DESC LIMIT ${limit} OFFSET ${offset}`,
    ])) as unknown as [[{ n: number }], { slug: string; fields: string; published: string | null }[]];
    const items = rows.map((r) => {
      const f = JSON.parse(r.fields) as S.StoryFieldsRecord;
      return { slug: r.slug, title: f.title, ...(f.dek ? { dek: f.dek } : {}), beat: f.beat, published: r.published ?? '' };
    });
    return { items, total: n };
  }

  async publishedEntries(limit: number, filter: S.PublishedFilter = {}): Promise<S.PublishedEntry[]> {
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

  async beginIdempotent(scope: S.IdempotencyScope, fingerprint: string, now: string): Promise<S.IdempotencyBegin> {
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
  private finishKey(db: Sql | Tx, scope: S.IdempotencyScope, response: S.StoredResponse): Promise<unknown> {
    const mine = this.claimed.get(idempotencyKeyId(scope));
    if (!mine) throw new Error('an idempotency key was completed without being begun');
    return db`INSERT INTO idempotency (owner, key, fingerprint, state, status, headers, body, created_at, lease_until)
              VALUES (${scope.owner}, ${scope.key}, ${mine.fingerprint}, 'done', ${response.status}, ${JSON.stringify(response.headers)}, ${response.body}, ${mine.createdAt}, NULL)
              ON CONFLICT (owner, key) DO UPDATE SET fingerprint = excluded.fingerprint, state = 'done', status = excluded.status,
                headers = excluded.headers, body = excluded.body, created_at = excluded.created_at, lease_until = NULL`;
  }

  async completeIdempotent(scope: S.IdempotencyScope, response: S.StoredResponse): Promise<void> {
    await this.finishKey(this.sql, scope, response);
    this.claimed.delete(idempotencyKeyId(scope));
  }

  async abandonIdempotent(scope: S.IdempotencyScope): Promise<void> {
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

  private async noteRow(db: Sql | Tx, storySlug: string, id: string): Promise<S.NoteRecord | null> {
    const [r] = await db<S.NoteRow[]>`SELECT * FROM notes WHERE story_slug = ${storySlug} AND id = ${id}`;
    return r ? noteFromRow(r) : null;
  }

  async getNote(storySlug: string, id: string): Promise<S.NoteRecord | null> {
    return this.noteRow(this.sql, storySlug, id);
  }

  async putNote(input: S.PutNoteInput): Promise<S.PutNoteResult> {
    const result = (await this.sql.begin(async (tx) => {
      // The counter's lock first, as for stories: it orders this change among every instance's.
      const [seq, story, current] = await Promise.all([
        lockCounter(tx),
        tx`SELECT 1 FROM stories WHERE slug = ${input.storySlug}`,
        this.noteRow(tx, input.storySlug, input.id),
      ]);
      const next = story.length === 0 ? null : nextNote(input, current);
      let result: S.PutNoteResult;
      if (!next) result = { ok: false, reason: 'no_story' };
      else if (next.conflict) result = { ok: false, reason: 'conflict', current };
      else {
        const { note } = next;
        await tx`INSERT INTO notes (story_slug, id, version, author, role, body, anchor, state, reply_to, created_at, updated_at, seq)
                 VALUES (${note.storySlug}, ${note.id}, ${note.version}, ${note.author}, ${note.role}, ${note.body},
                   ${note.anchor ? JSON.stringify(note.anchor) : null}, ${note.state}, ${note.replyTo}, ${note.createdAt}, ${note.updatedAt}, ${seq})
                 ON CONFLICT (story_slug, id) DO UPDATE SET version = excluded.version, body = excluded.body, anchor = excluded.anchor,
                   state = excluded.state, updated_at = excluded.updated_at, seq = excluded.seq`;
        result = { ok: true, created: current === null, note };
      }
      if (input.idempotency) await this.finishKey(tx, input.idempotency, input.idempotency.respond(result));
      return result;
    })) as S.PutNoteResult;
    if (input.idempotency) this.claimed.delete(idempotencyKeyId(input.idempotency));
    return result;
  }

  async noteChanges(storySlug: string, since: number, limit: number): Promise<S.ChangePage<S.NoteRecord>> {
    const rows = await this.sql<S.NoteRow[]>`SELECT * FROM notes WHERE story_slug = ${storySlug} AND seq > ${since} ORDER BY seq LIMIT ${limit + 1}`;
    return changePage(rows, limit, since, noteFromRow);
  }

  async close(): Promise<void> {
    await this.trust.close();
    await this.sql.end({ timeout: 5 });
    await Promise.all([this.liveness.end({ timeout: 5 }), this.acks.end({ timeout: 5 })]);
  }
}

type StoryState = { version: number; status: S.StoredStatus; published: string | null };

interface CatalogRow {
  kind: S.CatalogKind;
  slug: string;
  data: string;
  deleted: boolean;
  seq: number;
}

const catalogChange = (r: CatalogRow): S.CatalogChange => ({ kind: r.kind, slug: r.slug, deleted: r.deleted, data: JSON.parse(r.data) });

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
