/**
 * Security battery, roles (issue 15 #1): every role × the story's current status × the status a PUT
 * asks for. Taking a story off the public site, or putting a withdrawn one back, is a publisher's act.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, putStory, sampleStory, startServer, type TestServer } from '../server/helpers.js';

type Current = 'none' | 'review' | 'approved' | 'published' | 'withdrawn';
type Target = 'review' | 'approved' | 'published';
const ROLES = ['writer', 'editor', 'publisher'] as const;
const CURRENT: Current[] = ['none', 'review', 'approved', 'published', 'withdrawn'];
const TARGETS: Target[] = ['review', 'approved', 'published'];

/** The protocol's table, written out here on its own (not taken from the code under test). */
function allowed(role: (typeof ROLES)[number], current: Current, target: Target): boolean {
  if (role === 'publisher') return true;
  if (current === 'published' || current === 'withdrawn' || target === 'published') return false;
  return target === 'review' || role === 'editor';
}

let s: TestServer;
beforeAll(async () => {
  s = await startServer();
});
afterAll(async () => {
  await s?.close();
});

let n = 0;
/** A story in `current` status, made by the publisher; its version. */
async function storyIn(current: Current): Promise<{ slug: string; version: number | null }> {
  const slug = `matrix-${current}-${++n}`;
  if (current === 'none') return { slug, version: null };
  const first = await putStory(s, slug, sampleStory({ status: current === 'withdrawn' ? 'published' : current }), {
    token: s.tokens.publisher,
    ifNoneMatch: '*',
  });
  expect(first.status).toBe(201);
  if (current !== 'withdrawn') return { slug, version: 1 };
  const w = await api(s, `/api/v1/stories/${slug}`, s.tokens.publisher, { method: 'DELETE', headers: { 'if-match': '"v1"' } });
  expect(w.status).toBe(200);
  return { slug, version: 2 };
}

const publicStatus = (current: Current) => (current === 'published' ? 200 : current === 'withdrawn' ? 410 : 404);

describe('role × current status × target status', () => {
  for (const role of ROLES) {
    for (const current of CURRENT) {
      it(`${role} on a story that is ${current === 'none' ? 'new' : current}`, async () => {
        for (const target of TARGETS) {
          const { slug, version } = await storyIn(current);
          const r = await putStory(s, slug, sampleStory({ status: target, title: `Changed by ${role}` }), {
            token: s.tokens[role],
            ...(version === null ? { ifNoneMatch: '*' } : { ifMatch: `"v${version}"` }),
          });
          const what = `${role}: ${current} → ${target}`;
          if (allowed(role, current, target)) {
            expect(r.status, what).toBe(version === null ? 201 : 200);
            continue;
          }
          expect(r.status, what).toBe(403);
          const body = (await r.json()) as { error: string; message: string };
          expect(body.error, what).toBe('forbidden');
          // Refused for the story's public state alone: the message says a publisher is needed.
          const targetAllowed = target === 'review' || (target === 'approved' && role === 'editor');
          expect(body.message, what).toMatch(targetAllowed ? /only a publisher may change/ : /may not put a story with status/);
          // Nothing changed: the same version, the public page as it was, the catalog untouched.
          const state = await s.store.getStoryState(slug);
          expect(state?.version ?? null, what).toBe(version);
          expect((await fetch(`${s.url}/stories/${slug}`)).status, what).toBe(publicStatus(current));
        }
      });
    }
  }

  it('a writer cannot take a published story off the site, even with a fresh If-Match', async () => {
    const { slug } = await storyIn('published');
    const r = await putStory(s, slug, sampleStory({ status: 'review' }), { token: s.tokens.writer, ifMatch: '"v1"' });
    expect(r.status).toBe(403);
    expect((await fetch(`${s.url}/stories/${slug}`)).status).toBe(200);
    const catalog = (await (await api(s, '/api/v1/catalog', s.tokens.writer)).json()) as { stories: { slug: string; deleted?: boolean }[] };
    expect(catalog.stories.filter((x) => x.slug === slug)).toEqual([expect.not.objectContaining({ deleted: true })]);
  });
});
