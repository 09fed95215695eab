/**
 * One round of review-note sync with the backend (publishing-protocol.md, "Review notes"): the
 * notes outbox drains (each row with the Idempotency-Key it was given when it was made, retried with
 * the story outbox's rules), then each followed story's notes are pulled by cursor. A note changed on
 * both sides keeps both texts: the local one stays the note's, the backend's is kept beside it until
 * the person settles it. Nothing here drops a note's text.
 */
import { isRetryableStatus } from '../../../shared/protocol/index.js';
import { noteSchema, type Note } from '../../../shared/index.js';
import { backoffDelay, parseRetryAfter, type BackoffOptions } from '../sync/backoff.js';
import { RetryableError, type HttpClient } from '../sync/http-client.js';
import type { NotesStore, LocalNote } from './store.js';

export interface NotesRoundOptions {
  http: HttpClient;
  now: () => number;
  random: () => number;
  backoff: BackoffOptions;
  /** The stories whose notes are pulled this round. */
  slugs: readonly string[];
  log: (line: string) => void;
  /** Pages of one story's notes pulled at most per round. */
  maxPages?: number;
}

export interface NotesRoundResult {
  sent: number;
  conflicts: number;
  rejected: number;
  pulled: number;
  skipped: number;
}

const PAGE = 1_000;

function notesPath(slug: string, id?: string): string {
  return `/api/v1/stories/${encodeURIComponent(slug)}/notes${id ? `/${encodeURIComponent(id)}` : ''}`;
}

/** The local note brought in step with the backend's answer (a later local change, still queued, stays). */
function adopt(local: LocalNote | null, remote: Note, keepLocalText: boolean): LocalNote {
  return {
    id: remote.id,
    storySlug: remote.storySlug,
    storyId: local?.storyId ?? null,
    body: keepLocalText && local ? local.body : remote.body,
    anchor: remote.anchor ?? null,
    localAnchor: local?.localAnchor ?? null,
    state: keepLocalText && local ? local.state : remote.state,
    replyTo: remote.replyTo ?? null,
    author: remote.author,
    role: remote.role,
    version: remote.version,
    createdAt: remote.createdAt,
    updatedAt: remote.updatedAt,
    remote: null,
  };
}

export async function syncNotes(store: NotesStore, o: NotesRoundOptions): Promise<NotesRoundResult> {
  const result: NotesRoundResult = { sent: 0, conflicts: 0, rejected: 0, pulled: 0, skipped: 0 };

  // ── push: the first waiting row of each note
  for (const row of store.due(o.now())) {
    const note = store.get(row.noteId);
    // The precondition is fixed on the first attempt, so that every retry is the same request.
    let precondition = row.sentPrecondition;
    if (precondition === null) {
      precondition = note?.version ? `"v${note.version}"` : '*';
      store.fixPrecondition(row.id, precondition);
    }
    const headers: Record<string, string> = { 'content-type': 'application/json', 'idempotency-key': row.idempotencyKey };
    headers[precondition === '*' ? 'if-none-match' : 'if-match'] = precondition;
    let answer;
    try {
      answer = await o.http.request('PUT', notesPath(row.storySlug, row.noteId), JSON.stringify(row.body), headers);
    } catch (e) {
      if (!(e instanceof RetryableError)) throw e;
      store.retryLater(row.id, o.now() + backoffDelay(row.attempts + 1, o.random, o.backoff, e.retryAfterMs), e.message);
      continue;
    }
    const message = (answer.json as { message?: unknown } | undefined)?.message;
    const why = `${answer.status}${typeof message === 'string' ? `: ${message.slice(0, 300)}` : ''}`;
    if (answer.status === 200 || answer.status === 201) {
      const parsed = noteSchema.safeParse(answer.json);
      store.transaction(() => {
        store.remove(row.id);
        if (parsed.success) store.put(adopt(store.get(row.noteId), parsed.data, store.pending(row.noteId).length > 0));
      });
      result.sent++;
    } else if (answer.status === 412) {
      const current = noteSchema.safeParse((answer.json as { current?: unknown } | undefined)?.current);
      store.transaction(() => {
        store.settle(row.id, 'conflict', `the note changed on the backend (${why})`);
        const local = store.get(row.noteId);
        if (local && current.success) store.put({ ...local, remote: current.data });
      });
      result.conflicts++;
    } else if (answer.status === 401) {
      o.log(`notes: the backend refused the token (401); notes wait for the next round`);
      break;
    } else if (isRetryableStatus(answer.status)) {
      const retryAfter = parseRetryAfter(answer.headers.get('retry-after'), o.now());
      store.retryLater(row.id, o.now() + backoffDelay(row.attempts + 1, o.random, o.backoff, retryAfter), `the backend answered ${why}`);
    } else {
      // 400, 403, 404, 422: this note's change cannot go as it is; only it waits for the person.
      store.settle(row.id, 'rejected', `the backend refused the note (${why})`);
      result.rejected++;
    }
  }

  // ── pull: each followed story's notes since its cursor
  for (const slug of o.slugs) {
    let cursor = store.cursor(slug);
    for (let page = 0; page < (o.maxPages ?? 20); page++) {
      const json = (await o.http.getJson(`${notesPath(slug)}?limit=${PAGE}${cursor ? `&since=${encodeURIComponent(cursor)}` : ''}`, true)) as
        { items?: unknown; cursor?: unknown; hasMore?: unknown } | undefined;
      if (!json || !Array.isArray(json.items)) break; // the story is not on the backend (404), or keeps no notes
      store.transaction(() => {
        for (const item of json.items as unknown[]) {
          const remote = noteSchema.safeParse(item);
          if (!remote.success || remote.data.storySlug !== slug) {
            result.skipped++;
            o.log(`notes: skipped a note of "${slug}" that does not fit the protocol`);
            continue;
          }
          const local = store.get(remote.data.id);
          if (local && (local.version ?? 0) >= remote.data.version) continue;
          const waiting = store.pending(remote.data.id).length > 0;
          // Changed here and there: both texts kept, the backend's beside the local one.
          if (local && waiting) store.put({ ...local, remote: remote.data });
          else store.put(adopt(local, remote.data, false));
          result.pulled++;
        }
        if (typeof json.cursor === 'string' || typeof json.cursor === 'number') store.setCursor(slug, String(json.cursor));
      });
      cursor = store.cursor(slug);
      if (json.hasMore !== true) break;
    }
  }
  return result;
}
