/**
 * Crash safety (issue 6): `studio sync` of 1,000 stories (1,200 changes) on a studio library is
 * killed with SIGKILL 50 times and restarted each time. The kills are set off by what the sync does,
 * never by a clock, so that a slow or loaded machine meets the same moments: half after the k-th
 * change the run settled (its "pushed" line), half while the backend holds the j-th PUT of the run,
 * before the studio has its answer. At the end the backend holds
 * exactly one version per change (the idempotency keys turn every resend into a replay), nothing
 * local is lost (each text is the one written before, with only the accepted status written back
 * into it, issue 11 #1), and the outbox is empty (the write-back enqueues nothing). A proxy slows every answer a little (so kills land
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
import { withStatus } from '../../electron/services/sync/revision.js';
import { SyncService } from '../../electron/services/sync-service/index.js';
import { FileVault, credentialsPath } from '../../electron/services/vault/index.js';
import { BACKENDS, type Backend } from './helpers/backends.js';
import { FaultProxy, seeded } from './helpers/fault-proxy.js';
import { storyText } from './helpers/stories.js';

const CLI = join(process.cwd(), 'dist/cli/studio.js');
const cliBuilt = existsSync(CLI);
const STORIES = 1000;
const SECOND_CHANGES = 200;
const KILLS = 50;
/** A run that neither settles a change nor exits for this long is stuck: the test fails. */
const STUCK_MS = 60_000;
const SEED = Number(process.env.SYNC_CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31));

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

    it(`SIGKILL at ${KILLS} moments of a sync of ${STORIES} stories: one version per change, nothing lost`, async () => {
      console.log(`crash: seed ${SEED} (replay with SYNC_CRASH_SEED=${SEED})`);
      const rnd = seeded(SEED);
      // Set by a run that kills its child on the j-th PUT the proxy forwards.
      let onPut: (() => void) | undefined;
      proxy.plan = ({ method }) => {
        if (method === 'PUT') onPut?.();
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
      /** The status the backend accepts last for each story: what the sync writes back into its text. */
      const accepted = new Map<string, 'review' | 'approved'>();
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
          accepted.set(`crash-story-${i}`, 'review');
        }
        for (let i = 0; i < SECOND_CHANGES; i++) {
          const id = ids[i * 5]!;
          library.saveStory(id, storyText(`crash-story-${i * 5}`, 'A second paragraph, written later.\n'));
          await sync.enqueue(id, 'approved');
          expected.set(`crash-story-${i * 5}`, 2);
          accepted.set(`crash-story-${i * 5}`, 'approved');
        }
        for (const id of ids) {
          const rec = library.getStory(id);
          localTexts.set(rec.slug, rec.text);
        }
        library.close();
      }
      const changes = STORIES + SECOND_CHANGES;

      const env = { ...process.env, STUDIO_HOME: home, STUDIO_SYNC_BACKOFF_BASE_MS: '10', STUDIO_SYNC_BACKOFF_CAP_MS: '100', STUDIO_SYNC_TIMEOUT_MS: '2000' };
      /** One `studio sync`, killed at the k-th change it settles or at the j-th PUT it sends (when given). */
      const run = (kill?: { afterPushed: number } | { atPut: number }) =>
        new Promise<{ code: number | null; signal: string | null; out: string }>((resolve, reject) => {
          const child = spawn(process.execPath, [CLI, 'sync', '--no-pull', '--wait', '60'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
          let out = '';
          let puts = 0;
          let stuck = setTimeout(() => {
            child.kill('SIGKILL');
            reject(new Error(`studio sync made no progress for ${STUCK_MS} ms:\n${out.slice(-2000)}`));
          }, STUCK_MS);
          const progressed = () => {
            clearTimeout(stuck);
            stuck = setTimeout(() => {
              child.kill('SIGKILL');
              reject(new Error(`studio sync made no progress for ${STUCK_MS} ms:\n${out.slice(-2000)}`));
            }, STUCK_MS);
          };
          child.stdout.on('data', (d) => {
            out += String(d);
            progressed();
            if (kill && 'afterPushed' in kill && (out.match(/^pushed /gm)?.length ?? 0) >= kill.afterPushed) child.kill('SIGKILL');
          });
          child.stderr.on('data', (d) => {
            out += String(d);
          });
          onPut =
            kill && 'atPut' in kill
              ? () => {
                  if (++puts === kill.atPut) child.kill('SIGKILL');
                }
              : undefined;
          child.on('exit', (code, signal) => {
            clearTimeout(stuck);
            onPut = undefined;
            resolve({ code, signal, out });
          });
        });
      const doneCount = () => {
        const db = new Database(libraryFile, { readonly: true });
        try {
          return (db.prepare("SELECT COUNT(*) AS n FROM sync_outbox WHERE state = 'done'").get() as { n: number }).n;
        } finally {
          db.close();
        }
      };
      // At most 20 changes settle per killed run (50 × 20 < 1,200), so every kill lands before the drain ends.
      let kills = 0;
      let midDrainKills = 0;
      let pushedKills = 0;
      for (let i = 0; i < KILLS; i++) {
        const before = doneCount();
        const byPush = i % 2 === 0;
        const r = await run(byPush ? { afterPushed: 1 + Math.floor(rnd() * 20) } : { atPut: 2 + Math.floor(rnd() * 19) });
        expect(r.signal, `run ${i} ended by itself before its kill:\n${r.out.slice(-1000)}`).toBe('SIGKILL');
        kills++;
        if (byPush) pushedKills++;
        const after = doneCount();
        if (after > before && after < changes) midDrainKills++;
      }
      const final = await run();
      console.log(
        `crash: ${kills} SIGKILLs (${midDrainKills} mid-drain), ${changes} changes of ${STORIES} stories, ${proxy.log.filter((l) => l.fault === 'drop-after').length} answers dropped after the backend took them`,
      );
      expect(final.out).toMatch(/push: \d+ sent, 0 rejected, 0 in conflict, 0 waiting/);
      expect(final.code).toBe(0);
      // Every kill after a settled change is mid-drain by construction; the kills at a PUT usually are.
      expect(midDrainKills).toBeGreaterThanOrEqual(pushedKills);
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
      // Nothing local was lost: every story's text is what it was before the first sync, with only
      // the status the backend accepted last written back into it.
      const library = Library.open(libraryFile);
      for (const [slug, text] of localTexts) {
        const status = accepted.get(slug)!;
        expect(withStatus(text, status), `${slug}: the expected text says ${status}`).not.toBe(text);
        expect(library.storyBySlug(slug)?.text, slug).toBe(withStatus(text, status));
      }
      library.close();
      expect(proxy.log.some((l) => l.fault === 'drop-after')).toBe(true);
    }, 600_000);
  });
}
