/**
 * The sync engine's HTTP client: every request carries the token, has a time limit, and comes back
 * as an answer (status, headers, JSON) or as an error that says whether it is worth retrying.
 */
import { isRetryableStatus, parseJsonBounded } from '../../../shared/protocol/index.js';
import { backoffDelay, parseRetryAfter, type BackoffOptions } from './backoff.js';
import type { Clock, TokenProvider } from './types.js';

/** A failure of the transport or a retryable answer. */
export class RetryableError extends Error {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** Authentication or authorization refused: the queue pauses. */
export class AuthPausedError extends Error {
  override name = 'AuthPausedError';
}

/**
 * An answer the studio will not take whatever it retries: a redirect (never followed: a token and a
 * story body go to the backend the person named, nowhere else), or one over the size limit.
 */
export class RefusedAnswerError extends Error {
  override name = 'RefusedAnswerError';
}

/** A 200 whose body is not JSON the studio can read (too deep, not JSON): the item is skipped. */
export class UnreadableAnswerError extends Error {
  override name = 'UnreadableAnswerError';
}

/** `json` is undefined when the body is empty or unreadable; `jsonError` then says why. */
export interface HttpAnswer {
  status: number;
  headers: Headers;
  json: unknown;
  jsonError?: string;
  text: string;
}

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
  /** Largest answer read, in bytes (default ANSWER_MAX_BYTES). */
  maxAnswerBytes?: number;
}

/** Largest answer the studio reads, in bytes: a catalog page of 5,000 items is a few MB. */
export const ANSWER_MAX_BYTES = 64 * 1024 * 1024;

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
        if (answer.status === 200) {
          if (answer.jsonError) throw new UnreadableAnswerError(`${what}: ${answer.jsonError}`);
          return answer.json;
        }
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

  /**
   * One request with the token. Redirects are not followed and the body is read up to the size
   * limit (RefusedAnswerError); network errors and timeouts throw RetryableError. No message holds
   * the token.
   */
  async request(method: string, path: string, body?: string, headers: Record<string, string> = {}): Promise<HttpAnswer> {
    const token = await this.opts.token();
    if (!token) throw new AuthPausedError('no token: log in with `studio login --backend URL`');
    const what = `${method} ${path.split('?')[0]}`;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.opts.timeoutMs);
    let res: Response;
    let text: string;
    try {
      res = await this.fetchFn(this.base + path, {
        method,
        body,
        signal: controller.signal,
        redirect: 'manual',
        headers: { ...headers, authorization: `Bearer ${token}`, accept: 'application/json' },
      });
      refuseRedirect(res, this.base, what);
      text = await readBounded(res, this.opts.maxAnswerBytes ?? ANSWER_MAX_BYTES, what);
    } catch (e) {
      if (e instanceof RefusedAnswerError) throw e;
      const err = e as Error & { cause?: { code?: string } };
      const why = controller.signal.aborted ? `timed out after ${this.opts.timeoutMs} ms` : `network error${err.cause?.code ? ` (${err.cause.code})` : ''}`;
      throw new RetryableError(`${what}: ${why}`);
    } finally {
      clearTimeout(timer);
    }
    if (text === '') return { status: res.status, headers: res.headers, json: undefined, text };
    const parsed = parseJsonBounded(text);
    return parsed.ok
      ? { status: res.status, headers: res.headers, json: parsed.value, text }
      : { status: res.status, headers: res.headers, json: undefined, jsonError: parsed.error, text: text.slice(0, 200) };
  }
}

/** A 3xx answer: where it points, for a message; the request is never sent there. */
export function refuseRedirect(res: Response, base: string, what: string): void {
  if (res.status < 300 || res.status > 399 || res.status === 304) return;
  const location = res.headers.get('location');
  let target = location ?? '(no Location)';
  try {
    if (location) target = new URL(location, base).href;
  } catch {
    /* keep the raw header */
  }
  void res.body?.cancel().catch(() => undefined);
  throw new RefusedAnswerError(
    `${what}: the backend answered ${res.status}, a redirect to ${target.slice(0, 300)}; the studio follows no redirects: if that is the backend, log in with that address`,
  );
}

/** The body as text, read no further than `max` bytes (the rest is not downloaded). */
export async function readBounded(res: Response, max: number, what: string): Promise<string> {
  const tooLarge = () => new RefusedAnswerError(`${what}: the answer is larger than ${formatMiB(max)}: not read`);
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (declared > max) {
    void res.body?.cancel().catch(() => undefined);
    throw tooLarge();
  }
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function formatMiB(bytes: number): string {
  return bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MiB` : `${bytes} bytes`;
}
