/**
 * Issue 11 #6 against the reference backend: "online" follows health checks, not only sync rounds.
 * With a sync round due only in a minute, the backend dying is seen within a few health checks.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { Library } from '../../electron/services/library/index.js';
import { sampleCatalogPath } from '../../electron/services/paths.js';
import { SyncService } from '../../electron/services/sync-service/index.js';
import { MemoryVault } from '../../electron/services/vault/index.js';
import { startServer } from '../server/helpers.js';

it('the online state follows health checks between sync rounds (issue 11 #6)', async () => {
  const backend = await startServer();
  const dir = mkdtempSync(join(tmpdir(), 'online-health-'));
  const lib = Library.open(join(dir, 'library.sqlite'), { seed: { catalogPath: sampleCatalogPath() } });
  const sync = new SyncService({ library: lib, vault: new MemoryVault(), intervalMs: 60_000, healthIntervalMs: 100, healthRetryMs: 10 });
  try {
    await sync.login(backend.url, backend.tokens.editor);
    sync.start();
    // The first round runs; the next is a minute away.
    await expect.poll(async () => (await sync.overview()).lastSyncAt, { timeout: 5_000, interval: 50 }).not.toBeNull();
    expect((await sync.overview()).online).toBe(true);
    await backend.close();
    await expect.poll(async () => (await sync.overview()).online, { timeout: 3_000, interval: 50 }).toBe(false);
  } finally {
    sync.stop();
    await sync.idle();
    lib.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
