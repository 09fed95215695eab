/**
 * The sync engine (publishing-protocol.md, "What the studio does with it"): drains the outbox to the
 * backend with idempotent, preconditioned PUTs, retries with backoff and jitter, pauses on 401/403,
 * records 422 diagnostics and 412 conflicts, and pulls catalog and story changes since its cursors.
 */
import type Database from 'better-sqlite3';
import {
  catalogPageSchema, errorAnswerSchema, etagFor, isRetryableStatus, storyGetAnswerSchema, storyListPageSchema, storyPutAnswerSchema,
  PUSH_STATUSES, type ErrorAnswer, type OutboxTarget, type PushStatus, type RemoteStory,
} from '../../../shared/protocol/index.js';
import { storyFields, parseStory } from '../../../shared/index.js';
import { backoffDelay, DEFAULT_BACKOFF, parseRetryAfter, type BackoffOptions } from './backoff.js';
import { SyncLock } from './lock.js';
import { SyncStore, type ConflictInfo, type OutboxRow, PENDING_STATES } from './outbox.js';
import { putBody } from '../../../shared/protocol/wire-story.js';
import { contentKey, prepareRevision, remoteToText } from './revision.js';

/**
 * Where the engine reads and writes the person's stories (the library, or memory in tests). `put`
 * says why it writes: a pull's fast-forward, or the person's merge of a conflict.
 */
export interface LocalStories {
  get(slug: string): Promise<string | undefined> | string | undefined;
  put(slug: string, text: string, why: 'pull' | 'merge'): Promise<void> | void;
}

export class MemoryStories implements LocalStories {
  readonly texts = new Map<string, string>();
  get(slug: string): string | undefined { return this.texts.get(slug); }
  put(slug: string, text: string): void { this.texts.set(slug, text); }
}

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
};

export type TokenProvider = () => string | undefined | Promise<string | undefined>;

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
  /** Lock staleness in ms. */
  lockStaleMs?: number;
  /** Called with one-line progress messages (never holding the token). */
  log?: (line: string) => void;
  /** Called as a push or pull advances (for progress bars). */
  progress?: (p: SyncProgress) => void;
}

/** How far a push or a pull has come: changes settled out of those waiting, items pulled so far. */
export interface SyncProgress {
  phase: 'push' | 'pull';
  done: number;
  /** Known for a push (the changes waiting when it started); a pull learns its size as it goes. */
  total: number | null;
}

export interface PushOptions {
  /** Wait for rows in backoff until this many ms have passed (0: one pass over what is due now). Default 60 s. */
  maxWaitMs?: number;
}

export interface PushResult {
  sent: number;
  done: number;
  rejected: number;
  conflicts: number;
  retried: number;
  paused: boolean;
  /** Rows still queued (in backoff) when push returned. */
  remaining: number;
}

export interface PullResult {
  fastForwarded: string[];
  conflicts: string[];
  catalogChanges: number;
  storiesSeen: number;
}

export interface SyncStatus {
  backendUrl: string;
  paused: string | null;
  counts: Record<string, number>;
  queued: { id: number; slug: string; status: OutboxTarget; attempts: number; nextAttemptAt: number; lastError: string | null }[];
  rejected: { id: number; slug: string; status: OutboxTarget; diagnostics: unknown[]; message: string | null }[];
  conflicts: (ConflictInfo & { slug: string })[];
  cursors: { catalog: string | null; stories: string | null };
  lastPushAt: number | null;
  lastPullAt: number | null;
}

/** A failure of the transport or a retryable answer. */
class RetryableError extends Error {
  constructor(message: string, readonly retryAfterMs?: number) { super(message); }
}

/** Authentication or authorization refused: the queue pauses. */
export class AuthPausedError extends Error {
  override name = 'AuthPausedError';
}

interface HttpAnswer { status: number; headers: Headers; json: unknown; text: string }

