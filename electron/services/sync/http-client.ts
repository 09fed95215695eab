/**
 * The sync engine's HTTP client: every request carries the token, has a time limit, and comes back
 * as an answer (status, headers, JSON) or as an error that says whether it is worth retrying.
 */
import { isRetryableStatus } from '../../../shared/protocol/index.js';
import { backoffDelay, parseRetryAfter, type BackoffOptions } from './backoff.js';
import type { Clock, TokenProvider } from './types.js';

/** A failure of the transport or a retryable answer. */
export class RetryableError extends Error {
  constructor(message: string, readonly retryAfterMs?: number) { super(message); }
}

/** Authentication or authorization refused: the queue pauses. */
export class AuthPausedError extends Error {
  override name = 'AuthPausedError';
}

export interface HttpAnswer { status: number; headers: Headers; json: unknown; text: string }

export interface HttpClientOptions {
  backendUrl: string;
  token: TokenProvider;
  fetch?: typeof globalThis.fetch;
  clock: Clock;
  random: () => number;
  backoff: BackoffOptions;
  /** Per-request timeout in ms (AbortController). */
  timeoutMs: number;
  /** Called when a read is refused (401/403), with the message the queue pauses on. */
  onRefused?: (message: string) => void;
}

/** GETs of a pull are tried this many times in all before the pull gives up. */
const GET_ATTEMPTS = 8;

export const TOKEN_REFUSED = 'the backend refused the token (401): log in again with `studio login`';

export class HttpClient {
  readonly base: string;
  private readonly fetchFn: typeof globalThis.fetch;

  constructor(private readonly opts: HttpClientOptions) {
    this.base = opts.backendUrl.replace(/\/+$/, '');
    this.fetchFn = opts.fetch ?? globalThis.fetch;
  }

  /** GET with retries on transient failures (a few, with backoff); 404 is undefined when `allow404`. */
  async getJson(path: string, allow404 = false): Promise<unknown> {
    const what = `GET ${path.split('?')[0]}`;
    for (let attempt = 1; ; attempt++) {
      let failure: Error;
      try {
        const answer = await this.request('GET', path);
        if (answer.status === 200) return answer.json;
        if (answer.status === 404 && allow404) return undefined;
        if (answer.status === 401 || answer.status === 403) {
          const msg = answer.status === 401 ? TOKEN_REFUSED : 'the token may not read from the backend (403 forbidden)';
          this.opts.onRefused?.(msg);
          throw new AuthPausedError(msg);
        }
        if (!isRetryableStatus(answer.status)) throw new Error(`${what} answered ${answer.status}`);
        failure = new RetryableError(`${what} answered ${answer.status}`, parseRetryAfter(answer.headers.get('retry-after'), this.opts.clock.now()));
      } catch (e) {
        if (!(e instanceof RetryableError)) throw e;
        failure = e;
      }
      if (attempt >= GET_ATTEMPTS) throw failure;
      await this.opts.clock.sleep(backoffDelay(attempt, this.opts.random, this.opts.backoff, (failure as RetryableError).retryAfterMs));
    }
  }

  /** One request with the token. Network errors and timeouts throw RetryableError; the message never holds the token. */
  async request(method: string, path: string, body?: string, headers: Record<string, string> = {}): Promise<HttpAnswer> {
    const token = await this.opts.token();
    if (!token) throw new AuthPausedError('no token: log in with `studio login --backend URL`');
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.opts.timeoutMs);
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
      const err = e as Error & { cause?: { code?: string } };
      const what = controller.signal.aborted ? `timed out after ${this.opts.timeoutMs} ms` : `network error${err.cause?.code ? ` (${err.cause.code})` : ''}`;
      throw new RetryableError(`${method} ${path.split('?')[0]}: ${what}`);
    } finally {
      clearTimeout(timer);
    }
  }
}
