/**
 * Crash safety: a child process running `studio sync` over ~200 stories is killed with SIGKILL at
 * 20+ random moments and restarted; at the end the backend holds exactly one version per change.
 * A proxy slows every answer a little (so kills land mid-drain) and drops some connections after
 * the backend has answered (so some retries are replays of accepted puts).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SyncEngine } from '../../electron/services/sync/index.js';
import { FileVault, credentialsPath } from '../../electron/services/vault/index.js';
import { BACKENDS, type Backend } from './helpers/backends.js';
import { FaultProxy, seeded } from './helpers/fault-proxy.js';
import { storyText } from './helpers/stories.js';

const CLI = join(process.cwd(), 'dist/cli/studio.js');
const cliBuilt = existsSync(CLI);

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

    it('SIGKILL at 20+ random moments, restarted: exactly one version per change', async () => {
      const rnd = seeded(7);
      proxy.plan = () => {
        const x = rnd();
        if (x < 0.05) return { kind: 'drop-after' };
        if (x < 0.08) return { kind: 'status', status: 503 };
        return { kind: 'slow', ms: 4, forward: true };
      };
      const token = await backend.token('editor');
      await new FileVault(credentialsPath(home)).save({ backendUrl: proxy.url, token });
      // Queue 200 stories, 40 of them with a second change.
      const expected = new Map<string, number>();
      {
        const db = new Database(join(home, 'sync.sqlite'));
        const engine = new SyncEngine({ db, backendUrl: proxy.url, token: () => token });
        for (let i = 0; i < 200; i++) {
          const slug = `crash-story-${i}`;
          engine.enqueue(storyText(slug), 'review');
          expected.set(slug, 1);
        }
        for (let i = 0; i < 40; i++) {
          const slug = `crash-story-${i * 5}`;
          engine.enqueue(storyText(slug, 'Second change.\n'), 'approved');
          expected.set(slug, 2);
        }
        db.close();
      }
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
        const db = new Database(join(home, 'sync.sqlite'), { readonly: true });
        try {
          return (db.prepare("SELECT COUNT(*) AS n FROM sync_outbox WHERE state = 'done'").get() as { n: number }).n;
        } finally {
          db.close();
        }
      };
      let kills = 0;
      let midDrainKills = 0;
      for (let i = 0; i < 24; i++) {
        const before = doneCount();
        const r = await run(150 + Math.floor(rnd() * 450));
        if (r.signal === 'SIGKILL') {
          kills++;
          const after = doneCount();
          if (after > before && after < 240) midDrainKills++;
        }
      }
      const final = await run();
      expect(final.out).toMatch(/push: \d+ sent, 0 rejected, 0 in conflict, 0 waiting/);
      expect(final.code).toBe(0);
      expect(kills).toBeGreaterThanOrEqual(20);
      expect(midDrainKills).toBeGreaterThanOrEqual(5);
      expect(doneCount()).toBe(240);
      for (const [slug, versions] of expected) {
        const s = await backend.story(slug);
        expect(s?.version, slug).toBe(versions);
      }
      expect(proxy.log.some((l) => l.fault === 'drop-after')).toBe(true);
    }, 300_000);
  });
}
