/**
 * The push: drains the outbox to the backend with idempotent, preconditioned PUTs (and DELETEs for
 * withdrawals), retries with backoff and jitter, pauses on 401/403, records 422 diagnostics and 412
 * conflicts (publishing-protocol.md, "What the studio does with it").
 */
import { errorAnswerSchema, etagFor, isRetryableStatus, storyPutAnswerSchema, type ErrorAnswer } from '../../../shared/protocol/index.js';
import { putBody } from '../../../shared/protocol/wire-story.js';
import { backoffDelay, parseRetryAfter } from './backoff.js';
import { AuthPausedError, RefusedAnswerError, RetryableError, TOKEN_REFUSED, type HttpAnswer } from './http-client.js';
import { PENDING_STATES, type ConflictInfo, type OutboxRow } from './outbox.js';
import { STORY_STATUSES, type StoryStatus } from '../../../shared/index.js';
import { contentKey, remoteToText, withStatus } from './revision.js';
import type { SyncContext } from './context.js';
import { oneLine, type PushOptions, type PushResult } from './types.js';

type Outcome = 'done' | 'rejected' | 'conflict' | 'retry' | 'paused' | 'forbidden';

/** Meta key prefix of an accepted status owed to the person's text (`writeback:<row id>` → status). */
const WRITE_BACK = 'writeback:';

export class Push {
  constructor(private readonly cx: SyncContext) {}

  /** Sends what is due, in order per story, retrying transient failures until done or `maxWaitMs` passes. */
  async run(options: PushOptions): Promise<PushResult> {
    const { store, clock } = this.cx;
    const maxWait = options.maxWaitMs ?? 60_000;
    const started = clock.now();
    const result: PushResult = { sent: 0, done: 0, rejected: 0, conflicts: 0, retried: 0, forbidden: 0, paused: false, remaining: 0 };
    const total = store.rows({ states: ['queued', 'sending'] }).length;
    let settled = 0;
    this.cx.progress({ phase: 'push', done: 0, total });
    store.requeueInterrupted(clock.now());
    await this.finishWriteBacks();
    for (;;) {
      if (store.meta('paused')) {
        result.paused = true;
        break;
      }
      const due = store.dueRows(clock.now());
      if (due.length === 0) {
        const next = store.nextDueAt();
        if (next === undefined) break;
        const now = clock.now();
        if (next - started > maxWait || (maxWait === 0 && next > now)) break;
        await clock.sleep(Math.max(0, next - now));
        continue;
      }
      for (const row of due) {
        if (store.meta('paused')) break;
        if (!this.cx.lock.stillHeld()) throw new Error('another sync worker took over this database');
        result.sent++;
        const outcome = await this.sendRow(row);
        if (outcome !== 'retry') this.cx.progress({ phase: 'push', done: ++settled, total: Math.max(total, settled) });
        if (outcome === 'done') result.done++;
        else if (outcome === 'rejected') result.rejected++;
        else if (outcome === 'conflict') result.conflicts++;
        else if (outcome === 'retry') result.retried++;
        else if (outcome === 'forbidden') result.forbidden++;
        else if (outcome === 'paused') {
          result.paused = true;
          break;
        }
      }
      if (result.paused) break;
    }
    result.remaining = store.rows({ states: ['queued'] }).length;
    store.setMeta('lastPushAt', String(clock.now()));
    return result;
  }

  /** One request, or the failure that settles the row when the transport throws. */
  private async send(row: OutboxRow, method: string, body: string | undefined, headers: Record<string, string>): Promise<HttpAnswer | Outcome> {
    try {
      return await this.cx.http.request(method, `/api/v1/stories/${encodeURIComponent(row.storySlug)}`, body, headers);
    } catch (e) {
      if (e instanceof AuthPausedError) return this.pause(row, e.message);
      if (e instanceof RefusedAnswerError) {
        this.cx.store.update(row.id, { state: 'rejected', lastError: oneLine(e.message) }, this.cx.clock.now());
        this.cx.log(`rejected ${row.storySlug}: ${oneLine(e.message)}`);
        return 'rejected';
      }
      return this.retryLater(row, e as Error);
    }
  }

