/** Retry timing: exponential backoff with full jitter, never sooner than the server's Retry-After. */

export interface BackoffOptions {
  /** First retry ceiling in ms (doubles every attempt). */
  baseMs: number;
  /** Largest ceiling in ms. */
  capMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 500, capMs: 60_000 };

/**
 * The delay before retry number `attempt` (1 for the first retry): a uniformly random time in
 * [0, min(cap, base·2^(attempt-1))) ("full jitter"), raised to `retryAfterMs` when the server asked.
 */
export function backoffDelay(attempt: number, random: () => number, opts: BackoffOptions = DEFAULT_BACKOFF, retryAfterMs?: number): number {
  const exp = Math.min(opts.capMs, opts.baseMs * 2 ** Math.max(0, Math.min(attempt - 1, 30)));
  const jitter = Math.floor(random() * exp);
  return retryAfterMs !== undefined ? Math.max(retryAfterMs, jitter) : jitter;
}

/** `Retry-After` as ms: delta-seconds or an HTTP date (relative to `now`); undefined when absent or unreadable. Capped at one hour. */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const v = value.trim();
  if (v === '') return undefined;
  if (/^\d+$/.test(v)) return Math.min(3_600_000, Number(v) * 1000);
  const t = Date.parse(v);
  if (Number.isNaN(t)) return undefined;
  return Math.min(3_600_000, Math.max(0, t - now));
}
