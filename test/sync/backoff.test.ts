import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { backoffDelay, parseRetryAfter } from '../../electron/services/sync/backoff.js';
import { makeEngine, storyText } from './helpers/stories.js';
import type { Clock } from '../../electron/services/sync/index.js';

/** A clock that only moves when the engine sleeps. */
function fakeClock(start = 1_000_000): Clock & { sleeps: number[]; t: number } {
  const c = {
    t: start,
    sleeps: [] as number[],
    now: () => c.t,
    sleep: async (ms: number) => {
      c.sleeps.push(ms);
      c.t += ms;
    },
  };
  return c;
}

type Scripted = { status: number; headers?: Record<string, string>; body?: unknown } | 'network' | 'hang';

/** A fetch that answers from a script and records each request. */
function scriptedFetch(script: Scripted[]) {
  const calls: { url: string; headers: Record<string, string>; body?: string }[] = [];
  const f = (async (url: string, init: RequestInit) => {
    calls.push({ url, headers: init.headers as Record<string, string>, body: init.body as string | undefined });
    const step = script.shift() ?? { status: 201, body: { slug: 'x', version: 1, status: 'review' } };
    if (step === 'network') throw new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } });
    if (step === 'hang') {
      return new Promise((_, reject) => init.signal!.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))));
    }
    return new Response(step.body === undefined ? '' : JSON.stringify(step.body), { status: step.status, headers: step.headers });
  }) as unknown as typeof fetch;
  return { fetch: f, calls };
}

const ok = (version = 1) => ({ status: 201, body: { slug: 'backoff-story', version, status: 'review' } });

describe('backoff with full jitter', () => {
  it('stays within [0, min(cap, base·2^(n-1))) and grows exponentially', () => {
    const opts = { baseMs: 100, capMs: 10_000 };
    expect(backoffDelay(1, () => 0.999999, opts)).toBe(99);
    expect(backoffDelay(2, () => 0.999999, opts)).toBe(199);
    expect(backoffDelay(5, () => 0.999999, opts)).toBe(1599);
    expect(backoffDelay(20, () => 0.999999, opts)).toBe(9999);
    expect(backoffDelay(3, () => 0, opts)).toBe(0);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), fc.double({ min: 0, max: 0.9999999, noNaN: true }), (n, r) => {
        const d = backoffDelay(n, () => r, opts);
        return d >= 0 && d < Math.min(opts.capMs, opts.baseMs * 2 ** Math.min(n - 1, 30));
      }),
    );
  });

  it('never retries sooner than Retry-After', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 50 }), fc.double({ min: 0, max: 0.9999, noNaN: true }), fc.integer({ min: 0, max: 100_000 }), (n, r, ra) => {
        return backoffDelay(n, () => r, { baseMs: 100, capMs: 5000 }, ra) >= ra;
      }),
    );
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('0', now)).toBe(0);
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter(new Date(now + 5000).toUTCString(), now)).toBe(5000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter('999999', now)).toBe(3_600_000);
  });
});