  private async sendRow(row: OutboxRow): Promise<Outcome> {
    const { store, clock } = this.cx;
    const now = clock.now();
    // The precondition is fixed at the first send and reused, so that a retry is the same request.
    let precondition = row.sentPrecondition;
    if (precondition === null) {
      // baseVersion 0: a conflict resolution against a story the backend no longer has.
      const version = row.baseVersion ?? store.story(row.storySlug)?.lastVersion ?? null;
      precondition = version === null || version === 0 ? '*' : String(version);
    }
    if (row.targetStatus === 'withdrawn' && precondition === '*') {
      store.update(row.id, { state: 'rejected', lastError: 'the backend has no version of this story to withdraw' }, now);
      return 'rejected';
    }
    store.update(row.id, { state: 'sending', attempts: row.attempts + 1, sentPrecondition: precondition }, now);
    if (row.targetStatus === 'withdrawn') return this.sendWithdraw(row, Number(precondition));
    const headers: Record<string, string> = { 'content-type': 'application/json', 'idempotency-key': row.idempotencyKey };
    if (precondition === '*') headers['if-none-match'] = '*';
    else headers['if-match'] = etagFor(Number(precondition));
    const slug = row.storySlug;
    const answer = await this.send(row, 'PUT', JSON.stringify(putBody(row.revision, row.targetStatus)), headers);
    if (typeof answer === 'string') return answer;
    const t = clock.now();
    if (answer.status === 200 || answer.status === 201) {
      const parsed = storyPutAnswerSchema.safeParse(answer.json);
      if (!parsed.success) return this.retryLater(row, new RetryableError(`the backend's answer (${answer.status}) has an unexpected shape`));
      // A publication's date is the backend's: the next pull fetches it into the text.
      store.transaction(() => {
        store.update(row.id, { state: 'done', resultVersion: parsed.data.version, lastError: null, diagnostics: null }, t);
        store.setSynced(slug, parsed.data.version, row.revision, parsed.data.status, t, parsed.data.status === 'published');
        store.setMeta(`${WRITE_BACK}${row.id}`, parsed.data.status);
      });
      await this.writeBackStatus(row, parsed.data.status);
      this.cx.log(`pushed ${slug} as ${row.targetStatus} (v${parsed.data.version})`);
      return 'done';
    }
    const error = errorOf(answer);
    if (answer.status === 422 && error.error !== 'idempotency_key_reused') {
      store.update(
        row.id,
        { state: 'rejected', lastError: oneLine(error.message ?? 'the backend refused the story'), diagnostics: error.diagnostics ?? [] },
        t,
      );
      this.cx.log(`rejected ${slug}: ${oneLine(error.message ?? error.error)}`);
      return 'rejected';
    }
    if (answer.status === 412) return this.recordConflict(row, error, t);
    return this.settleFailure(row, answer, error);
  }

  /**
   * The backend refused our put because it holds a newer version (412): the story is in conflict,
   * the backend's text against the newest change still waiting here, until the person merges.
   */
  private recordConflict(row: OutboxRow, error: ErrorAnswer, t: number): 'conflict' {
    const { store } = this.cx;
    const slug = row.storySlug;
    // No current version: the story is gone from the backend (version 0 stands for "absent").
    const current = error.current ?? { version: 0, status: undefined, story: undefined };
    const remoteStatus = current.status ?? current.story?.status ?? null;
    // The local side: the newest change still waiting for this story (what the person meant to send).
    const local = store.rows({ slug, states: PENDING_STATES }).at(-1)?.revision ?? row.revision;
    const conflict: ConflictInfo = {
      origin: 'push',
      remoteVersion: current.version,
      remoteStatus,
      remoteText: current.story ? remoteToText(slug, current.story, remoteStatus ?? 'review', row.revision) : '',
      localText: local,
      baseText: store.story(slug)?.lastText ?? null,
      detectedAt: t,
    };
    store.transaction(() => {
      store.update(
        row.id,
        {
          state: 'conflict',
          lastError:
            current.version > 0
              ? `the backend has version ${current.version}: resolve the conflict`
              : 'the backend no longer has this story: resolve the conflict',
        },
        t,
      );
      store.setConflict(slug, conflict, t);
    });
    this.cx.log(`conflict on ${slug}: the backend has v${current.version}`);
    return 'conflict';
  }

  /** The answers every change treats alike: 401 pauses the queue, 403 the story, transient ones retry, the rest reject. */
  private settleFailure(row: OutboxRow, answer: HttpAnswer, error: ErrorAnswer): 'rejected' | 'retry' | 'paused' | 'forbidden' {
    const t = this.cx.clock.now();
    if (answer.status === 401) return this.pause(row, TOKEN_REFUSED);
    if (answer.status === 403) {
      const what = row.targetStatus === 'withdrawn' ? 'withdraw stories' : `put stories with status "${row.targetStatus}"`;
      // Only this story waits: the token may still do what the other changes ask.
      const message = `the token's role may not ${what} (403 forbidden): log in with a token of a higher role, or cancel the change`;
      this.cx.store.update(row.id, { state: 'paused', lastError: message }, t);
      this.cx.log(`paused ${row.storySlug}: ${message}`);
      return 'forbidden';
    }
    if (isRetryableStatus(answer.status)) {
      return this.retryLater(
        row,
        new RetryableError(
          `the backend answered ${answer.status}${error.error ? ` ${error.error}` : ''}`,
          parseRetryAfter(answer.headers.get('retry-after'), t),
        ),
      );
    }
    // 400, 413, 428, 422 idempotency_key_reused and the like: a bug or a request the backend will never take.
    this.cx.store.update(
      row.id,
      {
        state: 'rejected',
        lastError: `the backend answered ${answer.status} ${error.error}: ${oneLine(error.message ?? '')}`,
        diagnostics: error.diagnostics ?? [],
      },
      t,
    );
    return 'rejected';
  }