export class SyncEngine<L extends LocalStories = LocalStories> {
  readonly store: SyncStore;
  private readonly base: string;
  private readonly fetchFn: typeof globalThis.fetch;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly backoff: BackoffOptions;
  private readonly timeoutMs: number;
  private readonly pageSize: number;
  readonly local: L;
  private readonly lock: SyncLock;
  private readonly log: (line: string) => void;
  private readonly progress: (p: SyncProgress) => void;

  constructor(private readonly opts: SyncEngineOptions<L>) {
    this.store = new SyncStore(opts.db);
    this.base = opts.backendUrl.replace(/\/+$/, '');
    this.fetchFn = opts.fetch ?? globalThis.fetch;
    this.clock = opts.clock ?? systemClock;
    this.random = opts.random ?? Math.random;
    this.backoff = opts.backoff ?? DEFAULT_BACKOFF;
    this.timeoutMs = opts.timeoutMs ?? 15_000;
    this.pageSize = opts.pageSize ?? 5000;
    this.local = opts.local ?? (new MemoryStories() as LocalStories as L);
    this.lock = new SyncLock(this.store, { staleMs: opts.lockStaleMs, now: () => Date.now() });
    this.log = opts.log ?? (() => {});
    this.progress = opts.progress ?? (() => {});
  }