describe('the engine retrying, with an injected clock and fetch', () => {
  it('retries 503, 429 and network errors with backoff, honouring Retry-After, reusing one Idempotency-Key', async () => {
    const clock = fakeClock();
    const { fetch, calls } = scriptedFetch([{ status: 503 }, { status: 429, headers: { 'retry-after': '7' } }, 'network', ok()]);
    const engine = makeEngine('http://backend.test', () => 'tok', { fetch, clock, random: () => 0.5, backoff: { baseMs: 1000, capMs: 60_000 } });
    engine.enqueue(storyText('backoff-story'), 'review');
    const r = await engine.push();
    expect(r).toMatchObject({ done: 1, retried: 3, remaining: 0 });
    // attempt 1 → 0.5·1000; attempt 2 → max(7000, 0.5·2000); attempt 3 → 0.5·4000
    expect(clock.sleeps).toEqual([500, 7000, 2000]);
    expect(new Set(calls.map((c) => c.headers['idempotency-key'])).size).toBe(1);
    expect(calls.every((c) => c.headers['if-none-match'] === '*' && c.headers['if-match'] === undefined)).toBe(true);
    expect(new Set(calls.map((c) => c.body)).size).toBe(1);
  });

  it('times out a hanging request (AbortController) and retries it', async () => {
    const clock = fakeClock();
    const { fetch, calls } = scriptedFetch(['hang', ok()]);
    const engine = makeEngine('http://backend.test', () => 'tok', { fetch, clock, timeoutMs: 30, random: () => 0 });
    engine.enqueue(storyText('backoff-story'), 'review');
    const r = await engine.push();
    expect(r.done).toBe(1);
    expect(calls).toHaveLength(2);
    expect(engine.store.rows()[0]!.attempts).toBe(2);
  });

  it('with maxWaitMs 0 leaves a row in backoff queued with its next attempt time', async () => {
    const clock = fakeClock();
    const { fetch } = scriptedFetch([{ status: 500 }]);
    const engine = makeEngine('http://backend.test', () => 'tok', { fetch, clock, random: () => 0.25, backoff: { baseMs: 1000, capMs: 60_000 } });
    engine.enqueue(storyText('backoff-story'), 'review');
    const r = await engine.push({ maxWaitMs: 0 });
    expect(r).toMatchObject({ done: 0, remaining: 1 });
    const [q] = engine.status().queued;
    expect(q).toMatchObject({ attempts: 1, nextAttemptAt: clock.t + 250 });
    expect(q!.lastError).toMatch(/500/);
  });

  it('sends If-Match on the last synced version, and rows of one story in order', async () => {
    const clock = fakeClock();
    const { fetch, calls } = scriptedFetch([ok(1), { status: 200, body: { slug: 'backoff-story', version: 2, status: 'approved' } }]);
    const engine = makeEngine('http://backend.test', () => 'tok', { fetch, clock });
    engine.enqueue(storyText('backoff-story'), 'review');
    engine.enqueue(storyText('backoff-story', 'changed\n'), 'approved');
    await engine.push();
    expect(calls.map((c) => [c.headers['if-none-match'], c.headers['if-match']])).toEqual([
      ['*', undefined],
      [undefined, '"v1"'],
    ]);
    expect(JSON.parse(calls[1]!.body!)).toMatchObject({ status: 'approved', body: 'changed\n', title: 'Story backoff-story', beat: 'open-source-ai' });
  });

  it('a missing token pauses instead of sending', async () => {
    const { fetch, calls } = scriptedFetch([]);
    const engine = makeEngine('http://backend.test', () => undefined, { fetch, clock: fakeClock() });
    engine.enqueue(storyText('backoff-story'), 'review');
    expect((await engine.push()).paused).toBe(true);
    expect(calls).toHaveLength(0);
    expect(engine.status().paused).toMatch(/studio login/);
  });

  it('a 412 without a current version is a conflict against an absent story; the resolution creates it again', async () => {
    const { fetch, calls } = scriptedFetch([ok(1), { status: 412, body: { error: 'version_conflict', message: 'gone', current: null } }, ok(1)]);
    const engine = makeEngine('http://backend.test', () => 'tok', { fetch, clock: fakeClock() });
    engine.enqueue(storyText('backoff-story'), 'review');
    await engine.push();
    engine.enqueue(storyText('backoff-story', 'two\n'), 'review');
    expect((await engine.push()).conflicts).toBe(1);
    // a newer change while in conflict becomes the local side of the merge
    engine.enqueue(storyText('backoff-story', 'three\n'), 'review');
    const [c] = engine.status().conflicts;
    expect(c).toMatchObject({ remoteVersion: 0, remoteText: '' });
    expect(c!.localText).toContain('three');
    await engine.resolveConflict('backoff-story', storyText('backoff-story', 'merged\n'));
    expect((await engine.push()).done).toBe(1);
    expect(calls.map((x) => [x.headers['if-none-match'], x.headers['if-match']])).toEqual([
      ['*', undefined],
      [undefined, '"v1"'],
      ['*', undefined],
    ]);
    expect(engine.status().counts).toEqual({ done: 2, superseded: 2 });
  });
});