  /**
   * A withdrawal: DELETE with `If-Match`. A 412 whose current version is already withdrawn means an
   * earlier try got through (its answer was lost): done. A 412 on a newer version withdraws that one:
   * withdrawing takes the story off the site whatever its text, and the backend keeps every version.
   */
  private async sendWithdraw(row: OutboxRow, version: number): Promise<Outcome> {
    const { store } = this.cx;
    const slug = row.storySlug;
    const answer = await this.send(row, 'DELETE', undefined, { 'if-match': etagFor(version) });
    if (typeof answer === 'string') return answer;
    const t = this.cx.clock.now();
    const error = errorOf(answer);
    const current = error.current ?? undefined;
    const withdrawnAt =
      answer.status === 200
        ? storyPutAnswerSchema.safeParse(answer.json).data?.version
        : answer.status === 412 && current?.status === 'withdrawn'
          ? current.version
          : undefined;
    if (withdrawnAt !== undefined) {
      const last = store.story(slug)?.lastText ?? row.revision;
      store.transaction(() => {
        store.update(row.id, { state: 'done', resultVersion: withdrawnAt, lastError: null }, t);
        store.setSynced(slug, withdrawnAt, last, 'withdrawn', t);
        store.setMeta(`${WRITE_BACK}${row.id}`, 'withdrawn');
      });
      await this.writeBackStatus(row, 'withdrawn');
      this.cx.log(`withdrew ${slug} (v${withdrawnAt})`);
      return 'done';
    }
    if (answer.status === 412 && current) {
      store.update(
        row.id,
        {
          state: 'queued',
          sentPrecondition: String(current.version),
          nextAttemptAt: t,
          lastError: `the backend had v${current.version}: withdrawing that version`,
        },
        t,
      );
      return 'retry';
    }
    if (answer.status === 404) {
      store.update(row.id, { state: 'rejected', lastError: 'the backend no longer has this story' }, t);
      return 'rejected';
    }
    return this.settleFailure(row, answer, error);
  }

  /**
   * The backend accepted the change: its status goes into the person's text (a withdrawn story is a
   * draft again: nothing says published once it is off the site) — unless the text has changed
   * since, when it stays as the person left it and the next change carries their status.
   */
  private async writeBackStatus(row: OutboxRow, accepted: string): Promise<void> {
    const local = await this.cx.local.get(row.storySlug);
    if (local === undefined) return;
    const status: StoryStatus | undefined = accepted === 'withdrawn' ? 'draft' : STORY_STATUSES.find((s) => s === accepted);
    if (!status) return;
    if (row.targetStatus !== 'withdrawn' && contentKey(local) !== contentKey(row.revision)) return;
    const text = withStatus(local, status);
    if (text !== local) await this.cx.local.put(row.storySlug, text, 'status');
    this.cx.store.setMeta(`${WRITE_BACK}${row.id}`, null);
  }

  /**
   * The accepted statuses a crash kept from being written back (the row was marked done, in the
   * same transaction as the mark that the write-back is owed, and the process died before it):
   * written now, before anything else is sent.
   */
  private async finishWriteBacks(): Promise<void> {
    for (const [key, accepted] of this.cx.store.metaEntries(WRITE_BACK)) {
      const row = this.cx.store.row(Number(key.slice(WRITE_BACK.length)));
      if (row) await this.writeBackStatus(row, accepted);
      else this.cx.store.setMeta(key, null);
    }
  }

  private retryLater(row: OutboxRow, e: Error): 'retry' {
    const now = this.cx.clock.now();
    const attempts = row.attempts + 1;
    const delay = backoffDelay(attempts, this.cx.random, this.cx.backoff, e instanceof RetryableError ? e.retryAfterMs : undefined);
    this.cx.store.update(row.id, { state: 'queued', nextAttemptAt: now + delay, lastError: oneLine(e.message) }, now);
    this.cx.log(`retrying ${row.storySlug} in ${delay} ms: ${oneLine(e.message)}`);
    return 'retry';
  }

  private pause(row: OutboxRow, message: string): 'paused' {
    const { store } = this.cx;
    const now = this.cx.clock.now();
    store.transaction(() => {
      store.update(row.id, { state: 'paused', lastError: message }, now);
      store.setMeta('paused', message);
    });
    this.cx.log(`paused: ${message}`);
    return 'paused';
  }
}

/** The error answer's fields, or a stand-in naming the status when the body is not one. */
function errorOf(answer: HttpAnswer): ErrorAnswer {
  const err = errorAnswerSchema.safeParse(answer.json);
  return err.success ? err.data : { error: `http_${answer.status}`, message: answer.text.slice(0, 200) };
}
