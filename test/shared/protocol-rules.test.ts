/** The protocol's rules, defined once in shared/protocol, and the server and studio agreeing on them. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStory, serializeStory, STORY_STATUSES } from '../../shared/index.js';
import {
  etagFor,
  isRetryableStatus,
  OUTBOX_TARGETS,
  parseIfMatch,
  putBodyProblems,
  roleAllows,
  roleAtLeast,
  ROLES,
  STORY_LIMITS,
  storyPutBodySchema,
} from '../../shared/protocol/index.js';
import { PUSH_REFUSED_RULE, pushDiagnostics } from '../../shared/protocol/wire-story.js';
import { putStory, sampleStory, startServer, type TestServer } from '../server/helpers.js';

describe('protocol rules', () => {
  it('retries timeouts, keys in flight, 429 and 5xx, and nothing else', () => {
    const retried = [408, 409, 429, 500, 502, 503, 504, 599];
    for (const s of retried) expect(isRetryableStatus(s), String(s)).toBe(true);
    for (const s of [200, 201, 400, 401, 403, 404, 410, 412, 413, 422, 428, 600]) expect(isRetryableStatus(s), String(s)).toBe(false);
  });

  it('reads back the version tags it writes, and nothing else', () => {
    for (const v of [1, 7, 123456789]) expect(parseIfMatch(etagFor(v))).toBe(v);
    expect(parseIfMatch(' "v3" ')).toBe(3);
    for (const bad of ['v3', '"v0"', '"v-1"', '"3"', 'W/"v3"', '"v1234567890123456"', '*']) expect(parseIfMatch(bad), bad).toBeNull();
  });

  it('ranks the roles: each may do what the lower ones may', () => {
    expect(ROLES).toEqual(['writer', 'editor', 'publisher']);
    const allowed = Object.fromEntries(ROLES.map((r) => [r, OUTBOX_TARGETS.filter((t) => roleAllows(r, t))]));
    expect(allowed).toEqual({ writer: ['review'], editor: ['review', 'approved'], publisher: ['review', 'approved', 'published', 'withdrawn'] });
    expect(roleAtLeast('editor', 'writer')).toBe(true);
    expect(roleAtLeast('editor', 'publisher')).toBe(false);
    expect(STORY_STATUSES).toEqual(['draft', 'review', 'approved', 'published']);
  });
});

function storyText(over: { title?: string; dek?: string; body?: string } = {}): string {
  return serializeStory(
    createStory(
      { title: over.title ?? 'A fine title', dek: over.dek ?? 'A dek.', beat: 'open-source-ai', slug: 'a-story', status: 'review', citations: [] },
      over.body ?? 'Some text.\n',
    ),
  );
}

describe('checking a story as a PUT body before it is queued', () => {
  it('finds nothing wrong with a story that fits', () => {
    expect(pushDiagnostics(storyText(), 'review')).toEqual([]);
  });

  it('makes a 1,001-character title a diagnostic on the title line, naming the limit', () => {
    const text = storyText({ title: 'x'.repeat(STORY_LIMITS.title + 1) });
    const ds = pushDiagnostics(text, 'review');
    expect(ds).toHaveLength(1);
    expect(ds[0]).toMatchObject({ rule: PUSH_REFUSED_RULE, severity: 'error', message: 'the title is 1,001 characters long; the backend takes at most 1,000' });
    expect(text.split('\n')[ds[0]!.line - 1]).toMatch(/^title: /);
    expect(text.slice(ds[0]!.from, ds[0]!.to)).toContain('xxxx');
  });

  it('names each field over its limit, and a body too large to send', () => {
    const problems = putBodyProblems({
      ...sampleStory(),
      dek: 'd'.repeat(STORY_LIMITS.dek + 1),
      citations: [{ n: 1, url: 'u'.repeat(STORY_LIMITS.citationUrl + 1) }],
    });
    expect(problems.map((p) => p.path)).toEqual(['dek', 'citations.0.url']);
    const multibyte = '€'.repeat(800_000); // 800,000 characters (under the limit), 2.4 MB in UTF-8
    expect(putBodyProblems({ ...sampleStory(), body: multibyte })).toEqual([
      { path: 'body', message: expect.stringMatching(/bytes as sent; the backend takes at most 2,097,152$/) },
    ]);
    expect(putBodyProblems({ ...sampleStory(), body: 'b'.repeat(STORY_LIMITS.body + 1) })[0]!.message).toBe(
      'the body is 1,000,001 characters long; the backend takes at most 1,000,000',
    );
  });
});

describe('the server validates with the same schema', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer();
  });
  afterAll(async () => {
    await s?.close();
  });

  it('refuses what the studio would have flagged, with the same sentence, and takes what it would not', async () => {
    const tooLong = sampleStory({ title: 'x'.repeat(STORY_LIMITS.title + 1) });
    expect(storyPutBodySchema.safeParse(tooLong).success).toBe(false);
    const r = await putStory(s, 'title-too-long', tooLong, { token: s.tokens.writer, ifNoneMatch: '*' });
    expect(r.status).toBe(400);
    expect(((await r.json()) as { message: string }).message).toContain(putBodyProblems(tooLong)[0]!.message);
    const ok = await putStory(s, 'title-at-limit', sampleStory({ title: 'x'.repeat(STORY_LIMITS.title) }), { token: s.tokens.writer, ifNoneMatch: '*' });
    expect(ok.status).toBe(201);
  });
});
