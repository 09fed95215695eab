/**
 * Issue 11 #5 against the reference backend: one forbidden row stops only its story. A writer's
 * Publish answered 403 pauses that story's rows; the other stories still go out; `studio cancel`
 * (and the service) withdraws a queued or paused row from the outbox; a new login's role reaches
 * the service within one sync round.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runStudio } from '../../electron/cli/studio.js';
import { Library } from '../../electron/services/library/index.js';
import { sampleCatalogPath } from '../../electron/services/paths.js';
import { SyncService } from '../../electron/services/sync-service/index.js';
import { MemoryVault } from '../../electron/services/vault/index.js';
import { startServer, type TestServer } from '../server/helpers.js';
import { storyText } from './helpers/stories.js';

let backend: TestServer;
let dir: string;
beforeEach(async () => {
  backend = await startServer();
  dir = mkdtempSync(join(tmpdir(), 'forbidden-row-'));
});
afterEach(async () => {
  await backend.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('one forbidden row stops only its story (issue 11 #5)', () => {
  it('a 403 pauses that story; the others go out; cancel drops the paused row', async () => {
    const lib = Library.open(join(dir, 'library.sqlite'), { seed: { catalogPath: sampleCatalogPath() } });
    try {
      const sync = new SyncService({ library: lib, vault: new MemoryVault(), intervalMs: 0 });
      await sync.login(backend.url, backend.tokens.writer);
      const a = lib.putBySlug('forbidden-publish-aa01', storyText('forbidden-publish-aa01')).id;
      const b = lib.putBySlug('allowed-review-bb02', storyText('allowed-review-bb02')).id;
      await sync.enqueue(a, 'published');
      await sync.enqueue(b, 'review');
      const r = await sync.run();
      expect(r.overview.paused).toBeNull();
      expect((await sync.storySync(a)).changes[0]?.state).toBe('paused');
      expect((await sync.storySync(a)).changes[0]?.lastError).toMatch(/403/);
      expect((await sync.storySync(b)).changes[0]?.state).toBe('done');
      // The person drops the change nobody will send.
      const after = await sync.cancel(a);
      expect(after.changes[0]?.state).toBe('superseded');
      expect((await sync.overview()).queued).toBe(0);
    } finally {
      lib.close();
    }
  });

  it('a new login with a higher role is known within one round, and `studio cancel SLUG` drops a queued row', async () => {
    const home = join(dir, 'home');
    const studio = async (args: string[], stdin = '') => {
      let out = '';
      const code = await runStudio(args, {
        stdout: (t) => {
          out += t;
        },
        stderr: (t) => {
          out += t;
        },
        stdin: async () => stdin,
        isTTY: false,
        env: { STUDIO_HOME: home },
      } as Parameters<typeof runStudio>[1]);
      return { code, out };
    };
    expect((await studio(['login', '--backend', backend.url], backend.tokens.writer)).code).toBe(0);
    const file = join(dir, 'story.md');
    writeFileSync(file, storyText('cancel-me-cc03'));
    expect((await studio(['publish', file, '--status', 'review', '--offline'])).code).toBe(0);
    const c = await studio(['cancel', 'cancel-me-cc03']);
    expect(c.out).toMatch(/cancelled 1 waiting change of cancel-me-cc03/);
    expect(c.code).toBe(0);
    const s = await studio(['status', '--format', 'json']);
    expect(JSON.parse(s.out).queued).toEqual([]);
    expect((await studio(['cancel', 'cancel-me-cc03'])).code).toBe(1);

    // The running app's service hears of a role change at its next round.
    const lib = Library.open(join(dir, 'app.sqlite'), { seed: { catalogPath: sampleCatalogPath() } });
    try {
      const vault = new MemoryVault();
      const sync = new SyncService({ library: lib, vault, intervalMs: 0 });
      await sync.login(backend.url, backend.tokens.writer);
      expect((await sync.overview()).role).toBe('writer');
      // Another process (the command line) logs in as a publisher with the same vault.
      await vault.save({ backendUrl: backend.url, token: backend.tokens.publisher });
      await sync.run();
      expect((await sync.overview()).role).toBe('publisher');
    } finally {
      lib.close();
    }
  });
});
