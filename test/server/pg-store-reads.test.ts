/**
 * The PostgreSQL store's cached reads (a story's state and the catalog, by the change number) on two
 * instances sharing a database: a read on one instance that begins after a write on the other has
 * returned sees that write, even while reads of the same kind are under way on it all the time (as
 * under a public page's load), whether it answers from its caches on a lease (pg-trust.ts) or checks
 * the change number (reads sharing one check), and across a lost listening connection.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkerStoryChecker } from '../../server/story-checker.js';
import { PgStore } from '../../server/store/pg-store.js';
import type { StoredStatus, StoryFieldsRecord } from '../../server/store/store.js';
import { PG_SKIP_REASON } from './pg-cluster.js';
import { newStoreLocation, ROOT, SAMPLE_CATALOG, sampleStory, stopPgCluster } from './helpers.js';

let a: PgStore;
let b: PgStore;

beforeAll(async () => {
  if (PG_SKIP_REASON) return;
  const url = await newStoreLocation('postgres', '', 'reads');
  [a, b] = await Promise.all([PgStore.open(url), PgStore.open(url)]);
  await a.seedCatalog(SAMPLE_CATALOG);
});

afterAll(async () => {
  await Promise.all([a?.close(), b?.close()]);
  await stopPgCluster();
});

const fields = (slug: string, title: string, status: StoredStatus = 'published'): StoryFieldsRecord => ({
  slug,
  title,
  beat: 'open-source-ai',
  body: `A body for ${title}.\n`,
  citations: [],
  status,
  published: '2026-01-01T00:00:00.000Z',
});

/** Reads on `store` without pause, several at a time, until `stop()`; resolves with how many ran. */
function flood(read: () => Promise<unknown>): { stop: () => Promise<number> } {
  let running = true;
  let reads = 0;
  const loop = (async () => {
    while (running) {
      await Promise.all(Array.from({ length: 8 }, read));
      reads += 8;
      // As requests do, through the event loop: answered from cache, the reads alone would never yield to it.
      await new Promise((resolve) => setImmediate(resolve));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return reads;
    },
  };
}

describe.skipIf(PG_SKIP_REASON !== null)('PostgreSQL cached reads across instances', () => {
  it("a story's state read on one instance after a write on another returned is that write's, with reads under way all along", async () => {
    const slug = 'state-race';
    const put = (expectedVersion: number | null, title: string) =>
      b.putStory({ slug, expectedVersion, story: fields(slug, title), text: `# ${title}\n`, refs: [], author: 'b', now: new Date().toISOString() });
    expect((await put(null, 'Round 0')).ok).toBe(true);
    const reads = flood(() => a.getStoryState(slug));
    try {
      for (let round = 1; round <= 40; round++) {
        expect((await put(round, `Round ${round}`)).ok).toBe(true);
        expect((await a.getStoryState(slug))?.version).toBe(round + 1);
      }
      const withdrawn = await b.withdrawStory(slug, 41, 'b', new Date().toISOString());
      expect(withdrawn).toMatchObject({ ok: true, version: 42, status: 'withdrawn' });
      expect(await a.getStoryState(slug)).toMatchObject({ version: 42, status: 'withdrawn' });
    } finally {
      expect(await reads.stop()).toBeGreaterThan(100);
    }
  });

  it('the catalog read on one instance after a publication on another returned lists it, with reads under way all along', async () => {
    await a.catalog();
    const reads = flood(() => a.catalog());
    try {
      for (let round = 1; round <= 40; round++) {
        const slug = `catalog-race-${round}`;
        const r = await b.putStory({
          slug,
          expectedVersion: null,
          story: fields(slug, `Catalog ${round}`),
          text: '# x\n',
          refs: [],
          author: 'b',
          now: new Date().toISOString(),
        });
        expect(r.ok).toBe(true);
        const { index } = await a.catalog();
        expect(index.stories.get(slug)?.title).toBe(`Catalog ${round}`);
        // Taken off the public site on b: gone from a's catalog at its next read.
        const off = await b.putStory({
          slug,
          expectedVersion: 1,
          story: fields(slug, `Catalog ${round}`, 'review'),
          text: '# x\n',
          refs: [],
          author: 'b',
          now: new Date().toISOString(),
        });
        expect(off.ok).toBe(true);
        expect((await a.catalog()).index.stories.has(slug)).toBe(false);
      }
    } finally {
      expect(await reads.stop()).toBeGreaterThan(100);
    }
  });

  it('a write that lost its precondition writes nothing, and its answer is the conflict', async () => {
    const slug = 'conflict-once';
    const now = new Date().toISOString();
    expect((await a.putStory({ slug, expectedVersion: null, story: fields(slug, 'One'), text: '# One\n', refs: [], author: 'a', now })).ok).toBe(true);
    const lost = await b.putStory({ slug, expectedVersion: null, story: fields(slug, 'Two'), text: '# Two\n', refs: [], author: 'b', now });
    expect(lost).toMatchObject({ ok: false, reason: 'conflict', current: { version: 1, story: { title: 'One' } } });
    const stale = await b.putStory({ slug, expectedVersion: 5, story: fields(slug, 'Three'), text: '# Three\n', refs: [], author: 'b', now });
    expect(stale).toMatchObject({ ok: false, reason: 'conflict', current: { version: 1 } });
    expect(await a.countVersions(slug)).toBe(1);
    expect(await b.withdrawStory(slug, 7, 'b', now)).toMatchObject({ ok: false, reason: 'conflict' });
    expect(await b.getStoryState(slug)).toMatchObject({ version: 1, status: 'published' });
  });

  it("story workers follow the catalog from the store's memory: a check after a publication on another instance knows the story, and after its withdrawal does not", async () => {
    execFileSync(process.execPath, [join(ROOT, 'scripts/build.mjs'), 'server'], { cwd: ROOT, stdio: 'pipe' });
    const workers = new WorkerStoryChecker(a, pathToFileURL(join(ROOT, 'dist/server/cli.js')), 2);
    const errors = async (body: string) =>
      (await workers.check({ slug: 'checking', body: sampleStory({ body }), published: undefined })).diagnostics.filter((d) => d.severity === 'error').length;
    try {
      await workers.ready();
      for (let round = 1; round <= 5; round++) {
        const slug = `worker-sees-${round}`;
        const body = `See {{story:${slug}}}.\n`;
        expect(await errors(body)).toBeGreaterThan(0);
        const now = new Date().toISOString();
        expect((await b.putStory({ slug, expectedVersion: null, story: fields(slug, `W ${round}`), text: '# w\n', refs: [], author: 'b', now })).ok).toBe(true);
        // Both workers, each brought up to date on its own.
        expect(await Promise.all([errors(body), errors(body), errors(body)])).toEqual([0, 0, 0]);
        expect((await b.withdrawStory(slug, 1, 'b', now)).ok).toBe(true);
        expect(Math.min(...(await Promise.all([errors(body), errors(body), errors(body)])))).toBeGreaterThan(0);
      }
      // What the store no longer holds (or never did) is not answered from memory.
      const { version } = await a.catalog();
      expect(a.recentCatalogChanges(0, version)).not.toBeNull();
      expect(a.recentCatalogChanges(0, version + 1)).toBeNull();
    } finally {
      await workers.close();
    }
  });

  it("with the listening connections cut, and while they come back, a read after a write on another instance is still that write's", async () => {
    const slug = 'listen-cut';
    const now = () => new Date().toISOString();
    expect((await b.putStory({ slug, expectedVersion: null, story: fields(slug, 'Cut 0'), text: '# c\n', refs: [], author: 'b', now: now() })).ok).toBe(true);
    const reads = flood(() => a.getStoryState(slug));
    try {
      const cut = await a.sql`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query ILIKE 'listen %' AND pid <> pg_backend_pid()`;
      expect(cut.length).toBeGreaterThanOrEqual(2);
      const t0 = performance.now();
      for (let round = 1; round <= 30; round++) {
        expect(
          (await b.putStory({ slug, expectedVersion: round, story: fields(slug, `Cut ${round}`), text: '# c\n', refs: [], author: 'b', now: now() })).ok,
        ).toBe(true);
        expect((await a.getStoryState(slug))?.version).toBe(round + 1);
      }
      // A write waits at most for the lease of an instance it cannot hear from.
      expect(performance.now() - t0).toBeLessThan(30 * 1000);
    } finally {
      await reads.stop();
    }
  });
});
