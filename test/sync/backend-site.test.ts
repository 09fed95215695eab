/**
 * Issue 11 #8: once logged in, the studio takes the public site from the backend (its whoami), so
 * that the preview and exports link where the published page does; a site a backend names that is
 * not an http(s) address is never used.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHandlers, librarySettings } from '../../electron/services/api-handlers.js';
import { Library } from '../../electron/services/library/index.js';
import { sampleCatalogPath } from '../../electron/services/paths.js';
import { SyncService } from '../../electron/services/sync-service/index.js';
import { MemoryVault } from '../../electron/services/vault/index.js';
import { startServer, type TestServer } from '../server/helpers.js';
import { storyText } from './helpers/stories.js';

let backend: TestServer;
let dir: string;
let lib: Library;

beforeEach(async () => {
  backend = await startServer();
  dir = mkdtempSync(join(tmpdir(), 'backend-site-'));
  lib = Library.open(join(dir, 'library.sqlite'), { seed: { catalogPath: sampleCatalogPath() } });
});
afterEach(async () => {
  lib.close();
  await backend.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the site the backend serves its pages at (issue 11 #8)', () => {
  it("logged in, exports link to the backend's site; logged out, to the site setting again", async () => {
    const sync = new SyncService({ library: lib, vault: new MemoryVault(), intervalMs: 0 });
    const handlers = createHandlers(lib, librarySettings(lib), sync);
    const id = lib.putBySlug('site-links-aa11', storyText('site-links-aa11')).id;
    expect((await sync.overview()).site).toBeNull();
    const before = await handlers.exportStory({ id, format: 'html' });
    expect(before.content).toContain('href="https://aidran.ai/entities/sam-altman"');

    await sync.login(backend.url, backend.tokens.writer);
    expect((await sync.overview()).site).toBe(backend.url);
    const after = await handlers.exportStory({ id, format: 'html' });
    expect(after.content).toContain(`href="${backend.url}/entities/sam-altman"`);
    // The public page links the same way.
    await sync.logout();
    expect((await sync.overview()).site).toBeNull();
    expect((await handlers.exportStory({ id, format: 'html' })).content).toContain('href="https://aidran.ai/entities/sam-altman"');
  });

  it('a site a backend names that is not an http(s) address is not used', async () => {
    for (const site of ['javascript:alert(1)', 'https://x.example/?q=1', 'not a url', 'h'.repeat(3000)]) {
      const fetchFn: typeof fetch = async (input, init) => {
        const url = String(input);
        if (url.endsWith('/api/v1/whoami'))
          return new Response(JSON.stringify({ name: 'w', role: 'writer', site }), { status: 200, headers: { 'content-type': 'application/json' } });
        return fetch(input, init);
      };
      const sync = new SyncService({ library: lib, vault: new MemoryVault(), intervalMs: 0, fetch: fetchFn });
      const o = await sync.login(backend.url, backend.tokens.writer);
      expect(o.role).toBe('writer');
      expect(o.site).toBeNull();
    }
  });
});
