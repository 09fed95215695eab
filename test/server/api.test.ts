import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer, LOG_REDACT } from '../../server/app.js';
import { hashToken, newToken } from '../../server/auth.js';
import { SqliteStore } from '../../server/store/sqlite-store.js';
import { api, freshKey, putStory, sampleStory, startServer, type TestServer } from './helpers.js';

let s: TestServer;
beforeAll(async () => {
  s = await startServer();
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
      ['GET', '/api/v1/catalog'], ['PUT', '/api/v1/catalog/entities/someone'], ['GET', '/api/v1/stories'],
      ['GET', '/api/v1/stories/x'], ['PUT', '/api/v1/stories/x'], ['DELETE', '/api/v1/stories/x'],
    ];
    for (const [method, path] of calls) {
      for (const auth of [undefined, 'Bearer ' + newToken(), 'Basic abc', 'Bearer', `Bearer ${s.tokens.writer}x`]) {
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (auth) headers.authorization = auth;
        const r = await fetch(`${s.url}${path}`, { method, headers, ...(method === 'PUT' ? { body: '{}' } : {}) });
        expect(r.status, `${method} ${path} ${auth}`).toBe(401);
        const body = await r.json();
        expect(body.error).toBe('unauthorized');
        expect(typeof body.message).toBe('string');
      }
    }
  });
});

describe('role × action matrix', () => {
  const roles = ['writer', 'editor', 'publisher'] as const;
  const allowed: Record<string, readonly string[]> = {
    'read catalog': roles, 'list stories': roles, 'get story': roles,
    'put review': roles, 'put approved': ['editor', 'publisher'], 'put published': ['publisher'],
    'put entity': ['editor', 'publisher'], withdraw: ['publisher'],
  };
  for (const role of roles) {
    for (const [action, who] of Object.entries(allowed)) {
      it(`${role} ${who.includes(role) ? 'may' : 'may not'} ${action}`, async () => {
        const token = s.tokens[role];
        let r: Response;
        if (action === 'read catalog') r = await api(s, '/api/v1/catalog', token);
        else if (action === 'list stories') r = await api(s, '/api/v1/stories', token);
        else if (action === 'get story') {
          const slug = newSlug();
          await create(slug);
          r = await api(s, `/api/v1/stories/${slug}`, token);
        } else if (action.startsWith('put ') && action !== 'put entity') {
          const status = action.slice(4) as 'review';
          r = await putStory(s, newSlug(), sampleStory({ status }), { token, ifNoneMatch: '*' });
        } else if (action === 'put entity') {
          r = await api(s, `/api/v1/catalog/entities/${newSlug('entity')}`, token, {
            method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Some One', type: 'person' }),
          });
        } else {
          const slug = newSlug();
          const { version } = await create(slug, 'published');
          r = await api(s, `/api/v1/stories/${slug}`, token, { method: 'DELETE', headers: { 'if-match': `"v${version}"` } });
        }
        if (who.includes(role)) expect(r.status, await r.clone().text()).toBeLessThan(300);
        else {
          expect(r.status).toBe(403);
          expect((await r.json()).error).toBe('forbidden');
        }
      });
    }
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
    expect(got).toMatchObject({ slug, version: 1, status: 'review', story: { title: sampleStory().title, body: sampleStory().body, beat: 'open-source-ai' } });

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

  it('refuses a story with lint errors: 422 invalid_story with diagnostics, nothing written', async () => {
    const slug = newSlug('bad');
    const r = await putStory(s, slug, sampleStory({ body: 'About {{entity:nobody-we-know}} and {{widget:x}}[7].\n', citations: [{ n: 1, url: 'ftp://x' }] }), {
      token: s.tokens.writer, ifNoneMatch: '*',
    });
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
      method: 'PUT', headers: { authorization: `Bearer ${t}`, 'idempotency-key': freshKey(), 'if-none-match': '*', 'content-type': 'application/xml' }, body: '<a/>',
    });
    expect(r.status).toBe(415);
    expect((await r.json()).error).toBe('unsupported_media_type');
    expect((await api(s, `/api/v1/stories/${slug}`, t)).status).toBe(404);
  });
});

