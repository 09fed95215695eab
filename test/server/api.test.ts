import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer, LOG_REDACT } from '../../server/app.js';
import { hashToken, newToken } from '../../server/auth.js';
import { SqliteStore } from '../../server/store/sqlite-store.js';
import { whoamiAnswerSchema } from '../../shared/protocol/index.js';
import {
  api,
  freshKey,
  newStoreLocation,
  openStore,
  putStory,
  rawQuery,
  SAMPLE_CATALOG,
  sampleStory,
  startServer,
  stopPgCluster,
  STORE_KINDS,
  type TestServer,
} from './helpers.js';

afterAll(async () => {
  await stopPgCluster();
});

// One protocol suite, run on each store.
describe.each(STORE_KINDS)('on the %s store', (kind) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer({ kind });
  });
  afterAll(async () => {
    await s?.close();
  });

  let slugCounter = 0;
  const newSlug = (p = 'story') => `${p}-${++slugCounter}-${Date.now().toString(36)}`;

  async function create(slug: string, status: 'review' | 'approved' | 'published' = 'review', token = s.tokens.publisher) {
    const r = await putStory(s, slug, sampleStory({ status }), { token, ifNoneMatch: '*' });
    expect(r.status).toBe(201);
    return r.json() as Promise<{ version: number }>;
  }

  describe('health and authentication', () => {
    it('answers health without a token', async () => {
      const r = await fetch(`${s.url}/api/v1/health`);
      expect(r.status).toBe(200);
      expect(await r.json()).toEqual({ ok: true, protocol: 1 });
      expect(r.headers.get('content-security-policy')).toContain("default-src 'none'");
    });

    it('answers 401 with {error, message} for a missing, malformed or unknown token on every protected call', async () => {
      const calls: [string, string][] = [
        ['GET', '/api/v1/whoami'],
        ['GET', '/api/v1/catalog'],
        ['PUT', '/api/v1/catalog/entities/someone'],
        ['GET', '/api/v1/stories'],
        ['GET', '/api/v1/stories/x'],
        ['PUT', '/api/v1/stories/x'],
        ['DELETE', '/api/v1/stories/x'],
        ['HEAD', '/api/v1/stories'],
      ];
      for (const [method, path] of calls) {
        for (const auth of [
          undefined,
          'Bearer ' + newToken(),
          'Basic abc',
          'Bearer',
          `Bearer ${s.tokens.writer}x`,
          `Bearer ${s.tokens.writer.slice(1)}`,
          `Basic ${s.tokens.writer}`,
        ]) {
          const headers: Record<string, string> = { 'content-type': 'application/json' };
          if (auth) headers.authorization = auth;
          const r = await fetch(`${s.url}${path}`, { method, headers, ...(method === 'PUT' ? { body: '{}' } : {}) });
          expect(r.status, `${method} ${path} ${auth}`).toBe(401);
          if (method === 'HEAD') continue;
          const body = await r.json();
          expect(body.error).toBe('unauthorized');
          expect(typeof body.message).toBe('string');
        }
      }
    });

    it('reads the scheme name case-insensitively (RFC 7235)', async () => {
      for (const scheme of ['bearer', 'BEARER', 'Bearer  ']) {
        const r = await fetch(`${s.url}/api/v1/whoami`, { headers: { authorization: `${scheme} ${s.tokens.editor}` } });
        expect(r.status, scheme).toBe(200);
      }
    });

    it('authenticates by the route the router matched: an encoded path reaches nothing without a token', async () => {
      // The router decodes `%61` to `a`: these are the story list, the catalog and a story, and must need a token.
      await create(newSlug('encoded'));
      for (const path of ['/%61pi/v1/stories', '/%61pi/v1/catalog', '/api/%761/stories', '/%61%70%69/v1/whoami', '/api/v1/%73tories']) {
        const r = await fetch(`${s.url}${path}`);
        expect(r.status, path).toBe(401);
        expect((await r.json()).error, path).toBe('unauthorized');
        expect((await api(s, path, s.tokens.writer)).status, path).toBe(200);
      }
      // Health stays open whichever way it is spelled.
      expect((await fetch(`${s.url}/api/v1/%68ealth`)).status).toBe(200);
    });

    it('forgets a revoked token at once', async () => {
      const token = newToken();
      await s.store.createToken('short-lived', 'editor', hashToken(token));
      expect((await api(s, '/api/v1/whoami', token)).status).toBe(200);
      expect(await s.store.revokeToken('short-lived')).toBe(true);
      expect((await api(s, '/api/v1/whoami', token)).status).toBe(401);
    });
  });

  describe('whoami (an extension of protocol v1)', () => {
    it('names the token and its role, for every role', async () => {
      for (const role of ['writer', 'editor', 'publisher'] as const) {
        const r = await api(s, '/api/v1/whoami', s.tokens[role]);
        expect(r.status).toBe(200);
        expect(r.headers.get('content-type')).toBe('application/json; charset=utf-8');
        expect(r.headers.get('cache-control')).toBe('no-store');
        const body = await r.json();
        // With the public site its pages are served at, so that the studio's preview links there (issue 11 #8).
        expect(body).toEqual({ name: role, role, site: s.url });
        expect(whoamiAnswerSchema.parse(body)).toEqual({ name: role, role, site: s.url });
      }
      expect(await (await api(s, '/api/v1/whoami', s.tokens.writer2)).json()).toEqual({ name: 'writer2', role: 'writer', site: s.url });
    });
  });

  describe('role × action matrix', () => {
    // Every endpoint, for no token, an unknown token and each role: the exact status, and for a refused
    // write, proof that nothing changed.
    type Caller = 'none' | 'unknown' | 'writer' | 'editor' | 'publisher';
    const CALLERS: Caller[] = ['none', 'unknown', 'writer', 'editor', 'publisher'];
    const tokenFor = (c: Caller) => (c === 'none' ? undefined : c === 'unknown' ? newToken() : s.tokens[c]);
    const versionOf = async (slug: string) => {
      const r = await api(s, `/api/v1/stories/${slug}`, s.tokens.publisher);
      return r.status === 404 ? null : ((await r.json()) as { version: number; status: string });
    };
    const entityIn = async (slug: string) => {
      const cat = await (await api(s, '/api/v1/catalog?limit=5000', s.tokens.publisher)).json();
      return cat.entities.find((e: { slug: string }) => e.slug === slug) as { name: string } | undefined;
    };

    interface Action {
      name: string;
      expect: Record<Caller, number>;
      run(token: string | undefined): Promise<{ r: Response; unchanged: () => Promise<void> }>;
    }
    const all = (n: number): Record<Caller, number> => ({ none: 401, unknown: 401, writer: n, editor: n, publisher: n });
    const actions: Action[] = [
      {
        name: 'GET health',
        expect: { none: 200, unknown: 200, writer: 200, editor: 200, publisher: 200 },
        run: async (t) => ({ r: await api(s, '/api/v1/health', t), unchanged: async () => {} }),
      },
      { name: 'GET whoami', expect: all(200), run: async (t) => ({ r: await api(s, '/api/v1/whoami', t), unchanged: async () => {} }) },
      { name: 'GET catalog', expect: all(200), run: async (t) => ({ r: await api(s, '/api/v1/catalog?limit=3', t), unchanged: async () => {} }) },
      { name: 'GET stories', expect: all(200), run: async (t) => ({ r: await api(s, '/api/v1/stories?limit=3', t), unchanged: async () => {} }) },
      {
        name: 'GET story',
        expect: all(200),
        run: async (t) => {
          const slug = newSlug('get');
          await create(slug);
          return { r: await api(s, `/api/v1/stories/${slug}`, t), unchanged: async () => {} };
        },
      },
      {
        name: 'PUT entity (create)',
        expect: { none: 401, unknown: 401, writer: 403, editor: 201, publisher: 201 },
        run: async (t) => {
          const slug = newSlug('entity');
          const r = await api(s, `/api/v1/catalog/entities/${slug}`, t, {
            method: 'PUT',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ name: 'Some One', type: 'person' }),
          });
          return { r, unchanged: async () => expect(await entityIn(slug)).toBeUndefined() };
        },
      },
      {
        name: 'PUT entity (change)',
        expect: { none: 401, unknown: 401, writer: 403, editor: 200, publisher: 200 },
        run: async (t) => {
          const slug = newSlug('entity');
          const put = (token: string | undefined, name: string) =>
            api(s, `/api/v1/catalog/entities/${slug}`, token, {
              method: 'PUT',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({ name, type: 'person' }),
            });
          expect((await put(s.tokens.editor, 'First Name')).status).toBe(201);
          return { r: await put(t, 'Second Name'), unchanged: async () => expect((await entityIn(slug))?.name).toBe('First Name') };
        },
      },
      {
        name: 'DELETE entity (no such endpoint in protocol v1)',
        expect: { none: 401, unknown: 401, writer: 404, editor: 404, publisher: 404 },
        run: async (t) => {
          const slug = newSlug('entity');
          const made = await api(s, `/api/v1/catalog/entities/${slug}`, s.tokens.editor, {
            method: 'PUT',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ name: 'Kept', type: 'person' }),
          });
          expect(made.status).toBe(201);
          const r = await api(s, `/api/v1/catalog/entities/${slug}`, t, { method: 'DELETE' });
          return { r, unchanged: async () => expect((await entityIn(slug))?.name).toBe('Kept') };
        },
      },
      ...(['review', 'approved', 'published'] as const).map((status): Action => ({
        name: `PUT story ${status} (create)`,
        expect: { none: 401, unknown: 401, writer: status === 'review' ? 201 : 403, editor: status === 'published' ? 403 : 201, publisher: 201 },
        run: async (t) => {
          const slug = newSlug('create');
          const r = await putStory(s, slug, sampleStory({ status }), { token: t, ifNoneMatch: '*' });
          return { r, unchanged: async () => expect(await versionOf(slug)).toBeNull() };
        },
      })),
      ...(['review', 'approved', 'published'] as const).map((status): Action => ({
        name: `PUT story ${status} (update of a published story)`,
        // A published story's public state is a publisher's alone (issue 15 #1): any PUT on it needs publisher.
        expect: { none: 401, unknown: 401, writer: 403, editor: 403, publisher: 200 },
        run: async (t) => {
          const slug = newSlug('update');
          await create(slug, 'published');
          const r = await putStory(s, slug, sampleStory({ status, title: 'Changed' }), { token: t, ifMatch: '"v1"' });
          return { r, unchanged: async () => expect(await versionOf(slug)).toMatchObject({ version: 1, status: 'published' }) };
        },
      })),
      {
        name: 'DELETE story (withdraw)',
        expect: { none: 401, unknown: 401, writer: 403, editor: 403, publisher: 200 },
        run: async (t) => {
          const slug = newSlug('withdraw');
          await create(slug, 'published');
          const r = await api(s, `/api/v1/stories/${slug}`, t, { method: 'DELETE', headers: { 'if-match': '"v1"' } });
          return {
            r,
            unchanged: async () => {
              expect(await versionOf(slug)).toMatchObject({ version: 1, status: 'published' });
              expect((await fetch(`${s.url}/stories/${slug}`)).status).toBe(200);
            },
          };
        },
      },
    ];

    for (const action of actions) {
      it(`${action.name}: ${CALLERS.map((c) => `${c} ${action.expect[c]}`).join(', ')}`, async () => {
        for (const caller of CALLERS) {
          const { r, unchanged } = await action.run(tokenFor(caller));
          const text = await r.text();
          expect(r.status, `${caller}: ${text.slice(0, 200)}`).toBe(action.expect[caller]);
          if (r.status === 401 || r.status === 403 || r.status === 404) {
            expect(JSON.parse(text).error).toBe(r.status === 401 ? 'unauthorized' : r.status === 403 ? 'forbidden' : 'not_found');
            await unchanged();
          }
        }
      });
    }
  });

  describe('stories: create, read, update, conflict, withdraw', () => {
    it('runs the whole life of a story', async () => {
      const slug = newSlug('life');
      const r1 = await putStory(s, slug, sampleStory(), { token: s.tokens.writer, ifNoneMatch: '*' });
      expect(r1.status).toBe(201);
      expect(r1.headers.get('etag')).toBe('"v1"');
      const a1 = await r1.json();
      expect(a1).toMatchObject({ slug, version: 1, status: 'review', url: `${s.url}/stories/${slug}` });
      expect(Date.parse(a1.updatedAt)).not.toBeNaN();

      const g = await api(s, `/api/v1/stories/${slug}`, s.tokens.writer);
      expect(g.status).toBe(200);
      expect(g.headers.get('etag')).toBe('"v1"');
      const got = await g.json();
      expect(got).toMatchObject({
        slug,
        version: 1,
        status: 'review',
        story: { title: sampleStory().title, body: sampleStory().body, beat: 'open-source-ai' },
      });

      // Not public while in review.
      expect((await fetch(`${s.url}/stories/${slug}`)).status).toBe(404);

      // Create again: 412 with the current version.
      const again = await putStory(s, slug, sampleStory(), { token: s.tokens.writer, ifNoneMatch: '*' });
      expect(again.status).toBe(412);
      const conflict = await again.json();
      expect(conflict.error).toBe('version_conflict');
      expect(conflict.current).toMatchObject({ version: 1, status: 'review', story: { title: sampleStory().title } });

      // Update with the right version: 200, v2; editor approves.
      const r2 = await putStory(s, slug, sampleStory({ status: 'approved', title: 'Approved title' }), { token: s.tokens.editor, ifMatch: '"v1"' });
      expect(r2.status).toBe(200);
      expect(r2.headers.get('etag')).toBe('"v2"');
      // A stale update: 412.
      const stale = await putStory(s, slug, sampleStory({ status: 'review' }), { token: s.tokens.writer, ifMatch: '"v1"' });
      expect(stale.status).toBe(412);
      expect((await stale.json()).current.version).toBe(2);

      // Publish: `published` set to now.
      const before = Date.now();
      const r3 = await putStory(s, slug, sampleStory({ status: 'published', title: 'Approved title' }), { token: s.tokens.publisher, ifMatch: '"v2"' });
      expect(r3.status).toBe(200);
      const g3 = await (await api(s, `/api/v1/stories/${slug}`, s.tokens.writer)).json();
      expect(g3.version).toBe(3);
      expect(Date.parse(g3.story.published)).toBeGreaterThanOrEqual(before - 1000);
      expect(await s.store.countVersions(slug)).toBe(3);

      // Public now.
      const page = await fetch(`${s.url}/stories/${slug}`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toContain('text/html');
      expect(page.headers.get('cache-control')).toContain('max-age');
      const etag = page.headers.get('etag')!;
      expect(etag).toBeTruthy();
      const html = await page.text();
      expect(html).toContain('Approved title');
      expect(html).toContain(`href="${s.url}/entities/sam-altman"`);
      expect(html).toContain('<ol class="citations"');
      expect((await fetch(`${s.url}/stories/${slug}`, { headers: { 'if-none-match': etag } })).status).toBe(304);
      const txt = await fetch(`${s.url}/stories/${slug}.txt`);
      expect(txt.status).toBe(200);
      expect(txt.headers.get('content-type')).toContain('text/plain');
      const text = await txt.text();
      expect(text).toContain('Title: Approved title');
      expect(text).toContain(`URL: ${s.url}/stories/${slug}`);
      expect(await (await fetch(`${s.url}/`)).text()).toContain(`/stories/${slug}"`);
      expect(await (await fetch(`${s.url}/beats/open-source-ai`)).text()).toContain(`/stories/${slug}"`);
      expect(await (await fetch(`${s.url}/entities/sam-altman`)).text()).toContain(`/stories/${slug}"`);
      expect(await (await fetch(`${s.url}/entities/openai`)).text()).not.toContain(`/stories/${slug}"`);

      // In the catalog as a story.
      const cat = await (await api(s, '/api/v1/catalog?limit=5000', s.tokens.writer)).json();
      expect(cat.stories.some((x: { slug: string }) => x.slug === slug)).toBe(true);

      // Withdraw needs If-Match.
      expect((await api(s, `/api/v1/stories/${slug}`, s.tokens.publisher, { method: 'DELETE' })).status).toBe(428);
      expect((await api(s, `/api/v1/stories/${slug}`, s.tokens.publisher, { method: 'DELETE', headers: { 'if-match': '"v2"' } })).status).toBe(412);
      const w = await api(s, `/api/v1/stories/${slug}`, s.tokens.publisher, { method: 'DELETE', headers: { 'if-match': '"v3"' } });
      expect(w.status).toBe(200);
      expect(await w.json()).toMatchObject({ slug, version: 4, status: 'withdrawn' });
      expect((await fetch(`${s.url}/stories/${slug}`)).status).toBe(410);
      expect((await fetch(`${s.url}/stories/${slug}.txt`)).status).toBe(410);
      expect(await (await fetch(`${s.url}/`)).text()).not.toContain(`/stories/${slug}"`);
      const cat2 = await (await api(s, `/api/v1/catalog?since=${cat.cursor}`, s.tokens.writer)).json();
      expect(cat2.stories).toContainEqual({ slug, deleted: true });
      expect((await api(s, '/api/v1/stories/no-such-story', s.tokens.writer)).status).toBe(404);
      expect((await api(s, '/api/v1/stories/no-such-story', s.tokens.publisher, { method: 'DELETE', headers: { 'if-match': '"v1"' } })).status).toBe(404);
    });

    it('keeps the publication date when a published story is put again without one; a new publication gets a new date', async () => {
      const slug = newSlug('dated');
      const put = async (status: 'review' | 'published', version: number | null, over: { published?: string } = {}) => {
        const r = await putStory(s, slug, sampleStory({ status, ...over }), {
          token: s.tokens.publisher,
          ...(version === null ? { ifNoneMatch: '*' } : { ifMatch: `"v${version}"` }),
        });
        expect(r.status).toBe(version === null ? 201 : 200);
        return (await (await api(s, `/api/v1/stories/${slug}`, s.tokens.writer)).json()).story.published as string | undefined;
      };
      const first = await put('published', null, { published: '2026-03-04T05:06:07.000Z' });
      expect(first).toBe('2026-03-04T05:06:07.000Z');
      expect(await put('published', 1)).toBe(first);
      expect(await put('review', 2)).toBeUndefined();
      const before = Date.now();
      const again = await put('published', 3);
      expect(Date.parse(again!)).toBeGreaterThanOrEqual(before - 1000);
      expect(await s.store.getStoryState(slug)).toEqual({ version: 4, status: 'published', published: again });
    });

    it('refuses a story with lint errors: 422 invalid_story with diagnostics, nothing written', async () => {
      const slug = newSlug('bad');
      const r = await putStory(
        s,
        slug,
        sampleStory({ body: 'About {{entity:nobody-we-know}} and {{widget:x}}[7].\n', citations: [{ n: 1, url: 'ftp://x' }] }),
        {
          token: s.tokens.writer,
          ifNoneMatch: '*',
        },
      );
      expect(r.status).toBe(422);
      const body = await r.json();
      expect(body.error).toBe('invalid_story');
      const rules = body.diagnostics.map((d: { rule: string }) => d.rule);
      expect(rules).toEqual(expect.arrayContaining(['ref-unknown', 'ref-syntax', 'citation-missing', 'citation-url']));
      expect((await api(s, `/api/v1/stories/${slug}`, s.tokens.writer)).status).toBe(404);
      const unknownBeat = await putStory(s, slug, sampleStory({ beat: 'no-such-beat' }), { token: s.tokens.writer, ifNoneMatch: '*' });
      expect(unknownBeat.status).toBe(422);
    });

    it('checks headers and shapes: 400, 428, 413, 415', async () => {
      const slug = newSlug('hdr');
      const t = s.tokens.writer;
      let r = await putStory(s, slug, sampleStory(), { token: t, key: null, ifNoneMatch: '*' });
      expect(r.status).toBe(400);
      expect((await r.json()).error).toBe('idempotency_key_required');
      r = await putStory(s, slug, sampleStory(), { token: t, key: 'x'.repeat(201), ifNoneMatch: '*' });
      expect((await r.json()).error).toBe('idempotency_key_required');
      r = await putStory(s, slug, sampleStory(), { token: t });
      expect(r.status).toBe(428);
      expect((await r.json()).error).toBe('precondition_required');
      r = await putStory(s, slug, sampleStory(), { token: t, ifMatch: '"v1"', ifNoneMatch: '*' });
      expect(r.status).toBe(428);
      r = await putStory(s, slug, sampleStory(), { token: t, ifMatch: 'v1' });
      expect(r.status).toBe(428);
      r = await putStory(s, slug, null, { token: t, ifNoneMatch: '*', raw: '{"title": ' });
      expect(r.status).toBe(400);
      expect(await r.json()).toMatchObject({ error: 'bad_request' });
      r = await putStory(s, slug, { ...sampleStory(), status: 'draft' }, { token: t, ifNoneMatch: '*' });
      expect(r.status).toBe(400);
      r = await putStory(s, slug, { ...sampleStory(), extra: 1 }, { token: t, ifNoneMatch: '*' });
      expect(r.status).toBe(400);
      r = await putStory(s, slug, sampleStory({ body: 'x'.repeat(2 * 1024 * 1024 + 10) }), { token: t, ifNoneMatch: '*' });
      expect(r.status).toBe(413);
      expect((await r.json()).error).toBe('payload_too_large');
      r = await putStory(s, 'Bad_Slug', sampleStory(), { token: t, ifNoneMatch: '*' });
      expect(r.status).toBe(400);
      r = await fetch(`${s.url}/api/v1/stories/${slug}`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${t}`, 'idempotency-key': freshKey(), 'if-none-match': '*', 'content-type': 'application/xml' },
        body: '<a/>',
      });
      expect(r.status).toBe(415);
      expect((await r.json()).error).toBe('unsupported_media_type');
      expect((await api(s, `/api/v1/stories/${slug}`, t)).status).toBe(404);
    });
  });

  describe('idempotency', () => {
    /** Status, the headers a replay must repeat, and the body's bytes. */
    const wire = async (r: Response) => ({
      status: r.status,
      type: r.headers.get('content-type'),
      etag: r.headers.get('etag'),
      bytes: Buffer.from(await r.arrayBuffer()).toString('base64'),
    });

    it('replays the first answer byte for byte and changes nothing: 201, 200, 412 and 422 alike', async () => {
      const slug = newSlug('idem');
      const w = s.tokens.writer;
      const cases: { label: string; body: unknown; opts: Parameters<typeof putStory>[3]; status: number }[] = [
        { label: 'create', body: sampleStory(), opts: { token: w, ifNoneMatch: '*' }, status: 201 },
        { label: 'update', body: sampleStory({ title: 'Second' }), opts: { token: w, ifMatch: '"v1"' }, status: 200 },
        { label: 'conflict', body: sampleStory({ title: 'Stale' }), opts: { token: w, ifMatch: '"v1"' }, status: 412 },
        { label: 'refused', body: sampleStory({ body: 'About {{entity:nobody-at-all}}.\n', citations: [] }), opts: { token: w, ifMatch: '"v2"' }, status: 422 },
      ];
      for (const c of cases) {
        const key = freshKey();
        const first = await wire(await putStory(s, slug, c.body, { ...c.opts, key }));
        expect(first.status, c.label).toBe(c.status);
        const versions = await s.store.countVersions(slug);
        for (let i = 0; i < 3; i++) {
          const again = await putStory(s, slug, c.body, { ...c.opts, key });
          expect(again.headers.get('idempotent-replayed'), c.label).toBe('true');
          expect(await wire(again), c.label).toEqual(first);
        }
        expect(await s.store.countVersions(slug), c.label).toBe(versions);
      }
      expect(await s.store.countVersions(slug)).toBe(2);
    });

    it('keeps answers across a restart of the server on the same database', async () => {
      const file = await newStoreLocation(kind, s.dir, 'replay');
      const token = newToken();
      const open = async () => {
        const store = await openStore(file);
        await store.seedCatalog(SAMPLE_CATALOG);
        const app = await buildServer({ store, site: 'https://news.example.org', logger: false });
        await app.listen({ port: 0, host: '127.0.0.1' });
        return { store, app, url: `http://127.0.0.1:${(app.server.address() as { port: number }).port}` };
      };
      const one = await open();
      await one.store.createToken('replayer', 'publisher', hashToken(token));
      const send = (url: string) =>
        fetch(`${url}/api/v1/stories/kept-answer`, {
          method: 'PUT',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': 'kept-1', 'if-none-match': '*' },
          body: JSON.stringify(sampleStory()),
        });
      const first = await wire(await send(one.url));
      expect(first.status).toBe(201);
      await one.app.close();
      await one.store.close();
      const two = await open();
      try {
        expect(await wire(await send(two.url))).toEqual(first);
        expect(await two.store.countVersions('kept-answer')).toBe(1);
      } finally {
        await two.app.close();
        await two.store.close();
      }
    });

    it('answers 422 idempotency_key_reused for a different request with the same key', async () => {
      const slug = newSlug('reuse');
      const key = freshKey();
      expect((await putStory(s, slug, sampleStory(), { token: s.tokens.writer, key, ifNoneMatch: '*' })).status).toBe(201);
      const reused = async (r: Response) => {
        expect(r.status).toBe(422);
        const body = await r.json();
        expect(body.error).toBe('idempotency_key_reused');
        expect(typeof body.message).toBe('string');
      };
      await reused(await putStory(s, slug, sampleStory({ title: 'Another' }), { token: s.tokens.writer, key, ifNoneMatch: '*' }));
      // The same fields in other bytes are another body: the key covers the request as sent.
      await reused(await putStory(s, slug, null, { token: s.tokens.writer, key, ifNoneMatch: '*', raw: JSON.stringify(sampleStory(), null, 2) }));
      await reused(await putStory(s, slug, sampleStory(), { token: s.tokens.writer, key, ifMatch: '"v1"' }));
      await reused(await putStory(s, `${slug}-2`, sampleStory(), { token: s.tokens.writer, key, ifNoneMatch: '*' }));
      expect((await api(s, `/api/v1/stories/${slug}-2`, s.tokens.writer)).status).toBe(404);
      // Another owner's identical key is another key.
      const other = await putStory(s, `${slug}-3`, sampleStory(), { token: s.tokens.writer2, key, ifNoneMatch: '*' });
      expect(other.status).toBe(201);
      expect(await s.store.countVersions(slug)).toBe(1);
      expect(await (await api(s, `/api/v1/stories/${slug}`, s.tokens.writer)).json()).toMatchObject({ version: 1, story: { title: sampleStory().title } });
    });

    it('two simultaneous requests with one key make one version (create and update)', async () => {
      let replays = 0;
      let inFlight = 0;
      for (let round = 0; round < 20; round++) {
        const slug = newSlug('twin');
        const update = round % 2 === 1;
        if (update) await create(slug, 'review', s.tokens.writer);
        const key = freshKey();
        const send = () =>
          putStory(s, slug, sampleStory({ title: `Twin ${round}` }), { token: s.tokens.writer, key, ...(update ? { ifMatch: '"v1"' } : { ifNoneMatch: '*' }) });
        const [a, b] = await Promise.all([send(), send()]);
        const ok = update ? 200 : 201;
        const statuses = [a.status, b.status].sort();
        expect([[ok, ok], [ok, 409].sort()]).toContainEqual(statuses);
        const [ta, tb] = [await a.text(), await b.text()];
        if (a.status === ok && b.status === ok) {
          expect(ta).toBe(tb);
          replays++;
        } else {
          expect(JSON.parse(a.status === 409 ? ta : tb).error).toBe('idempotency_key_in_flight');
          inFlight++;
        }
        expect(await s.store.countVersions(slug)).toBe(update ? 2 : 1);
        const rows = await rawQuery(s.store, 'SELECT state FROM idempotency WHERE owner = ? AND key = ?', hashToken(s.tokens.writer).toString('hex'), key);
        expect(rows).toEqual([{ state: 'done' }]);
      }
      expect(replays + inFlight).toBe(20);
    });

    it('answers 409 idempotency_key_in_flight while a key is being processed', async () => {
      const slug = newSlug('flight');
      const key = freshKey();
      const body = JSON.stringify(sampleStory());
      // A key left in flight (as by a request still running): the same request gets 409.
      const fp = createHash('sha256')
        .update(['PUT', `/api/v1/stories/${slug}`, createHash('sha256').update(body).digest('hex'), '', '*'].join('\n'))
        .digest('hex');
      expect((await s.store.beginIdempotent({ owner: hashToken(s.tokens.writer).toString('hex'), key }, fp, new Date().toISOString())).state).toBe('new');
      const r = await putStory(s, slug, null, { token: s.tokens.writer, key, ifNoneMatch: '*', raw: body });
      expect(r.status).toBe(409);
      expect(r.headers.get('retry-after')).toBe('1');
      expect((await r.json()).error).toBe('idempotency_key_in_flight');
      // A different request with a key in flight is still a reused key.
      const other = await putStory(s, slug, sampleStory({ title: 'Other' }), { token: s.tokens.writer, key, ifNoneMatch: '*' });
      expect((await other.json()).error).toBe('idempotency_key_reused');
      await s.store.abandonIdempotent({ owner: hashToken(s.tokens.writer).toString('hex'), key });
      expect((await putStory(s, slug, null, { token: s.tokens.writer, key, ifNoneMatch: '*', raw: body })).status).toBe(201);
    });

    it('keeps keys 24 hours, then the server sweeps them (at start and on its timer) and the key is new again', async () => {
      const file = await newStoreLocation(kind, s.dir, 'sweep');
      const store = await openStore(file);
      await store.seedCatalog(SAMPLE_CATALOG);
      const token = newToken();
      await store.createToken('sweeper', 'writer', hashToken(token));
      const app = await buildServer({ store, site: 'https://news.example.org', logger: false, sweepIntervalMs: 100 });
      await app.listen({ port: 0, host: '127.0.0.1' });
      const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
      const put = (slug: string, key: string, title = 'Swept') =>
        fetch(`${url}/api/v1/stories/${slug}`, {
          method: 'PUT',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': key, 'if-none-match': '*' },
          body: JSON.stringify(sampleStory({ title })),
        });
      const age = (key: string, ms: number) =>
        rawQuery(store, 'UPDATE idempotency SET created_at = ? WHERE key = ?', new Date(Date.now() - ms).toISOString(), key);
      const keys = async () => (await rawQuery<{ key: string }>(store, 'SELECT key FROM idempotency ORDER BY key')).map((r) => r.key);
      try {
        expect((await put('sweep-old', 'old')).status).toBe(201);
        expect((await put('sweep-young', 'young')).status).toBe(201);
        await age('old', 24 * 3600_000 + 60_000);
        await age('young', 24 * 3600_000 - 60_000);
        await new Promise((r) => setTimeout(r, 400));
        expect(await keys()).toEqual(['young']);
        // The swept key is a new key: a different request with it is executed, not refused as reused.
        const again = await put('sweep-old', 'old', 'Other title');
        expect(again.status).toBe(412);
        expect((await again.json()).error).toBe('version_conflict');
        // The kept key still replays.
        const replay = await put('sweep-young', 'young');
        expect(replay.headers.get('idempotent-replayed')).toBe('true');
      } finally {
        await app.close();
        await store.close();
      }
      // At start: a server opened on a file with an old key sweeps it before answering anything.
      const reopened = await openStore(file);
      await rawQuery(reopened, 'UPDATE idempotency SET created_at = ?', new Date(Date.now() - 25 * 3600_000).toISOString());
      const app2 = await buildServer({ store: reopened, logger: false });
      await app2.ready();
      expect(await rawQuery(reopened, 'SELECT COUNT(*) AS n FROM idempotency')).toEqual([{ n: 0 }]);
      await app2.close();
      await reopened.close();
    });
  });

  describe('concurrency', () => {
    it('50 concurrent PUTs with the same If-Match: exactly one winner, 49 × 412 showing the winner', async () => {
      const slug = newSlug('race');
      await create(slug);
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) => putStory(s, slug, sampleStory({ title: `Racer ${i}` }), { token: s.tokens.writer, ifMatch: '"v1"' })),
      );
      const statuses = results.map((r) => r.status);
      expect(statuses.filter((x) => x === 200)).toHaveLength(1);
      expect(statuses.filter((x) => x === 412)).toHaveLength(49);
      const winner = statuses.indexOf(200);
      const stored = await (await api(s, `/api/v1/stories/${slug}`, s.tokens.writer)).json();
      expect(stored).toMatchObject({ version: 2, story: { title: `Racer ${winner}` } });
      for (const [i, r] of results.entries()) {
        if (i === winner) continue;
        const body = await r.json();
        expect(body.error).toBe('version_conflict');
        expect(body.current).toMatchObject({ version: 2, story: { title: `Racer ${winner}` } });
      }
      expect(await s.store.countVersions(slug)).toBe(2);
    });

    it('50 concurrent creations of one slug: exactly one 201, 49 × 412', async () => {
      const slug = newSlug('birth');
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) => putStory(s, slug, sampleStory({ title: `Born ${i}` }), { token: s.tokens.writer, ifNoneMatch: '*' })),
      );
      const statuses = results.map((r) => r.status);
      expect(statuses.filter((x) => x === 201)).toHaveLength(1);
      expect(statuses.filter((x) => x === 412)).toHaveLength(49);
      expect(await s.store.countVersions(slug)).toBe(1);
    });
  });

  describe('catalog and change feeds', () => {
    it('pages the catalog with an opaque cursor and limit; rejects bad cursors and limits', async () => {
      const all = await (await api(s, '/api/v1/catalog?limit=5000', s.tokens.writer)).json();
      const total = all.entities.length + all.beats.length + all.stories.length;
      expect(all.hasMore).toBe(false);
      let since = '';
      let seen = 0;
      for (let i = 0; i < 1000; i++) {
        const page = await (await api(s, `/api/v1/catalog?limit=7${since ? `&since=${since}` : ''}`, s.tokens.writer)).json();
        seen += page.entities.length + page.beats.length + page.stories.length;
        since = page.cursor;
        if (!page.hasMore) break;
      }
      expect(seen).toBe(total);
      for (const bad of ['since=abc', 'since=-1', 'since=1.5', 'limit=0', 'limit=5001', 'limit=x', 'since=1&since=2', 'since=99999999999999999999']) {
        const r = await api(s, `/api/v1/catalog?${bad}`, s.tokens.writer);
        expect(r.status, bad).toBe(400);
        expect((await r.json()).error).toBe('bad_request');
        expect((await api(s, `/api/v1/stories?${bad}`, s.tokens.writer)).status, bad).toBe(400);
      }
    });

    it('puts entities (slug from the path) and serves them from the feed; new references then lint clean', async () => {
      const head = await (await api(s, '/api/v1/catalog?limit=5000', s.tokens.editor)).json();
      const slug = newSlug('ada');
      const put = (body: unknown) =>
        api(s, `/api/v1/catalog/entities/${slug}`, s.tokens.editor, {
          method: 'PUT',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      let r = await put({ name: 'Ada Example', type: 'person', aliases: ['Ada'] });
      expect(r.status).toBe(201);
      r = await put({ name: 'Ada Example', type: 'person', aliases: ['Ada', 'A. Example'] });
      expect(r.status).toBe(200);
      expect((await put({ name: 'Ada', type: 'robot' })).status).toBe(400);
      expect((await put({ slug: 'other', name: 'Ada', type: 'person' })).status).toBe(400);
      const feed = await (await api(s, `/api/v1/catalog?since=${head.cursor}`, s.tokens.writer)).json();
      expect(feed.entities).toEqual([{ slug, name: 'Ada Example', type: 'person', aliases: ['Ada', 'A. Example'] }]);
      const story = await putStory(s, newSlug(), sampleStory({ body: `About {{entity:${slug}|Ada}}.\n`, citations: [] }), {
        token: s.tokens.writer,
        ifNoneMatch: '*',
      });
      expect(story.status).toBe(201);
    });

    it('lists story changes after a cursor, oldest first', async () => {
      const head = await (await api(s, '/api/v1/stories?limit=5000', s.tokens.writer)).json();
      const a = newSlug('feed');
      const b = newSlug('feed');
      await create(a);
      await create(b);
      await putStory(s, a, sampleStory({ title: 'A2' }), { token: s.tokens.writer, ifMatch: '"v1"' });
      const page = await (await api(s, `/api/v1/stories?since=${head.cursor}`, s.tokens.writer)).json();
      expect(page.items.map((i: { slug: string; version: number }) => `${i.slug}@${i.version}`)).toEqual([`${b}@1`, `${a}@2`]);
      const one = await (await api(s, `/api/v1/stories?since=${head.cursor}&limit=1`, s.tokens.writer)).json();
      expect(one.hasMore).toBe(true);
      expect(one.items).toHaveLength(1);
      const empty = await (await api(s, `/api/v1/stories?since=${page.cursor}`, s.tokens.writer)).json();
      expect(empty).toEqual({ items: [], cursor: page.cursor, hasMore: false });
    });
  });

  describe('public pages', () => {
    it('paginates the front page 20 a page, newest first, with CSP and no script', async () => {
      const slugs: string[] = [];
      for (let i = 0; i < 22; i++) {
        const slug = newSlug('front');
        slugs.push(slug);
        const published = new Date(Date.UTC(2030, 0, 1 + i)).toISOString();
        expect(
          (await putStory(s, slug, sampleStory({ status: 'published', published, title: `Front ${i}` }), { token: s.tokens.publisher, ifNoneMatch: '*' }))
            .status,
        ).toBe(201);
      }
      const p1 = await fetch(`${s.url}/`);
      expect(p1.headers.get('content-security-policy')).toBe(
        "default-src 'none'; style-src 'unsafe-inline'; img-src https: http: data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
      );
      const h1 = await p1.text();
      expect(h1).not.toMatch(/<script/i);
      expect(h1.indexOf(`/stories/${slugs[21]}"`)).toBeLessThan(h1.indexOf(`/stories/${slugs[20]}"`));
      expect((h1.match(/<li>/g) ?? []).length).toBe(20);
      const h2 = await (await fetch(`${s.url}/?page=2`)).text();
      expect(h2).toContain(`/stories/${slugs[1]}"`);
      expect((await fetch(`${s.url}/?page=999`)).status).toBe(404);
      expect((await fetch(`${s.url}/?page=abc`)).status).toBe(400);
      const nf = await fetch(`${s.url}/stories/no-such-thing`);
      expect(nf.status).toBe(404);
      expect(nf.headers.get('content-type')).toContain('text/html');
      expect((await fetch(`${s.url}/entities/no-such-entity`)).status).toBe(404);
      expect((await fetch(`${s.url}/beats/no-such-beat`)).status).toBe(404);
      expect((await fetch(`${s.url}/nowhere`)).status).toBe(404);
    });
  });
});

describe('logging', () => {
  it('never writes a token to the log', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, cb) {
        lines.push(String(chunk));
        cb();
      },
    });
    const logger = pino({ level: 'trace', redact: { paths: LOG_REDACT, censor: '[redacted]' } }, sink);
    const store = new SqliteStore(':memory:');
    const token = newToken();
    await store.createToken('w', 'writer', hashToken(token));
    const app = await buildServer({ store, logger: logger as never });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const port = (app.server.address() as { port: number }).port;
    await fetch(`http://127.0.0.1:${port}/api/v1/stories`, { headers: { authorization: `Bearer ${token}` } });
    await fetch(`http://127.0.0.1:${port}/api/v1/stories/x`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: '{',
    });
    await fetch(`http://127.0.0.1:${port}/api/v1/stories`, { headers: { authorization: `Bearer ${token}x` } });
    await app.close();
    await store.close();
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.join('')).not.toContain(token);
  });
});
