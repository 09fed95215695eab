/**
 * The sync engine's durable state in a SQLite file: the outbox, per-story sync state (last synced
 * version and text, for 3-way conflicts), pull cursors, the pulled catalog and the worker lock.
 * Every table has a `sync_` prefix and the migration is versioned in `sync_schema`, so these tables
 * can share the library's file without touching its `user_version` migrations.
 */
import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { OutboxTarget, WireDiagnostic } from '../../../shared/protocol/index.js';
import { memoize } from '../../../shared/index.js';

export const OUTBOX_STATES = ['queued', 'sending', 'done', 'rejected', 'conflict', 'paused', 'superseded'] as const;
export type OutboxState = (typeof OUTBOX_STATES)[number];
/** States that still hold a change waiting to reach the backend. */
export const PENDING_STATES = ['queued', 'sending', 'paused', 'conflict'] as const satisfies readonly OutboxState[];
/** States whose change waits to be sent (the outbox's "waiting" count): pending, not held by a conflict. */
export const WAITING_STATES = ['queued', 'sending', 'paused'] as const satisfies readonly OutboxState[];

/** A list of states as an SQL literal list (`'queued','sending'`): the states are our own constants, never input. */
function sqlStates(states: readonly OutboxState[]): string {
  return states.map((s) => `'${s}'`).join(',');
}
const PENDING_SQL = sqlStates(PENDING_STATES);

export interface OutboxRow {
  id: number;
  storySlug: string;
  revision: string;
  /** The status the change puts, or `withdrawn` for a withdrawal (DELETE). */
  targetStatus: OutboxTarget;
  idempotencyKey: string;
  state: OutboxState;
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
  diagnostics: WireDiagnostic[] | null;
  /** Version to send `If-Match` on, fixed when the row is a conflict resolution. */
  baseVersion: number | null;
  /** The precondition as first sent (`*` or a version), reused on every retry so replays match. */
  sentPrecondition: string | null;
  resultVersion: number | null;
  createdAt: number;
  updatedAt: number;
}

export interface StorySyncState {
  slug: string;
  lastVersion: number | null;
  lastText: string | null;
  lastStatus: string | null;
  conflict: ConflictInfo | null;
  /** The library revision the last fast-forward wrote, and the synced state it replaced. */
  pulledRevision: number | null;
  beforePull: { version: number | null; text: string | null; status: string | null } | null;
  /** The next pull fetches this story even at a version it knows (to learn its published date). */
  refresh: boolean;
}

export interface ConflictInfo {
  /** `push`: the backend refused our put (412); `pull`: changed on both sides. */
  origin: 'push' | 'pull';
  remoteVersion: number;
  remoteStatus: string | null;
  remoteText: string;
  localText: string;
  baseText: string | null;
  detectedAt: number;
}

const SCHEMA_VERSION = 3;