  /** The backend this engine talks to (no trailing slash). */
  get backendUrl(): string {
    return this.base;
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
    const target: PushStatus = status
      ?? lastTarget
      ?? (PUSH_STATUSES.includes(fromText as PushStatus) ? (fromText as PushStatus) : undefined)
      ?? (PUSH_STATUSES.includes(conflict.remoteStatus as PushStatus) ? (conflict.remoteStatus as PushStatus) : 'review');
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

  // ── push ────────────────────────────────────────────────────────────────────────────────────

  /** Sends what is due, in order per story, retrying transient failures until done or `maxWaitMs` passes. */
  async push(options: PushOptions = {}): Promise<PushResult> {
    return this.withLock(() => this.pushLocked(options));
  }

  private async pushLocked(options: PushOptions): Promise<PushResult> {
    const maxWait = options.maxWaitMs ?? 60_000;
    const started = this.clock.now();
    const result: PushResult = { sent: 0, done: 0, rejected: 0, conflicts: 0, retried: 0, paused: false, remaining: 0 };
    const total = this.store.rows({ states: ['queued', 'sending'] }).length;
    let settled = 0;
    this.progress({ phase: 'push', done: 0, total });
    this.store.requeueInterrupted(this.clock.now());
    for (;;) {
      if (this.store.meta('paused')) { result.paused = true; break; }
      const due = this.store.dueRows(this.clock.now());
      if (due.length === 0) {
        const next = this.store.nextDueAt();
        if (next === undefined) break;
        const now = this.clock.now();
        if (next - started > maxWait || (maxWait === 0 && next > now)) break;
        await this.clock.sleep(Math.max(0, next - now));
        continue;
      }
      for (const row of due) {
        if (this.store.meta('paused')) break;
        if (!this.lock.stillHeld()) throw new Error('another sync worker took over this database');
        result.sent++;
        const outcome = await this.sendRow(row);
        if (outcome !== 'retry') this.progress({ phase: 'push', done: ++settled, total: Math.max(total, settled) });
        if (outcome === 'done') result.done++;
        else if (outcome === 'rejected') result.rejected++;
        else if (outcome === 'conflict') result.conflicts++;
        else if (outcome === 'retry') result.retried++;
        else if (outcome === 'paused') { result.paused = true; break; }
      }
      if (result.paused) break;
    }
    result.remaining = this.store.rows({ states: ['queued'] }).length;
    this.store.setMeta('lastPushAt', String(this.clock.now()));
    return result;
  }

  private async sendRow(row: OutboxRow): Promise<'done' | 'rejected' | 'conflict' | 'retry' | 'paused'> {
    const now = this.clock.now();
    // The precondition is fixed at the first send and reused, so that a retry is the same request.
    let precondition = row.sentPrecondition;
    if (precondition === null) {
      // baseVersion 0: a conflict resolution against a story the backend no longer has.
      const version = row.baseVersion ?? this.store.story(row.storySlug)?.lastVersion ?? null;
      precondition = version === null || version === 0 ? '*' : String(version);
    }
    if (row.targetStatus === 'withdrawn' && precondition === '*') {
      this.store.update(row.id, { state: 'rejected', lastError: 'the backend has no version of this story to withdraw' }, now);
      return 'rejected';
    }
    this.store.update(row.id, { state: 'sending', attempts: row.attempts + 1, sentPrecondition: precondition }, now);
    if (row.targetStatus === 'withdrawn') return this.sendWithdraw(row, Number(precondition));
    const headers: Record<string, string> = { 'content-type': 'application/json', 'idempotency-key': row.idempotencyKey };
    if (precondition === '*') headers['if-none-match'] = '*';
    else headers['if-match'] = etagFor(Number(precondition));
    const slug = row.storySlug;
    let answer: HttpAnswer;
    try {
      answer = await this.http('PUT', `/api/v1/stories/${encodeURIComponent(slug)}`, JSON.stringify(putBody(row.revision, row.targetStatus)), headers);
    } catch (e) {
      if (e instanceof AuthPausedError) return this.pause(row, e.message);
      return this.retryLater(row, e as Error);
    }
    const t = this.clock.now();
    if (answer.status === 200 || answer.status === 201) {
      const parsed = storyPutAnswerSchema.safeParse(answer.json);
      if (!parsed.success) return this.retryLater(row, new RetryableError(`the backend's answer (${answer.status}) has an unexpected shape`));
      this.store.transaction(() => {
        this.store.update(row.id, { state: 'done', resultVersion: parsed.data.version, lastError: null, diagnostics: null }, t);
        this.store.setSynced(slug, parsed.data.version, row.revision, parsed.data.status, t);
      });
      this.log(`pushed ${slug} as ${row.targetStatus} (v${parsed.data.version})`);
      return 'done';
    }
    const err = errorAnswerSchema.safeParse(answer.json);
    const error: ErrorAnswer = err.success ? err.data : { error: `http_${answer.status}`, message: answer.text.slice(0, 200) };
    if (answer.status === 422 && error.error !== 'idempotency_key_reused') {
      this.store.update(row.id, { state: 'rejected', lastError: oneLine(error.message ?? 'the backend refused the story'), diagnostics: error.diagnostics ?? [] }, t);
      this.log(`rejected ${slug}: ${oneLine(error.message ?? error.error)}`);
      return 'rejected';
    }
    if (answer.status === 412) {
      // No current version: the story is gone from the backend (version 0 stands for "absent").
      const current = error.current ?? { version: 0, status: undefined, story: undefined };
      const remoteStatus = current.status ?? current.story?.status ?? null;
      // The local side: the newest change still waiting for this story (what the person meant to send).
      const local = this.store.rows({ slug, states: PENDING_STATES }).at(-1)?.revision ?? row.revision;
      const conflict: ConflictInfo = {
        origin: 'push', remoteVersion: current.version, remoteStatus,
        remoteText: current.story ? remoteToText(slug, current.story, remoteStatus ?? 'review', row.revision) : '',
        localText: local,
        baseText: this.store.story(slug)?.lastText ?? null, detectedAt: t,
      };
      this.store.transaction(() => {
        this.store.update(row.id, { state: 'conflict', lastError: current.version > 0 ? `the backend has version ${current.version}: resolve the conflict` : 'the backend no longer has this story: resolve the conflict' }, t);
        this.store.setConflict(slug, conflict, t);
      });
      this.log(`conflict on ${slug}: the backend has v${current.version}`);
      return 'conflict';
    }
    return this.settleFailure(row, answer, error);
  }

  /** The answers every change treats alike: 401/403 pause, transient ones retry, the rest reject. */
  private settleFailure(row: OutboxRow, answer: HttpAnswer, error: ErrorAnswer): 'rejected' | 'retry' | 'paused' {
    const t = this.clock.now();
    if (answer.status === 401) return this.pause(row, 'the backend refused the token (401): log in again with `studio login`');
    if (answer.status === 403) {
      const what = row.targetStatus === 'withdrawn' ? 'withdraw stories' : `put stories with status "${row.targetStatus}"`;
      return this.pause(row, `the token's role may not ${what} (403 forbidden): log in with a token of a higher role`);
    }
    if (isRetryableStatus(answer.status)) {
      return this.retryLater(row, new RetryableError(`the backend answered ${answer.status}${error.error ? ` ${error.error}` : ''}`, parseRetryAfter(answer.headers.get('retry-after'), t)));
    }
    // 400, 413, 428, 422 idempotency_key_reused and the like: a bug or a request the backend will never take.
    this.store.update(row.id, { state: 'rejected', lastError: `the backend answered ${answer.status} ${error.error}: ${oneLine(error.message ?? '')}`, diagnostics: error.diagnostics ?? [] }, t);
    return 'rejected';
  }

  /**
   * A withdrawal: DELETE with `If-Match`. A 412 whose current version is already withdrawn means an
   * earlier try got through (its answer was lost): done. A 412 on a newer version withdraws that one:
   * withdrawing takes the story off the site whatever its text, and the backend keeps every version.
   */
  private async sendWithdraw(row: OutboxRow, version: number): Promise<'done' | 'rejected' | 'retry' | 'paused'> {
    const slug = row.storySlug;
    let answer: HttpAnswer;
    try {
      answer = await this.http('DELETE', `/api/v1/stories/${encodeURIComponent(slug)}`, undefined, { 'if-match': etagFor(version) });
    } catch (e) {
      if (e instanceof AuthPausedError) return this.pause(row, e.message);
      return this.retryLater(row, e as Error);
    }
    const t = this.clock.now();
    const err = errorAnswerSchema.safeParse(answer.json);
    const current = err.success ? err.data.current : undefined;
    const withdrawnAt = answer.status === 200 ? storyPutAnswerSchema.safeParse(answer.json).data?.version
      : answer.status === 412 && current?.status === 'withdrawn' ? current.version : undefined;
    if (withdrawnAt !== undefined) {
      const last = this.store.story(slug)?.lastText ?? row.revision;
      this.store.transaction(() => {
        this.store.update(row.id, { state: 'done', resultVersion: withdrawnAt, lastError: null }, t);
        this.store.setSynced(slug, withdrawnAt, last, 'withdrawn', t);
      });
      this.log(`withdrew ${slug} (v${withdrawnAt})`);
      return 'done';
    }
    if (answer.status === 412 && current) {
      this.store.update(row.id, { state: 'queued', sentPrecondition: String(current.version), nextAttemptAt: t, lastError: `the backend had v${current.version}: withdrawing that version` }, t);
      return 'retry';
    }
    if (answer.status === 404) {
      this.store.update(row.id, { state: 'rejected', lastError: 'the backend no longer has this story' }, t);
      return 'rejected';
    }
    return this.settleFailure(row, answer, err.success ? err.data : { error: `http_${answer.status}`, message: answer.text.slice(0, 200) });
  }

  private retryLater(row: OutboxRow, e: Error): 'retry' {
    const now = this.clock.now();
    const attempts = row.attempts + 1;
    const delay = backoffDelay(attempts, this.random, this.backoff, e instanceof RetryableError ? e.retryAfterMs : undefined);
    this.store.update(row.id, { state: 'queued', nextAttemptAt: now + delay, lastError: oneLine(e.message) }, now);
    this.log(`retrying ${row.storySlug} in ${delay} ms: ${oneLine(e.message)}`);
    return 'retry';
  }

  private pause(row: OutboxRow, message: string): 'paused' {
    const now = this.clock.now();
    this.store.transaction(() => {
      this.store.update(row.id, { state: 'paused', lastError: message }, now);
      this.store.setMeta('paused', message);
    });
    this.log(`paused: ${message}`);
    return 'paused';
  }

  // ── pull ────────────────────────────────────────────────────────────────────────────────────

  /** Pulls the catalog and story changes since the stored cursors. */
  async pull(): Promise<PullResult> {
    return this.withLock(() => this.pullLocked());
  }

  private async pullLocked(): Promise<PullResult> {
    const result: PullResult = { fastForwarded: [], conflicts: [], catalogChanges: 0, storiesSeen: 0 };
    // Catalog
    for (;;) {
      const since = this.store.cursor('catalog');
      const page = catalogPageSchema.parse(await this.getJson(`/api/v1/catalog?${query(since, this.pageSize)}`));
      this.store.transaction(() => {
        for (const kind of ['entities', 'beats', 'stories'] as const) {
          for (const item of page[kind]) {
            this.store.putCatalogItem(kind, item.slug, (item as { deleted?: boolean }).deleted === true ? null : item);
            result.catalogChanges++;
          }
        }
        if (page.cursor !== undefined && page.cursor !== null) this.store.setCursor('catalog', String(page.cursor));
      });
      if (!page.hasMore || page.cursor === undefined || page.cursor === null || String(page.cursor) === since) break;
    }
    // Stories
    for (;;) {
      const since = this.store.cursor('stories');
      const page = storyListPageSchema.parse(await this.getJson(`/api/v1/stories?${query(since, this.pageSize)}`));
      for (const [i, item] of page.items.entries()) {
        result.storiesSeen++;
        this.progress({ phase: 'pull', done: result.storiesSeen, total: page.hasMore ? null : result.storiesSeen + page.items.length - i - 1 });
        const outcome = await this.pullStory(item.slug, item.version);
        if (outcome === 'fast-forward') result.fastForwarded.push(item.slug);
        else if (outcome === 'conflict') result.conflicts.push(item.slug);
      }
      if (page.cursor !== undefined && page.cursor !== null) this.store.setCursor('stories', String(page.cursor));
      if (!page.hasMore || page.cursor === undefined || page.cursor === null || String(page.cursor) === since) break;
    }
    this.store.setMeta('lastPullAt', String(this.clock.now()));
    return result;
  }

  private async pullStory(slug: string, version: number): Promise<'skip' | 'fast-forward' | 'conflict' | 'same'> {
    const state = this.store.story(slug);
    if (state?.lastVersion !== null && state?.lastVersion !== undefined && state.lastVersion >= version) return 'skip';
    // A change of ours still on its way: the push settles it (a 412 there if the backend moved on).
    if (this.store.hasPending(slug)) return 'skip';
    const json = await this.getJson(`/api/v1/stories/${encodeURIComponent(slug)}`, true);
    if (json === undefined) return 'skip';
    const remote = storyGetAnswerSchema.parse(json);
    const local = await this.local.get(slug);
    const remoteText = remoteToText(slug, remote.story as RemoteStory, remote.status, local);
    const now = this.clock.now();
    const unchangedLocally = local === undefined || (state?.lastText != null && contentKey(local) === contentKey(state.lastText));
    if (unchangedLocally || contentKey(local) === contentKey(remoteText)) {
      await this.local.put(slug, remoteText, 'pull');
      this.store.transaction(() => {
        this.store.setSynced(slug, remote.version, remoteText, remote.status, now);
        if (state?.conflict) this.store.setConflict(slug, null, now);
      });
      this.log(`pulled ${slug} (v${remote.version})`);
      return unchangedLocally ? 'fast-forward' : 'same';
    }
    this.store.setConflict(slug, {
      origin: 'pull', remoteVersion: remote.version, remoteStatus: remote.status, remoteText, localText: local,
      baseText: state?.lastText ?? null, detectedAt: now,
    }, now);
    this.log(`conflict on ${slug}: changed here and on the backend (v${remote.version})`);
    return 'conflict';
  }

  /** GET with retries on transient failures (a few, with backoff); 404 is undefined when `allow404`. */
  private async getJson(path: string, allow404 = false): Promise<unknown> {
    let attempt = 0;
    for (;;) {
      attempt++;
      let answer: HttpAnswer | undefined;
      let failure: Error | undefined;
      try {
        answer = await this.http('GET', path);
      } catch (e) {
        if (e instanceof AuthPausedError) throw e;
        failure = e as Error;
      }
      if (answer) {
        if (answer.status === 200) return answer.json;
        if (answer.status === 404 && allow404) return undefined;
        if (answer.status === 401 || answer.status === 403) {
          const msg = answer.status === 401 ? 'the backend refused the token (401): log in again with `studio login`' : 'the token may not read from the backend (403 forbidden)';
          this.store.setMeta('paused', msg);
          throw new AuthPausedError(msg);
        }
        if (!isRetryableStatus(answer.status)) {
          throw new Error(`GET ${path.split('?')[0]} answered ${answer.status}`);
        }
        failure = new RetryableError(`GET ${path.split('?')[0]} answered ${answer.status}`, parseRetryAfter(answer.headers.get('retry-after'), this.clock.now()));
      }
      if (attempt >= 8) throw failure!;
      await this.clock.sleep(backoffDelay(attempt, this.random, this.backoff, failure instanceof RetryableError ? failure.retryAfterMs : undefined));
    }
  }

  private async http(method: string, path: string, body?: string, headers: Record<string, string> = {}): Promise<HttpAnswer> {
    const token = await this.opts.token();
    if (!token) throw new AuthPausedError('no token: log in with `studio login --backend URL`');
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.timeoutMs);
    try {
      const res = await this.fetchFn(this.base + path, {
        method, body, signal: controller.signal,
        headers: { ...headers, authorization: `Bearer ${token}`, accept: 'application/json' },
      });
      const text = await res.text();
      let json: unknown;
      try { json = text === '' ? undefined : JSON.parse(text); } catch { json = undefined; }
      return { status: res.status, headers: res.headers, json, text };
    } catch (e) {
      // Network errors and timeouts are retryable. The message never holds the token.
      const err = e as Error & { cause?: { code?: string } };
      const what = controller.signal.aborted ? `timed out after ${this.timeoutMs} ms` : `network error${err.cause?.code ? ` (${err.cause.code})` : ''}`;
      throw new RetryableError(`${method} ${path.split('?')[0]}: ${what}`);
    } finally {
      clearTimeout(timer);
    }
  }

  // ── status, lock ────────────────────────────────────────────────────────────────────────────

  status(): SyncStatus {
    const s = this.store;
    const num = (v: string | undefined) => (v === undefined ? null : Number(v));
    return {
      backendUrl: this.base,
      paused: s.meta('paused') ?? null,
      counts: s.countByState(),
      queued: s.rows({ states: ['queued', 'sending', 'paused'] }).map((r) => ({ id: r.id, slug: r.storySlug, status: r.targetStatus, attempts: r.attempts, nextAttemptAt: r.nextAttemptAt, lastError: r.lastError })),
      rejected: latestRejected(s.rows({ states: ['rejected'] }), s).map((r) => ({ id: r.id, slug: r.storySlug, status: r.targetStatus, diagnostics: r.diagnostics ?? [], message: r.lastError })),
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

function query(since: string | undefined, limit: number): string {
  const q = new URLSearchParams();
  if (since !== undefined) q.set('since', since);
  q.set('limit', String(limit));
  return q.toString();
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim().slice(0, 500);
}