describe('idempotency', () => {
  it('replays the first answer byte for byte and changes nothing', async () => {
    const slug = newSlug('idem');
    const key = freshKey();
    const first = await putStory(s, slug, sampleStory(), { token: s.tokens.writer, key, ifNoneMatch: '*' });
    const firstBytes = await first.text();
    expect(first.status).toBe(201);
    for (let i = 0; i < 3; i++) {
      const again = await putStory(s, slug, sampleStory(), { token: s.tokens.writer, key, ifNoneMatch: '*' });
      expect(again.status).toBe(201);
      expect(again.headers.get('etag')).toBe('"v1"');
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(await again.text()).toBe(firstBytes);
    }
    expect(await s.store.countVersions(slug)).toBe(1);
    // A refused answer is replayed too.
    const key412 = freshKey();
    const c1 = await putStory(s, slug, sampleStory(), { token: s.tokens.writer, key: key412, ifNoneMatch: '*' });
    expect(c1.status).toBe(412);
    const c2 = await putStory(s, slug, sampleStory(), { token: s.tokens.writer, key: key412, ifNoneMatch: '*' });
    expect(c2.status).toBe(412);
    expect(await c2.text()).toBe(await c1.text());
  });

  it('answers 422 idempotency_key_reused for a different request with the same key', async () => {
    const slug = newSlug('reuse');
    const key = freshKey();
    expect((await putStory(s, slug, sampleStory(), { token: s.tokens.writer, key, ifNoneMatch: '*' })).status).toBe(201);
    const changedBody = await putStory(s, slug, sampleStory({ title: 'Another' }), { token: s.tokens.writer, key, ifNoneMatch: '*' });
    expect(changedBody.status).toBe(422);
    expect((await changedBody.json()).error).toBe('idempotency_key_reused');
    const changedPrecondition = await putStory(s, slug, sampleStory(), { token: s.tokens.writer, key, ifMatch: '"v1"' });
    expect((await changedPrecondition.json()).error).toBe('idempotency_key_reused');
    const changedPath = await putStory(s, `${slug}-2`, sampleStory(), { token: s.tokens.writer, key, ifNoneMatch: '*' });
    expect((await changedPath.json()).error).toBe('idempotency_key_reused');
    // Another owner's identical key is another key.
    const other = await putStory(s, `${slug}-3`, sampleStory(), { token: s.tokens.writer2, key, ifNoneMatch: '*' });
    expect(other.status).toBe(201);
    expect(await s.store.countVersions(slug)).toBe(1);
  });

  it('two simultaneous PUTs with one key make one version', async () => {
    for (let round = 0; round < 5; round++) {
      const slug = newSlug('twin');
      const key = freshKey();
      const [a, b] = await Promise.all([
        putStory(s, slug, sampleStory(), { token: s.tokens.writer, key, ifNoneMatch: '*' }),
        putStory(s, slug, sampleStory(), { token: s.tokens.writer, key, ifNoneMatch: '*' }),
      ]);
      const statuses = [a.status, b.status].sort();
      expect([[201, 201], [201, 409]]).toContainEqual(statuses);
      const [ta, tb] = [await a.text(), await b.text()];
      if (a.status === 201 && b.status === 201) expect(ta).toBe(tb);
      expect(await s.store.countVersions(slug)).toBe(1);
    }
  });

  it('answers 409 idempotency_key_in_flight while a key is being processed', async () => {
    const slug = newSlug('flight');
    const key = freshKey();
    const body = JSON.stringify(sampleStory());
    // A key left in flight (as by a request still running): the same request gets 409.
    const { createHash } = await import('node:crypto');
    const fp = createHash('sha256')
      .update(['PUT', `/api/v1/stories/${slug}`, createHash('sha256').update(body).digest('hex'), '', '*'].join('\n'))
      .digest('hex');
    expect((await s.store.beginIdempotent({ owner: 'writer', key }, fp, new Date().toISOString())).state).toBe('new');
    const r = await putStory(s, slug, null, { token: s.tokens.writer, key, ifNoneMatch: '*', raw: body });
    expect(r.status).toBe(409);
    expect((await r.json()).error).toBe('idempotency_key_in_flight');
    await s.store.abandonIdempotent({ owner: 'writer', key });
    expect((await putStory(s, slug, null, { token: s.tokens.writer, key, ifNoneMatch: '*', raw: body })).status).toBe(201);
  });

  it('sweeps finished keys older than 24 hours only', async () => {
    const key = freshKey();
    const slug = newSlug('sweep');
    await putStory(s, slug, sampleStory(), { token: s.tokens.writer, key, ifNoneMatch: '*' });
    expect(await s.store.sweepIdempotency(new Date(Date.now() - 24 * 3600 * 1000).toISOString())).toBe(0);
    s.store.db.prepare('UPDATE idempotency SET created_at = ? WHERE key = ?').run(new Date(Date.now() - 25 * 3600 * 1000).toISOString(), key);
    expect(await s.store.sweepIdempotency(new Date(Date.now() - 24 * 3600 * 1000).toISOString())).toBe(1);
  });
});