const MIGRATIONS: Record<number, string> = {
  1: `
    CREATE TABLE IF NOT EXISTS sync_outbox (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      story_slug TEXT NOT NULL,
      revision TEXT NOT NULL,
      target_status TEXT NOT NULL CHECK (target_status IN ('review','approved','published','withdrawn')),
      idempotency_key TEXT NOT NULL UNIQUE,
      state TEXT NOT NULL DEFAULT 'queued',
      attempts INTEGER NOT NULL DEFAULT 0,
      next_attempt_at INTEGER NOT NULL DEFAULT 0,
      last_error TEXT,
      diagnostics TEXT,
      base_version INTEGER,
      sent_precondition TEXT,
      result_version INTEGER,
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL
    );
    CREATE INDEX IF NOT EXISTS sync_outbox_slug ON sync_outbox (story_slug, id);
    CREATE INDEX IF NOT EXISTS sync_outbox_state ON sync_outbox (state, next_attempt_at);
    CREATE TABLE IF NOT EXISTS sync_story (
      slug TEXT PRIMARY KEY,
      last_version INTEGER,
      last_text TEXT,
      last_status TEXT,
      conflict TEXT,
      updated_at INTEGER NOT NULL
    );
    CREATE TABLE IF NOT EXISTS sync_cursor (name TEXT PRIMARY KEY, cursor TEXT);
    CREATE TABLE IF NOT EXISTS sync_meta (key TEXT PRIMARY KEY, value TEXT);
    CREATE TABLE IF NOT EXISTS sync_catalog_item (
      kind TEXT NOT NULL, slug TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (kind, slug)
    );
    CREATE TABLE IF NOT EXISTS sync_lock (
      id INTEGER PRIMARY KEY CHECK (id = 1), owner TEXT NOT NULL, pid INTEGER NOT NULL,
      host TEXT, heartbeat_at INTEGER NOT NULL
    );
  `,
  // A pull's fast-forward: the library revision it wrote and the synced state before it, so that a
  // save made without the pulled text becomes a conflict instead of silently undoing it.
  2: `
    ALTER TABLE sync_story ADD COLUMN pulled_revision INTEGER;
    ALTER TABLE sync_story ADD COLUMN before_pull TEXT;
  `,
  // A story the next pull fetches even at a version it knows: the backend set what a push cannot
  // tell (the published date), to be written back into the text.
  3: `
    ALTER TABLE sync_story ADD COLUMN refresh INTEGER NOT NULL DEFAULT 0;
  `,
};

/** Creates or upgrades the sync tables. Safe to call on every open. */
export function migrateSync(db: Database.Database): void {
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 5000');
  db.exec('CREATE TABLE IF NOT EXISTS sync_schema (version INTEGER NOT NULL)');
  const run = db.transaction(() => {
    const row = db.prepare('SELECT version FROM sync_schema').get() as { version: number } | undefined;
    let version = row?.version ?? 0;
    if (version > SCHEMA_VERSION) throw new Error(`the sync tables are from a newer studio (schema ${version})`);
    while (version < SCHEMA_VERSION) {
      version += 1;
      db.exec(MIGRATIONS[version]!);
    }
    if (row) db.prepare('UPDATE sync_schema SET version = ?').run(version);
    else db.prepare('INSERT INTO sync_schema (version) VALUES (?)').run(version);
  });
  run.immediate();
}

interface RawRow {
  id: number;
  story_slug: string;
  revision: string;
  target_status: string;
  idempotency_key: string;
  state: string;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  diagnostics: string | null;
  base_version: number | null;
  sent_precondition: string | null;
  result_version: number | null;
  created_at: number;
  updated_at: number;
}

