import { mkdtempSync, mkdirSync, rmSync, symlinkSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STUDIO_METHODS } from '../../shared/api/contract.js';
import { createHandlers } from '../../electron/services/api-handlers.js';
import { Library } from '../../electron/services/library/index.js';
import { sampleCatalogPath, sampleStoriesDir } from '../../electron/services/paths.js';
import { startHost, type RunningHost } from '../../electron/host/server.js';

let dir: string;
let lib: Library;
let host: RunningHost;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'studio-host-'));
  mkdirSync(join(dir, 'static'));
  writeFileSync(join(dir, 'static', 'index.html'), '<!doctype html><title>t</title>');
  lib = Library.open(join(dir, 'lib.sqlite'), { seed: { catalogPath: sampleCatalogPath(), storiesDir: sampleStoriesDir() } });
  host = await startHost({ handlers: createHandlers(lib), staticDir: join(dir, 'static') });
});
afterAll(async () => {
  await host.close();
  lib.close();
  rmSync(dir, { recursive: true, force: true });
});

function call(method: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${host.origin}/api/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-studio-secret': host.secret, ...headers },
    body: JSON.stringify(body),
  });
}

describe('loopback host', () => {
  it('listens on 127.0.0.1 with a 32-byte secret in the URL fragment', () => {
    expect(host.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(host.secret).toMatch(/^[0-9a-f]{64}$/);
    expect(host.url).toBe(`${host.origin}/#secret=${host.secret}`);
  });

  it('refuses API calls without the secret or with a wrong one', async () => {
    const none = await fetch(`${host.origin}/api/listStories`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(none.status).toBe(401);
    const wrong = await call('listStories', {}, { 'x-studio-secret': 'a'.repeat(64) });
    expect(wrong.status).toBe(401);
    expect((await wrong.json()).error.code).toBe('unauthorized');
  });

  it('refuses a foreign Origin even with the secret', async () => {
    const res = await call('listStories', {}, { origin: 'http://evil.example' });
    expect(res.status).toBe(403);
    expect((await res.json()).error.code).toBe('refused');
    const ok = await call('listStories', {}, { origin: host.origin });
    expect(ok.status).toBe(200);
  });

  it('validates input against the contract and rejects unknown methods', async () => {
    const bad = await call('getStory', { id: 42 });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.message).toMatch(/^getStory: id:/);
    expect((await call('dropTables', {})).status).toBe(404);
    expect((await call('getStory', { id: 'nope' })).status).toBe(404);
  });

  it('refuses JSON nested deeper than the protocol allows, in one line, before parsing it', async () => {
    const deep = await fetch(`${host.origin}/api/listStories`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-studio-secret': host.secret },
      body: '['.repeat(100_000) + ']'.repeat(100_000),
    });
    expect(deep.status).toBe(400);
    expect((await deep.json()).error).toEqual({ code: 'bad-input', message: 'the JSON nests deeper than 32 levels' });
    const broken = await fetch(`${host.origin}/api/listStories`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-studio-secret': host.secret },
      body: '{"a":',
    });
    expect(broken.status).toBe(400);
    expect((await broken.json()).error.message).toMatch(/^the JSON does not parse/);
  });

  it('round-trips through the API: create, save, search, revisions, export', async () => {
    const created = (await (await call('createStory', { title: 'Round trip' })).json()).value;
    const text = '---\ntitle: Round trip\nbeat: open-source-ai\n---\nThe {{entity:sam-altman}} piece about marmalade.\n';
    const saved = (await (await call('saveStory', { id: created.id, text })).json()).value;
    expect(saved.changed).toBe(true);
    const hits = (await (await call('search', { query: 'marmalade' })).json()).value;
    expect(hits[0].id).toBe(created.id);
    const revs = (await (await call('listRevisions', { id: created.id })).json()).value;
    expect(revs).toHaveLength(2);
    const html = (await (await call('exportStory', { id: created.id, format: 'html' })).json()).value;
    expect(html.content).toContain('class="ref ref-entity"');
    const cat = (await (await call('getCatalog', {})).json()).value;
    expect(cat.entities.length).toBeGreaterThan(10);
  });

  it('serves every contract method (none missing)', async () => {
    for (const m of STUDIO_METHODS) {
      const body = await (await call(m, {})).json();
      expect(body.ok || body.error.code !== 'unknown-method', m).toBe(true);
    }
  });

  it('serves the renderer page with a CSP and refuses path traversal and foreign Host headers', async () => {
    const page = await fetch(`${host.origin}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const trav = await fetch(`${host.origin}/..%2f..%2fetc%2fpasswd`);
    expect(await trav.text()).not.toContain('root:');
    const { request } = await import('node:http');
    const status = await new Promise<number>((ok) => {
      const req = request({ host: '127.0.0.1', port: host.port, path: '/', headers: { host: 'evil.example' } }, (res) => ok(res.statusCode ?? 0));
      req.end();
    });
    expect(status).toBe(421);
  });

  // Issue 15 #16: a malformed percent-encoding is the caller's mistake (400), never a 500.
  it('answers 400 to a malformed percent-encoding, in the API and in static paths', async () => {
    const api = await fetch(`${host.origin}/api/%E0%A4%A`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-studio-secret': host.secret },
      body: '{}',
    });
    expect(api.status).toBe(400);
    expect((await api.json()).error.code).toBe('bad-input');
    expect((await fetch(`${host.origin}/%E0%A4%A.js`)).status).toBe(400);
    expect((await fetch(`${host.origin}/`)).status).toBe(200);
  });

  // Issue 15 #16: a static file that fails while it is read (here a link to /proc/self/mem, which
  // stat calls a file and read refuses) costs that one answer, never the host.
  it('survives a static file whose read fails mid-stream', async () => {
    symlinkSync('/proc/self/mem', join(dir, 'static', 'vanishing.js'));
    const res = await fetch(`${host.origin}/vanishing.js`, { signal: AbortSignal.timeout(5000) }).catch((e: Error) => e);
    if (!(res instanceof Error)) await res.arrayBuffer().catch(() => undefined);
    const page = await fetch(`${host.origin}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>t</title>');
  }, 15_000);

  it('survives a static file truncated and removed while it is sent', async () => {
    const file = join(dir, 'static', 'big.js');
    writeFileSync(file, 'x'.repeat(16 * 1024 * 1024));
    const res = await fetch(`${host.origin}/big.js`, { signal: AbortSignal.timeout(5000) });
    const reader = res.body!.getReader();
    expect((await reader.read()).done).toBe(false);
    truncateSync(file, 0);
    unlinkSync(file);
    await (async () => {
      for (;;) if ((await reader.read()).done) return;
    })().catch(() => undefined);
    expect((await fetch(`${host.origin}/big.js`)).status).toBe(404);
    expect((await fetch(`${host.origin}/`)).status).toBe(200);
  }, 15_000);

  it('a one-time address works once and expires', async () => {
    let clock = 1_000;
    const timed = await startHost({ handlers: createHandlers(lib), staticDir: join(dir, 'static'), codeTtlMs: 60_000, now: () => clock });
    try {
      const exchange = (url: string) =>
        fetch(`${timed.origin}/api/session`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ code: new URL(url).hash.slice('#code='.length) }),
        });
      const fresh = timed.openUrl();
      expect(fresh).toMatch(new RegExp(`^${timed.origin}/#code=[0-9a-f]{48}$`));
      expect(fresh).not.toContain(timed.secret);
      const ok = await exchange(fresh);
      expect(((await ok.json()) as { value: { secret: string } }).value.secret).toBe(timed.secret);
      expect((await exchange(fresh)).status).toBe(401);
      const late = timed.openUrl();
      clock += 60_001;
      const expired = await exchange(late);
      expect(expired.status).toBe(401);
      expect(((await expired.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
    } finally {
      await timed.close();
    }
  });
});
