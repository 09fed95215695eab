/**
 * The sync engine (publishing-protocol.md, "What the studio does with it"): the outbox people add
 * changes to (offline too), and the push and the pull that settle them with the backend, one worker
 * per database at a time. The parts: `http-client.ts` (requests), `push.ts`, `pull.ts`, `outbox.ts`
 * (the tables).
 */
import type Database from 'better-sqlite3';
import { PUSH_STATUSES, type OutboxTarget, type PushStatus } from '../../../shared/protocol/index.js';
import { storyFields, parseStory } from '../../../shared/index.js';
import { DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';
import { HttpClient } from './http-client.js';
import { SyncLock } from './lock.js';
import { SyncStore, type ConflictInfo, type OutboxRow, PENDING_STATES, WAITING_STATES } from './outbox.js';
import { Pull } from './pull.js';
import { Push } from './push.js';
import { contentKey, prepareRevision } from './revision.js';
import {
  MemoryStories,
  systemClock,
  type Clock,
  type LocalStories,
  type PullResult,
  type PushOptions,
  type PushResult,
  type SyncProgress,
  type TokenProvider,
} from './types.js';
import type { SyncContext } from './context.js';

export { AuthPausedError } from './http-client.js';
export * from './types.js';

export interface SyncEngineOptions<L extends LocalStories = LocalStories> {
  db: Database.Database;
  backendUrl: string;
  token: TokenProvider;
  local?: L;
  fetch?: typeof globalThis.fetch;
  clock?: Clock;
  random?: () => number;
  backoff?: BackoffOptions;
  /** Per-request timeout in ms (AbortController). */
  timeoutMs?: number;
  /** Page size for pulls (default 5000, the protocol's largest: a 100,000-item catalog in 20 requests). */
  pageSize?: number;
  /** Pages of one kind a pull asks for at most (default 200: a million items in pages of 5,000). */
  maxPagesPerPull?: number;
  /** Largest answer read, in bytes (default ANSWER_MAX_BYTES, 64 MiB). */
  maxAnswerBytes?: number;
  /** Lock staleness in ms. */
  lockStaleMs?: number;
  /** Called with one-line progress messages (never holding the token). */
  log?: (line: string) => void;
  /** Called as a push or pull advances (for progress bars). */
  progress?: (p: SyncProgress) => void;
}

export interface SyncStatus {
  backendUrl: string;
  paused: string | null;
  counts: Record<string, number>;
  queued: { id: number; slug: string; status: OutboxTarget; state: OutboxRow['state']; attempts: number; nextAttemptAt: number; lastError: string | null }[];
  rejected: { id: number; slug: string; status: OutboxTarget; diagnostics: unknown[]; message: string | null }[];
  conflicts: (ConflictInfo & { slug: string })[];
  cursors: { catalog: string | null; stories: string | null };
  lastPushAt: number | null;
  lastPullAt: number | null;
}

export class SyncEngine<L extends LocalStories = LocalStories> {
  readonly store: SyncStore;
  readonly local: L;
  private readonly clock: Clock;
  private readonly lock: SyncLock;
  /** The backend's HTTP client (the token, time limits, no redirects, bounded answers), shared with the notes round. */
  readonly http: HttpClient;
  private readonly pushes: Push;
  private readonly pulls: Pull;

  constructor(opts: SyncEngineOptions<L>) {
    this.store = new SyncStore(opts.db);
    this.clock = opts.clock ?? systemClock;
    this.local = opts.local ?? (new MemoryStories() as LocalStories as L);
    this.lock = new SyncLock(this.store, { staleMs: opts.lockStaleMs, now: () => Date.now() });
    const random = opts.random ?? Math.random;
    const backoff = opts.backoff ?? DEFAULT_BACKOFF;
    this.http = new HttpClient({
      backendUrl: opts.backendUrl,
      token: opts.token,
      fetch: opts.fetch,
      clock: this.clock,
      random,
      backoff,
      timeoutMs: opts.timeoutMs ?? 15_000,
      maxAnswerBytes: opts.maxAnswerBytes,
      onRefused: (message) => this.store.setMeta('paused', message),
    });
    const cx: SyncContext = {
      store: this.store,
      http: this.http,
      local: this.local,
      clock: this.clock,
      random,
      backoff,
      lock: this.lock,
      pageSize: opts.pageSize ?? 5000,
      maxPages: opts.maxPagesPerPull ?? 200,
      log: opts.log ?? (() => {}),
      progress: opts.progress ?? (() => {}),
    };
    this.pushes = new Push(cx);
    this.pulls = new Pull(cx);
  }

  /** The backend this engine talks to (no trailing slash). */
  get backendUrl(): string {
    return this.http.base;
  }

  // ── the outbox ──────────────────────────────────────────────────────────────────────────────

  /** Puts a change in the outbox: the story text going to `status`. Works offline. Returns the row. */
  enqueue(storyText: string, status: PushStatus): OutboxRow {
    if (!PUSH_STATUSES.includes(status)) throw new Error(`status must be one of ${PUSH_STATUSES.join(', ')}`);
    const { slug, revision } = prepareRevision(storyText, status);
    const now = this.clock.now();
    return this.store.transaction(() => {
      // A story already in conflict: the newest change is what the person's side of the merge shows.
      const conflict = this.store.story(slug)?.conflict;
      if (conflict) this.store.setConflict(slug, { ...conflict, localText: revision }, now);
      return this.store.insertRow({ slug, revision, status, now });
    });
  }

  /**
   * Puts a withdrawal in the outbox: the story comes off the public site (DELETE with `If-Match` on
   * the version last synced, or the one a change queued before it makes). Works offline.
   */
  enqueueWithdraw(slug: string, storyText: string): OutboxRow {
    const known = this.store.story(slug)?.lastVersion;
    if ((known === null || known === undefined) && !this.store.hasPending(slug)) {
      throw new Error(`the story ${slug} was never sent to the backend: there is nothing to withdraw`);
    }
    return this.store.insertRow({ slug, revision: storyText, status: 'withdrawn', now: this.clock.now() });
  }

  /**
   * Takes the story's waiting changes (queued or paused, not one being sent or in conflict) out of
   * the outbox; they stay in its history as superseded. Returns how many.
   */
  cancel(slug: string): number {
    const now = this.clock.now();
    return this.store.transaction(() => {
      const rows = this.store.rows({ slug, states: ['queued', 'paused'] });
      for (const r of rows) this.store.update(r.id, { state: 'superseded', lastError: 'cancelled by the person' }, now);
      return rows.length;
    });
  }

  /** Clears a 401/403 pause (after a new login) and puts paused rows back in the queue. */
  resume(): void {
    const now = this.clock.now();
    this.store.transaction(() => {
      this.store.setMeta('paused', null);
      this.store.unpauseAll(now);
    });
  }

  /**
   * Resolves a conflict with the merged text: every change still waiting for this story is superseded
   * and the merged text goes out with `If-Match` on the backend's current version. A merge that is
   * the backend's story as it stands sends nothing (null): the story is then in step with it.
   */
  async resolveConflict(slug: string, mergedText: string, status?: PushStatus): Promise<OutboxRow | null> {
    const state = this.store.story(slug);
    const conflict = state?.conflict;
    if (!conflict) throw new Error(`the story ${slug} is not in conflict`);
    const waiting = this.store.rows({ slug, states: PENDING_STATES });
    // A waiting withdrawal is superseded too: the merge says what the story becomes.
    const lastTarget = waiting.filter((r) => r.targetStatus !== 'withdrawn').at(-1)?.targetStatus as PushStatus | undefined;
    const fromText = storyFields(parseStory(mergedText)).status;
    const target: PushStatus =
      status ??
      lastTarget ??
      (PUSH_STATUSES.includes(fromText as PushStatus) ? (fromText as PushStatus) : undefined) ??
      (PUSH_STATUSES.includes(conflict.remoteStatus as PushStatus) ? (conflict.remoteStatus as PushStatus) : 'review');
    const prepared = prepareRevision(mergedText, target);
    if (prepared.slug !== slug) throw new Error(`the merged text has the slug ${prepared.slug}, not ${slug}`);
    const now = this.clock.now();
    // Taking the backend's story as it is: nothing to send, the story is in step with that version.
    const takesBackend = conflict.remoteVersion > 0 && target === conflict.remoteStatus && contentKey(prepared.revision) === contentKey(conflict.remoteText);
    const row = this.store.transaction(() => {
      for (const r of waiting) this.store.update(r.id, { state: 'superseded', lastError: 'superseded by a conflict resolution' }, now);
      this.store.setConflict(slug, null, now);
      if (takesBackend) {
        this.store.setSynced(slug, conflict.remoteVersion, conflict.remoteText, conflict.remoteStatus ?? target, now);
        return null;
      }
      return this.store.insertRow({ slug, revision: prepared.revision, status: target, now, baseVersion: conflict.remoteVersion });
    });
    await this.local.put(slug, takesBackend ? conflict.remoteText : prepared.revision, 'merge');
    return row;
  }

  /** Sends what is due, in order per story, retrying transient failures until done or `maxWaitMs` passes. */
  async push(options: PushOptions = {}): Promise<PushResult> {
    return this.withLock(() => this.pushes.run(options));
  }

  /** Pulls the catalog and story changes since the stored cursors. */
  async pull(): Promise<PullResult> {
    return this.withLock(() => this.pulls.run());
  }

  /** Pulls only the catalog's changes since its cursor. */
  async pullCatalog(): Promise<PullResult> {
    return this.withLock(() => this.pulls.catalog());
  }

  // ── status, lock ────────────────────────────────────────────────────────────────────────────

  status(): SyncStatus {
    const s = this.store;
    const num = (v: string | undefined) => (v === undefined ? null : Number(v));
    return {
      backendUrl: this.backendUrl,
      paused: s.meta('paused') ?? null,
      counts: s.countByState(),
      queued: s.rows({ states: WAITING_STATES }).map((r) => ({
        id: r.id,
        slug: r.storySlug,
        status: r.targetStatus,
        state: r.state,
        attempts: r.attempts,
        nextAttemptAt: r.nextAttemptAt,
        lastError: r.lastError,
      })),
      rejected: latestRejected(s.rows({ states: ['rejected'] }), s).map((r) => ({
        id: r.id,
        slug: r.storySlug,
        status: r.targetStatus,
        diagnostics: r.diagnostics ?? [],
        message: r.lastError,
      })),
      conflicts: s.conflicts(),
      cursors: { catalog: s.cursor('catalog') ?? null, stories: s.cursor('stories') ?? null },
      lastPushAt: num(s.meta('lastPushAt')),
      lastPullAt: num(s.meta('lastPullAt')),
    };
  }

  private async withLock<T>(fn: () => Promise<T>): Promise<T> {
    this.lock.acquire();
    try {
      return await fn();
    } finally {
      this.lock.release();
    }
  }
}

/** Rejected rows not followed by a later change of the same story that went out. */
function latestRejected(rows: OutboxRow[], store: SyncStore): OutboxRow[] {
  return rows.filter((r) => !store.rows({ slug: r.storySlug }).some((o) => o.id > r.id && o.state === 'done'));
}