function toRow(r: RawRow): OutboxRow {
  return {
    id: r.id,
    storySlug: r.story_slug,
    revision: r.revision,
    targetStatus: r.target_status as OutboxTarget,
    idempotencyKey: r.idempotency_key,
    state: r.state as OutboxState,
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at,
    lastError: r.last_error,
    diagnostics: r.diagnostics ? (JSON.parse(r.diagnostics) as WireDiagnostic[]) : null,
    baseVersion: r.base_version,
    sentPrecondition: r.sent_precondition,
    resultVersion: r.result_version,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** Typed access to the sync tables. All writes are single statements or short transactions. */
export class SyncStore {
  /** Prepared statements by SQL text: preparing one costs more than running it (a pull stores 100,000 items). */

  constructor(readonly db: Database.Database) {
    migrateSync(db);
  }

  /** The prepared statement of `sql`, prepared once per store. */
  readonly prepare = memoize((sql: string): Database.Statement => this.db.prepare(sql));

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  // ── outbox ──────────────────────────────────────────────────────────────────────────────────
  insertRow(input: { slug: string; revision: string; status: OutboxTarget; now: number; baseVersion?: number | null }): OutboxRow {
    const key = randomUUID();
    const info = this.prepare(
      `INSERT INTO sync_outbox (story_slug, revision, target_status, idempotency_key, state, next_attempt_at,
                base_version, created_at, updated_at) VALUES (?, ?, ?, ?, 'queued', 0, ?, ?, ?)`,
    ).run(input.slug, input.revision, input.status, key, input.baseVersion ?? null, input.now, input.now);
    return this.row(Number(info.lastInsertRowid))!;
  }

  row(id: number): OutboxRow | undefined {
    const r = this.prepare('SELECT * FROM sync_outbox WHERE id = ?').get(id) as RawRow | undefined;
    return r ? toRow(r) : undefined;
  }

  rows(filter: { slug?: string; states?: readonly OutboxState[] } = {}): OutboxRow[] {
    const where: string[] = [];
    const args: unknown[] = [];
    if (filter.slug !== undefined) {
      where.push('story_slug = ?');
      args.push(filter.slug);
    }
    if (filter.states) {
      where.push(`state IN (${filter.states.map(() => '?').join(',')})`);
      args.push(...filter.states);
    }
    const sql = `SELECT * FROM sync_outbox ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id`;
    return (this.prepare(sql).all(...args) as RawRow[]).map(toRow);
  }

  /**
   * The rows that may be sent now, one per story: each story's oldest pending row, when that row is
   * queued and due. A story whose oldest pending row is in conflict or paused is blocked.
   */
  dueRows(now: number): OutboxRow[] {
    const raws = this.prepare(
      `
      SELECT o.* FROM sync_outbox o
      WHERE o.id = (SELECT MIN(id) FROM sync_outbox p WHERE p.story_slug = o.story_slug
                    AND p.state IN (${PENDING_SQL}))
        AND o.state = 'queued' AND o.next_attempt_at <= ?
      ORDER BY o.next_attempt_at, o.id`,
    ).all(now) as RawRow[];
    return raws.map(toRow);
  }

  /**
   * The earliest time a row becomes due, or undefined when none can be: only a story's oldest pending
   * row counts, since the rows queued behind a conflict or a pause wait for it, not for the clock.
   */
  nextDueAt(): number | undefined {
    const r = this.prepare(
      `
      SELECT MIN(o.next_attempt_at) AS t FROM sync_outbox o
      WHERE o.state = 'queued'
        AND o.id = (SELECT MIN(id) FROM sync_outbox p WHERE p.story_slug = o.story_slug
                    AND p.state IN (${PENDING_SQL}))`,
    ).get() as { t: number | null };
    return r.t ?? undefined;
  }

  update(
    id: number,
    patch: Partial<
      Pick<OutboxRow, 'state' | 'attempts' | 'nextAttemptAt' | 'lastError' | 'diagnostics' | 'sentPrecondition' | 'resultVersion' | 'baseVersion'>
    >,
    now: number,
  ): void {
    const cols: Record<string, string> = {
      state: 'state',
      attempts: 'attempts',
      nextAttemptAt: 'next_attempt_at',
      lastError: 'last_error',
      diagnostics: 'diagnostics',
      sentPrecondition: 'sent_precondition',
      resultVersion: 'result_version',
      baseVersion: 'base_version',
    };
    const sets: string[] = ['updated_at = ?'];
    const args: unknown[] = [now];
    for (const [k, v] of Object.entries(patch)) {
      sets.push(`${cols[k]} = ?`);
      args.push(k === 'diagnostics' ? (v === null ? null : JSON.stringify(v)) : v);
    }
    args.push(id);
    this.prepare(`UPDATE sync_outbox SET ${sets.join(', ')} WHERE id = ?`).run(...args);
  }

  /** Rows left `sending` by a worker that died go back to the queue (their key makes a resend safe). */
  requeueInterrupted(now: number): number {
    return this.prepare(`UPDATE sync_outbox SET state = 'queued', updated_at = ? WHERE state = 'sending'`).run(now).changes;
  }

  /** Paused rows go back to the queue, due now. */
  unpauseAll(now: number): number {
    return this.prepare(`UPDATE sync_outbox SET state = 'queued', next_attempt_at = 0, last_error = NULL, updated_at = ? WHERE state = 'paused'`).run(now)
      .changes;
  }

  hasPending(slug: string): boolean {
    return this.prepare(`SELECT 1 FROM sync_outbox WHERE story_slug = ? AND state IN (${PENDING_SQL}) LIMIT 1`).get(slug) !== undefined;
  }

  /** Stories whose newest change the backend refused (a later change that went out clears it). */
  rejectedStories(): number {
    const r = this.prepare(
      `
      SELECT COUNT(*) AS n FROM sync_outbox o
      WHERE o.state = 'rejected'
        AND o.id = (SELECT MAX(id) FROM sync_outbox p WHERE p.story_slug = o.story_slug AND p.state != 'superseded')`,
    ).get() as { n: number };
    return r.n;
  }

  countByState(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const r of this.prepare('SELECT state, COUNT(*) AS n FROM sync_outbox GROUP BY state').all() as { state: string; n: number }[]) out[r.state] = r.n;
    return out;
  }

  // ── per-story state ─────────────────────────────────────────────────────────────────────────
  story(slug: string): StorySyncState | undefined {
    const r = this.prepare('SELECT * FROM sync_story WHERE slug = ?').get(slug) as
      | {
          slug: string;
          last_version: number | null;
          last_text: string | null;
          last_status: string | null;
          conflict: string | null;
          pulled_revision: number | null;
          before_pull: string | null;
          refresh: number;
        }
      | undefined;
    if (!r) return undefined;
    return {
      slug: r.slug,
      lastVersion: r.last_version,
      lastText: r.last_text,
      lastStatus: r.last_status,
      conflict: r.conflict ? (JSON.parse(r.conflict) as ConflictInfo) : null,
      pulledRevision: r.pulled_revision,
      beforePull: r.before_pull ? (JSON.parse(r.before_pull) as StorySyncState['beforePull']) : null,
      refresh: r.refresh === 1,
    };
  }

  /** Records a fast-forward's library revision and the synced state before it (called before `setSynced`). */
  setPulled(slug: string, revision: number | null, now: number): void {
    const before = this.story(slug);
    const snapshot =
      revision === null ? null : JSON.stringify({ version: before?.lastVersion ?? null, text: before?.lastText ?? null, status: before?.lastStatus ?? null });
    this.prepare(
      `INSERT INTO sync_story (slug, pulled_revision, before_pull, updated_at) VALUES (?, ?, ?, ?)
      ON CONFLICT (slug) DO UPDATE SET pulled_revision = excluded.pulled_revision, before_pull = excluded.before_pull, updated_at = excluded.updated_at`,
    ).run(slug, revision, snapshot, now);
  }

  /**
   * A save undid a fast-forward: the story is in conflict (the backend's text against the person's),
   * and its synced state goes back to before the pull, so that nothing goes out on the pulled
   * version until the person merges.
   */
  undoPull(slug: string, conflict: ConflictInfo, now: number): void {
    const s = this.story(slug);
    const before = s?.beforePull ?? { version: null, text: null, status: null };
    this.prepare(
      `UPDATE sync_story SET last_version = ?, last_text = ?, last_status = ?, conflict = ?, pulled_revision = NULL,
      before_pull = NULL, updated_at = ? WHERE slug = ?`,
    ).run(before.version, before.text, before.status, JSON.stringify(conflict), now, slug);
  }

  /** The backend holds `version` with `status`; `refresh`: the next pull fetches it again (see StorySyncState). */
  setSynced(slug: string, version: number, text: string, status: string, now: number, refresh = false): void {
    this.prepare(
      `INSERT INTO sync_story (slug, last_version, last_text, last_status, refresh, updated_at) VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT (slug) DO UPDATE SET last_version = excluded.last_version, last_text = excluded.last_text,
      last_status = excluded.last_status, refresh = excluded.refresh, updated_at = excluded.updated_at`,
    ).run(slug, version, text, status, refresh ? 1 : 0, now);
  }

  setConflict(slug: string, conflict: ConflictInfo | null, now: number): void {
    this.prepare(
      `INSERT INTO sync_story (slug, conflict, updated_at) VALUES (?, ?, ?)
      ON CONFLICT (slug) DO UPDATE SET conflict = excluded.conflict, updated_at = excluded.updated_at`,
    ).run(slug, conflict ? JSON.stringify(conflict) : null, now);
  }

  conflicts(): (ConflictInfo & { slug: string })[] {
    const rs = this.prepare('SELECT slug, conflict FROM sync_story WHERE conflict IS NOT NULL ORDER BY slug').all() as { slug: string; conflict: string }[];
    return rs.map((r) => ({ slug: r.slug, ...(JSON.parse(r.conflict) as ConflictInfo) }));
  }

  // ── cursors, meta, catalog ──────────────────────────────────────────────────────────────────
  cursor(name: string): string | undefined {
    const r = this.prepare('SELECT cursor FROM sync_cursor WHERE name = ?').get(name) as { cursor: string | null } | undefined;
    return r?.cursor ?? undefined;
  }

  setCursor(name: string, cursor: string | null): void {
    this.prepare('INSERT INTO sync_cursor (name, cursor) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET cursor = excluded.cursor').run(name, cursor);
  }

  meta(key: string): string | undefined {
    const r = this.prepare('SELECT value FROM sync_meta WHERE key = ?').get(key) as { value: string | null } | undefined;
    return r?.value ?? undefined;
  }

  /** The meta entries whose keys start with `prefix` (a few: the write-backs a crash left undone). */
  metaEntries(prefix: string): [string, string][] {
    const rows = this.prepare('SELECT key, value FROM sync_meta WHERE substr(key, 1, ?) = ?').all(prefix.length, prefix) as { key: string; value: string }[];
    return rows.map((r) => [r.key, r.value]);
  }

  setMeta(key: string, value: string | null): void {
    if (value === null) this.prepare('DELETE FROM sync_meta WHERE key = ?').run(key);
    else this.prepare('INSERT INTO sync_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
  }

  /**
   * Forgets what was synced with the previous backend (cursors, versions, conflicts, the pulled
   * catalog) when the studio is pointed at another one. Waiting changes stay and go to the new
   * backend, their preconditions worked out afresh there.
   */
  resetForBackend(now: number): void {
    this.transaction(() => {
      this.db.exec('DELETE FROM sync_cursor; DELETE FROM sync_story; DELETE FROM sync_catalog_item');
      this.prepare(
        `UPDATE sync_outbox SET state = 'queued', sent_precondition = NULL, base_version = NULL, next_attempt_at = 0, updated_at = ?
        WHERE state IN (${PENDING_SQL})`,
      ).run(now);
      this.setMeta('paused', null);
    });
  }

  putCatalogItem(kind: string, slug: string, data: unknown | null): void {
    if (data === null) this.prepare('DELETE FROM sync_catalog_item WHERE kind = ? AND slug = ?').run(kind, slug);
    else
      this.prepare(
        `INSERT INTO sync_catalog_item (kind, slug, data) VALUES (?, ?, ?)
      ON CONFLICT (kind, slug) DO UPDATE SET data = excluded.data`,
      ).run(kind, slug, JSON.stringify(data));
  }

  catalog(): { entities: unknown[]; beats: unknown[]; stories: unknown[] } {
    const out = { entities: [] as unknown[], beats: [] as unknown[], stories: [] as unknown[] };
    // One JSON array per kind, joined by SQLite in slug order: one parse, not one per item.
    const rows = this.prepare(
      `SELECT kind, '[' || group_concat(data, ',' ORDER BY slug) || ']' AS items
      FROM sync_catalog_item GROUP BY kind`,
    ).all() as { kind: keyof typeof out; items: string }[];
    for (const r of rows) if (Object.hasOwn(out, r.kind)) out[r.kind] = JSON.parse(r.items) as unknown[];
    return out;
  }
}
