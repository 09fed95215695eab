// Review notes on the reference backend (issue 14): every endpoint × role, idempotent replays byte
// for byte, preconditions, shapes, and notes absent from every public output.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anchorAt } from '../../shared/index.js';
import { api, freshKey, putStory, sampleStory, startServer, stopPgCluster, STORE_KINDS, type TestServer } from './helpers.js';

const SLUG = 'notes-test-story-a1b2';
const BODY = sampleStory().body;
const SECRET = 'editorial-only remark 7f3a';

afterAll(async () => {
  await stopPgCluster();
});

// One suite, run on each store.
describe.each(STORE_KINDS)('on the %s store', (kind) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer({ kind });
    const r = await putStory(s, SLUG, sampleStory({ status: 'published' }), { token: s.tokens.publisher, ifNoneMatch: '*' });
    expect(r.status).toBe(201);
  });
  afterAll(() => s.close());

  let counter = 0;
  const newId = () => `note-${process.pid}-${++counter}`;
  const anchor = () => anchorAt(BODY, 5, 30, 1);

  function putNote(slug: string, id: string, body: unknown, opts: { token: string; key?: string; ifMatch?: string; create?: boolean }): Promise<Response> {
    const headers: Record<string, string> = { 'content-type': 'application/json', 'idempotency-key': opts.key ?? freshKey() };
    if (opts.ifMatch) headers['if-match'] = opts.ifMatch;
    else if (opts.create !== false) headers['if-none-match'] = '*';
    return api(s, `/api/v1/stories/${slug}/notes/${id}`, opts.token, { method: 'PUT', headers, body: JSON.stringify(body) });
  }

  async function created(token: string, extra: Record<string, unknown> = {}) {
    const id = newId();
    const r = await putNote(SLUG, id, { body: `${SECRET} ${id}`, anchor: anchor(), ...extra }, { token });
    expect(r.status, await r.clone().text()).toBe(201);
    return { id, note: (await r.json()) as Record<string, unknown>, etag: r.headers.get('etag') };
  }

  describe('review notes: endpoints × roles', () => {
    it('lets every role add a note and a reply; author and role come from the token', async () => {
      for (const role of ['writer', 'editor', 'publisher'] as const) {
        const { id, note, etag } = await created(s.tokens[role], { author: undefined });
        expect(note).toMatchObject({ id, storySlug: SLUG, version: 1, author: role, role, state: 'open', replyTo: null });
        expect(etag).toBe('"v1"');
        const reply = await putNote(SLUG, newId(), { body: 'Agreed.', replyTo: id }, { token: s.tokens.writer2 });
        expect(reply.status).toBe(201);
        expect(await reply.json()).toMatchObject({ replyTo: id, anchor: null, author: 'writer2', role: 'writer' });
      }
    });

    it('lets only the author edit a note’s text, and editors, publishers or the author resolve and reopen it', async () => {
      const { id, note } = await created(s.tokens.writer);
      const edit = (token: string, v: number) => putNote(SLUG, id, { body: 'Rewritten', anchor: note.anchor }, { token, ifMatch: `"v${v}"` });
      for (const token of [s.tokens.writer2, s.tokens.editor, s.tokens.publisher]) {
        const r = await edit(token, 1);
        expect(r.status).toBe(403);
        expect(await r.json()).toMatchObject({ error: 'forbidden' });
      }
      expect((await edit(s.tokens.writer, 1)).status).toBe(200);
      const state = (token: string, v: number, to: string) => putNote(SLUG, id, { body: 'Rewritten', state: to }, { token, ifMatch: `"v${v}"` });
      expect((await state(s.tokens.writer2, 2, 'resolved')).status).toBe(403);
      expect((await state(s.tokens.editor, 2, 'resolved')).status).toBe(200);
      expect((await state(s.tokens.writer2, 3, 'open')).status).toBe(403);
      expect((await state(s.tokens.publisher, 3, 'open')).status).toBe(200);
      const byAuthor = await state(s.tokens.writer, 4, 'resolved');
      expect(byAuthor.status).toBe(200);
      expect(await byAuthor.json()).toMatchObject({ version: 5, state: 'resolved', body: 'Rewritten', author: 'writer' });
    });

    it('answers 401 without a token and 404 for a story that does not exist', async () => {
      expect((await api(s, `/api/v1/stories/${SLUG}/notes`)).status).toBe(401);
      expect((await api(s, '/api/v1/stories/no-such-story-ffff/notes', s.tokens.writer)).status).toBe(404);
      const r = await putNote('no-such-story-ffff', newId(), { body: 'x', anchor: anchor() }, { token: s.tokens.writer });
      expect(r.status).toBe(404);
      expect(await r.json()).toMatchObject({ error: 'not_found' });
    });

    it('refuses bad shapes with 400 and missing preconditions with 428', async () => {
      const bad = async (body: unknown, id = newId()) => {
        const r = await putNote(SLUG, id, body, { token: s.tokens.writer });
        expect(r.status, JSON.stringify(body)).toBe(400);
        expect(((await r.json()) as { error: string }).error).toBe('bad_request');
      };
      await bad({ body: '', anchor: anchor() });
      await bad({ body: 'x'.repeat(10_001), anchor: anchor() });
      await bad({ body: 'ok', anchor: anchor(), author: 'someone-else' });
      await bad({ body: 'a root note needs an anchor' });
      await bad({ body: 'a reply has none', anchor: anchor(), replyTo: 'abcdefgh' });
      await bad({ body: 'to nothing', replyTo: 'no-such-note' });
      await bad({ body: 'ok', anchor: { ...anchor(), end: 999 } });
      await bad({ body: 'ok', anchor: anchor() }, 'BAD_ID');
      const noKey = await api(s, `/api/v1/stories/${SLUG}/notes/${newId()}`, s.tokens.writer, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', 'if-none-match': '*' },
        body: JSON.stringify({ body: 'x', anchor: anchor() }),
      });
      expect(noKey.status).toBe(400);
      expect(await noKey.json()).toMatchObject({ error: 'idempotency_key_required' });
      expect((await putNote(SLUG, newId(), { body: 'x', anchor: anchor() }, { token: s.tokens.writer, create: false })).status).toBe(428);
    });

    it('answers 412 with the current note for a stale version or a second create', async () => {
      const { id } = await created(s.tokens.editor);
      expect((await putNote(SLUG, id, { body: 'v2' }, { token: s.tokens.editor, ifMatch: '"v1"' })).status).toBe(200);
      const stale = await putNote(SLUG, id, { body: 'v3 from an old copy' }, { token: s.tokens.editor, ifMatch: '"v1"' });
      expect(stale.status).toBe(412);
      expect(await stale.json()).toMatchObject({ error: 'version_conflict', current: { id, version: 2, body: 'v2' } });
      const again = await putNote(SLUG, id, { body: 'again', anchor: anchor() }, { token: s.tokens.editor });
      expect(again.status).toBe(412);
    });

    it('answers 412, not 403, to a resolve made on an older version of another’s note whose text changed since', async () => {
      const { id, note } = await created(s.tokens.writer);
      expect((await putNote(SLUG, id, { body: 'Rewritten by its author', anchor: note.anchor }, { token: s.tokens.writer, ifMatch: '"v1"' })).status).toBe(200);
      // The editor resolved the copy it had (v1): its text is v1's, which only the author could set now.
      const stale = await putNote(SLUG, id, { body: note.body, anchor: note.anchor, state: 'resolved' }, { token: s.tokens.editor, ifMatch: '"v1"' });
      expect(stale.status).toBe(412);
      expect(await stale.json()).toMatchObject({ error: 'version_conflict', current: { id, version: 2, body: 'Rewritten by its author' } });
      const settled = { body: 'Rewritten by its author', anchor: note.anchor, state: 'resolved' };
      expect((await putNote(SLUG, id, settled, { token: s.tokens.editor, ifMatch: '"v2"' })).status).toBe(200);
      // On the current version, rights are checked as before.
      expect((await putNote(SLUG, id, { ...settled, body: 'The editor’s words' }, { token: s.tokens.editor, ifMatch: '"v3"' })).status).toBe(403);
    });

    it('replays the first answer byte for byte, refuses a reused key, and scopes keys to the token', async () => {
      const id = newId();
      const key = freshKey();
      const body = { body: `${SECRET} replay`, anchor: anchor() };
      const first = await putNote(SLUG, id, body, { token: s.tokens.writer, key });
      const firstText = await first.text();
      const second = await putNote(SLUG, id, body, { token: s.tokens.writer, key });
      expect(second.status).toBe(first.status);
      expect(await second.text()).toBe(firstText);
      expect(second.headers.get('idempotent-replayed')).toBe('true');
      const reused = await putNote(SLUG, id, { ...body, body: 'different' }, { token: s.tokens.writer, key });
      expect(reused.status).toBe(422);
      expect(await reused.json()).toMatchObject({ error: 'idempotency_key_reused' });
      // Another token's identical key is another key: it runs, and meets the note that exists.
      expect((await putNote(SLUG, id, body, { token: s.tokens.writer2, key })).status).toBe(412);
      const page = (await (await api(s, `/api/v1/stories/${SLUG}/notes?limit=5000`, s.tokens.writer)).json()) as { items: { id: string; version: number }[] };
      expect(page.items.filter((n) => n.id === id)).toEqual([expect.objectContaining({ version: 1 })]);
    });

    it('pages a story’s notes by cursor, oldest change first, each change once', async () => {
      const start = (await (await api(s, `/api/v1/stories/${SLUG}/notes?limit=5000`, s.tokens.writer)).json()) as { cursor: string };
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push((await created(s.tokens.writer)).id);
      await putNote(SLUG, ids[0]!, { body: 'changed last' }, { token: s.tokens.writer, ifMatch: '"v1"' });
      const seen: string[] = [];
      let cursor = start.cursor;
      for (;;) {
        const page = (await (await api(s, `/api/v1/stories/${SLUG}/notes?since=${cursor}&limit=2`, s.tokens.editor)).json()) as {
          items: { id: string; body: string }[];
          cursor: string;
          hasMore: boolean;
        };
        seen.push(...page.items.map((n) => n.id));
        cursor = page.cursor;
        if (!page.hasMore) break;
      }
      expect(seen).toEqual([...ids.slice(1), ids[0]]);
    });
  });

  describe('review notes stay out of public outputs', () => {
    it('never shows a note on any page, feed, sitemap or export, and keeps them readable after a withdrawal', async () => {
      await created(s.tokens.editor);
      const paths = [
        '/',
        `/stories/${SLUG}`,
        `/stories/${SLUG}.txt`,
        '/beats/open-source-ai',
        '/entities/sam-altman',
        '/feed.xml',
        '/feed.json',
        '/beats/open-source-ai/feed.xml',
        '/sitemap.xml',
        '/news-sitemap.xml',
        '/robots.txt',
        '/api/v1/catalog',
        `/api/v1/stories/${SLUG}`,
        '/api/v1/stories',
      ];
      let read = 0;
      for (const path of paths) {
        const r = await api(s, path, path.startsWith('/api/') ? s.tokens.publisher : undefined);
        const text = await r.text();
        if (r.status === 200) read++;
        expect(text, path).not.toContain(SECRET);
      }
      expect(read).toBeGreaterThanOrEqual(8);
      const story = (await (await api(s, `/api/v1/stories/${SLUG}`, s.tokens.publisher)).json()) as { version: number };
      const w = await api(s, `/api/v1/stories/${SLUG}`, s.tokens.publisher, { method: 'DELETE', headers: { 'if-match': `"v${story.version}"` } });
      expect(w.status).toBe(200);
      const notes = (await (await api(s, `/api/v1/stories/${SLUG}/notes?limit=5000`, s.tokens.writer)).json()) as { items: unknown[] };
      expect(notes.items.length).toBeGreaterThan(5);
    });
  });
});
