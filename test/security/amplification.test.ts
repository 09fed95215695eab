/**
 * Security battery, amplification (issue 15 #2): what one request can cost the backend. A body of
 * `{{a` repeated gave 650,000 diagnostics, a 182 MB answer kept for 24 hours. Now: at most 200
 * diagnostics with `diagnosticsTotal`, stored answers bounded, memory per request measured.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIAGNOSTICS_MAX, STORED_ANSWER_MAX_BYTES, STORY_LIMITS } from '../../shared/protocol/index.js';
import { putStory, rawQuery, sampleStory, startServer, type TestServer } from '../server/helpers.js';

let s: TestServer;
beforeAll(async () => {
  s = await startServer();
});
afterAll(async () => {
  await s?.close();
});

/** Bytes the server's idempotency table holds in answers. */
async function storedAnswerBytes(): Promise<{ rows: number; largest: number }> {
  const [r] = await rawQuery<{ rows: number; largest: number }>(s.store, 'SELECT COUNT(*) AS rows, COALESCE(MAX(LENGTH(body)), 0) AS largest FROM idempotency');
  return { rows: Number(r!.rows), largest: Number(r!.largest) };
}

/** Runs `fn` while sampling the process's resident memory; the peak above the start, in MB. */
async function peakRss<T>(fn: () => Promise<T>): Promise<{ value: T; peakMb: number; ms: number }> {
  global.gc?.();
  const start = process.memoryUsage.rss();
  let peak = start;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 5);
  const t0 = performance.now();
  try {
    const value = await fn();
    return { value, peakMb: (Math.max(peak, process.memoryUsage.rss()) - start) / 2 ** 20, ms: performance.now() - t0 };
  } finally {
    clearInterval(timer);
  }
}

describe('one hostile request', () => {
  it('a body of "{{a" × 333,333 answers 422 with 200 diagnostics and the full count, small, and stores it small', async () => {
    const copies = Math.floor(STORY_LIMITS.body / 3);
    const body = sampleStory({ body: '{{a'.repeat(copies), citations: [] });
    const {
      value: r,
      peakMb,
      ms,
    } = await peakRss(async () => {
      const res = await putStory(s, 'amplified', body, { token: s.tokens.writer, ifNoneMatch: '*' });
      return { status: res.status, text: await res.text() };
    });
    const answer = JSON.parse(r.text) as { error: string; diagnostics: unknown[]; diagnosticsTotal: number };
    console.log(
      `[amplification] {{a × ${copies}: ${r.status}, answer ${r.text.length} bytes, ${answer.diagnostics?.length} of ${answer.diagnosticsTotal} diagnostics, ${ms.toFixed(0)} ms, peak RSS +${peakMb.toFixed(0)} MB (test and server in one process)`,
    );
    expect(r.status).toBe(422);
    expect(answer.error).toBe('invalid_story');
    expect(answer.diagnostics).toHaveLength(DIAGNOSTICS_MAX);
    expect(answer.diagnosticsTotal).toBeGreaterThanOrEqual(copies);
    expect(r.text.length).toBeLessThan(STORED_ANSWER_MAX_BYTES);
    expect((await storedAnswerBytes()).largest).toBeLessThanOrEqual(STORED_ANSWER_MAX_BYTES);
    // The body alone is 1 MB and the lint's own work is bounded by it: far from the 1.5 GB of three such requests before.
    expect(peakMb).toBeLessThan(600);
  });

  it('the diagnostics kept are the first by position', async () => {
    const text = 'Fine paragraph.\n\n' + Array.from({ length: 300 }, (_, i) => `Line ${i} {{nope:${i}}}`).join('\n\n') + '\n';
    const r = await putStory(s, 'first-by-position', sampleStory({ body: text, citations: [] }), { token: s.tokens.writer, ifNoneMatch: '*' });
    const answer = (await r.json()) as { diagnostics: { from: number }[]; diagnosticsTotal: number };
    expect(answer.diagnosticsTotal).toBeGreaterThanOrEqual(300);
    const froms = answer.diagnostics.map((d) => d.from);
    expect(froms).toEqual([...froms].sort((a, b) => a - b));
  });

  it('a 412 keeps a small answer for replays, and replays it byte for byte with the whole story', async () => {
    const big = sampleStory({ body: 'A long paragraph of plain words. '.repeat(20_000) });
    expect((await putStory(s, 'big-conflict', big, { token: s.tokens.writer, ifNoneMatch: '*' })).status).toBe(201);
    const key = `conflict-key-${Date.now()}`;
    const first = await putStory(s, 'big-conflict', big, { token: s.tokens.writer, ifNoneMatch: '*', key });
    const firstText = await first.text();
    expect(first.status).toBe(412);
    expect(firstText.length).toBeGreaterThan(big.body.length);
    expect(JSON.parse(firstText).current.story.body).toBe(big.body);
    const [row] = await rawQuery<{ n: number }>(s.store, 'SELECT LENGTH(body) AS n FROM idempotency WHERE key = ?', key);
    expect(Number(row!.n)).toBeLessThanOrEqual(STORED_ANSWER_MAX_BYTES);
    const replay = await putStory(s, 'big-conflict', big, { token: s.tokens.writer, ifNoneMatch: '*', key });
    expect(replay.status).toBe(412);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(await replay.text()).toBe(firstText);
  });
});