describe('concurrency', () => {
  it('50 concurrent PUTs with the same If-Match: exactly one winner, 49 × 412', async () => {
    const slug = newSlug('race');
    await create(slug);
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => putStory(s, slug, sampleStory({ title: `Racer ${i}` }), { token: s.tokens.writer, ifMatch: '"v1"' })),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((x) => x === 200)).toHaveLength(1);
    expect(statuses.filter((x) => x === 412)).toHaveLength(49);
    expect(await s.store.countVersions(slug)).toBe(2);
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
      api(s, `/api/v1/catalog/entities/${slug}`, s.tokens.editor, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    let r = await put({ name: 'Ada Example', type: 'person', aliases: ['Ada'] });
    expect(r.status).toBe(201);
    r = await put({ name: 'Ada Example', type: 'person', aliases: ['Ada', 'A. Example'] });
    expect(r.status).toBe(200);
    expect((await put({ name: 'Ada', type: 'robot' })).status).toBe(400);
    expect((await put({ slug: 'other', name: 'Ada', type: 'person' })).status).toBe(400);
    const feed = await (await api(s, `/api/v1/catalog?since=${head.cursor}`, s.tokens.writer)).json();
    expect(feed.entities).toEqual([{ slug, name: 'Ada Example', type: 'person', aliases: ['Ada', 'A. Example'] }]);
    const story = await putStory(s, newSlug(), sampleStory({ body: `About {{entity:${slug}|Ada}}.\n`, citations: [] }), { token: s.tokens.writer, ifNoneMatch: '*' });
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
      expect((await putStory(s, slug, sampleStory({ status: 'published', published, title: `Front ${i}` }), { token: s.tokens.publisher, ifNoneMatch: '*' })).status).toBe(201);
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

describe('logging', () => {
  it('never writes a token to the log', async () => {
    const lines: string[] = [];
    const sink = new Writable({ write(chunk, _enc, cb) { lines.push(String(chunk)); cb(); } });
    const logger = pino({ level: 'trace', redact: { paths: LOG_REDACT, censor: '[redacted]' } }, sink);
    const store = new SqliteStore(':memory:');
    const token = newToken();
    await store.createToken('w', 'writer', hashToken(token));
    const app = await buildServer({ store, logger: logger as never });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const port = (app.server.address() as { port: number }).port;
    await fetch(`http://127.0.0.1:${port}/api/v1/stories`, { headers: { authorization: `Bearer ${token}` } });
    await fetch(`http://127.0.0.1:${port}/api/v1/stories/x`, { method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{' });
    await fetch(`http://127.0.0.1:${port}/api/v1/stories`, { headers: { authorization: `Bearer ${token}x` } });
    await app.close();
    await store.close();
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.join('')).not.toContain(token);
  });
});
