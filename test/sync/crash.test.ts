/**
 * Crash safety (issue 6): `studio sync` of 1,000 stories (1,200 changes) on a studio library is
 * killed with SIGKILL at 50+ random moments and restarted each time. At the end the backend holds
 * exactly one version per change (the idempotency keys turn every resend into a replay), nothing
 * local is lost, and the outbox is empty. A proxy slows every answer a little (so kills land
 * mid-drain), answers some 503s, and drops some connections after the backend has answered (so some
 * retries are replays of accepted puts).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Library } from '../../electron/services/library/index.js';
import { sampleCatalogPath } from '../../electron/services/paths.js';
import { SyncService } from '../../electron/services/sync-service/index.js';
import { FileVault, credentialsPath } from '../../electron/services/vault/index.js';
import { BACKENDS, type Backend } from './helpers/backends.js';
import { FaultProxy, seeded } from './helpers/fault-proxy.js';
import { storyText } from './helpers/stories.js';

const CLI = join(process.cwd(), 'dist/cli/studio.js');
const cliBuilt = existsSync(CLI);
const STORIES = 1000;
const SECOND_CHANGES = 200;
const MIN_KILLS = 50;

for (const b of BACKENDS) {
  describe.skipIf(b.skip || !cliBuilt)(`crash safety against the ${b.name}${cliBuilt ? '' : ' (SKIPPED: dist/cli/studio.js not built)'}`, () => {
    let backend: Backend;
    let proxy: FaultProxy;
    let home: string;
    beforeAll(async () => {
      backend = await b.start();
      proxy = await new FaultProxy(backend.url).start();
      home = mkdtempSync(join(tmpdir(), 'studio-crash-'));
    });
    afterAll(async () => {
      await proxy?.close();
      await backend?.close();
      rmSync(home, { recursive: true, force: true });
    });

    it(`SIGKILL at ${MIN_KILLS}+ random moments of a sync of ${STORIES} stories: one version per change, nothing lost`, async () => {
      const rnd = seeded(7);
      proxy.plan = () => {
        const x = rnd();
        if (x < 0.03) return { kind: 'drop-after' };
        if (x < 0.05) return { kind: 'status', status: 503 };
        return { kind: 'slow', ms: 6, forward: true };
      };
      const token = await backend.token('editor');
      await new FileVault(credentialsPath(home)).save({ backendUrl: proxy.url, token });
      const libraryFile = join(home, 'library.sqlite');

      // 1,000 stories in the library, each submitted for review; 200 edited again and approved.
      const expected = new Map<string, number>();
      const localTexts = new Map<string, string>();
      {
        const library = Library.open(libraryFile, { seed: { catalogPath: sampleCatalogPath() } });
        const sync = new SyncService({ library, vault: new FileVault(credentialsPath(home)), intervalMs: 0 });
        const ids: string[] = [];
        library.db.transaction(() => {
          for (let i = 0; i < STORIES; i++) ids.push(library.putBySlug(`crash-story-${i}`, storyText(`crash-story-${i}`)).id);
        })();
        for (const [i, id] of ids.entries()) {
          await sync.enqueue(id, 'review');
          expected.set(`crash-story-${i}`, 1);
        }
        for (let i = 0; i < SECOND_CHANGES; i++) {
          const id = ids[i * 5]!;
          library.saveStory(id, storyText(`crash-story-${i * 5}`, 'A second paragraph, written later.\n'));
          await sync.enqueue(id, 'approved');
          expected.set(`crash-story-${i * 5}`, 2);
        }
        for (const id of ids) {
          const rec = library.getStory(id);
          localTexts.set(rec.slug, rec.text);
        }
        library.close();
      }
      const changes = STORIES + SECOND_CHANGES;

      const env = { ...process.env, STUDIO_HOME: home, STUDIO_SYNC_BACKOFF_BASE_MS: '10', STUDIO_SYNC_BACKOFF_CAP_MS: '100', STUDIO_SYNC_TIMEOUT_MS: '2000' };
      const run = (killAfterMs?: number) => new Promise<{ code: number | null; signal: string | null; out: string }>((resolve) => {
        const child = spawn(process.execPath, [CLI, 'sync', '--no-pull', '--wait', '60'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        child.stdout.on('data', (d) => { out += String(d); });
        child.stderr.on('data', (d) => { out += String(d); });
        const timer = killAfterMs !== undefined ? setTimeout(() => child.kill('SIGKILL'), killAfterMs) : undefined;
        child.on('exit', (code, signal) => { if (timer) clearTimeout(timer); resolve({ code, signal, out }); });
      });
      const doneCount = () => {
        const db = new Database(libraryFile, { readonly: true });
        try {
          return (db.prepare("SELECT COUNT(*) AS n FROM sync_outbox WHERE state = 'done'").get() as { n: number }).n;
        } finally {
          db.close();
        }
      };
      let kills = 0;
      let midDrainKills = 0;
      while (kills < MIN_KILLS) {
        const before = doneCount();
        const r = await run(350 + Math.floor(rnd() * 550));
        if (r.signal !== 'SIGKILL') continue;
        kills++;
        const after = doneCount();
        if (after > before && after < changes) midDrainKills++;
      }
      const final = await run();
      console.log(`crash: ${kills} SIGKILLs (${midDrainKills} mid-drain), ${changes} changes of ${STORIES} stories, ${proxy.log.filter((l) => l.fault === 'drop-after').length} answers dropped after the backend took them`);
      expect(final.out).toMatch(/push: \d+ sent, 0 rejected, 0 in conflict, 0 waiting/);
      expect(final.code).toBe(0);
      expect(midDrainKills).toBeGreaterThanOrEqual(25);
      expect(doneCount()).toBe(changes);

      // The outbox is empty: every change is done, none waits, none was refused.
      const db = new Database(libraryFile, { readonly: true });
      const states = db.prepare('SELECT state, COUNT(*) AS n FROM sync_outbox GROUP BY state').all();
      expect(states).toEqual([{ state: 'done', n: changes }]);
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      db.close();
      // Exactly one backend version per change.
      for (const [slug, versions] of expected) {
        const s = await backend.story(slug);
        expect(s?.version, slug).toBe(versions);
      }
      // Nothing local was lost: every story's text is what it was before the first sync.
      const library = Library.open(libraryFile);
      for (const [slug, text] of localTexts) expect(library.storyBySlug(slug)?.text, slug).toBe(text);
      library.close();
      expect(proxy.log.some((l) => l.fault === 'drop-after')).toBe(true);
    }, 600_000);
  });
}
