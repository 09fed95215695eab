/**
 * The story workers on their own: the same answers as on the event loop, the catalog followed, and
 * what happens when a worker cannot start or dies.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { InlineStoryChecker, WorkerStoryChecker } from '../../server/story-checker.js';
import { SqliteStore } from '../../server/store/sqlite-store.js';
import { ROOT, SAMPLE_CATALOG, sampleStory } from './helpers.js';

const BUNDLE = pathToFileURL(join(ROOT, 'dist/server/cli.js'));
let dir: string;
let store: SqliteStore;

beforeAll(async () => {
  execFileSync(process.execPath, [join(ROOT, 'scripts/build.mjs'), 'server'], { cwd: ROOT, stdio: 'pipe' });
  dir = mkdtempSync(join(tmpdir(), 'studio-story-checker-'));
  store = new SqliteStore(join(dir, 'checker.sqlite'), { synchronous: 'NORMAL' });
  await store.seedCatalog(SAMPLE_CATALOG);
});
afterAll(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

const input = (body: string, slug = 'checked') => ({ slug, body: sampleStory({ body }), published: undefined });

it('answers as the event loop does, for clean and refused stories, with the catalog as it changes', async () => {
  const workers = new WorkerStoryChecker(store, BUNDLE, 2);
  const inline = new InlineStoryChecker(store);
  try {
    await workers.ready();
    const cases = [sampleStory().body, 'About {{entity:nobody-known}} and {{widget:x}}[9].\n', 'See {{story:fresh-one}}.\n'];
    for (const body of cases) expect(await workers.check(input(body))).toEqual(await inline.check(input(body)));
    // A story published now: the next checks, in either worker, know it.
    await store.putStory({
      slug: 'fresh-one',
      expectedVersion: null,
      text: 'x',
      refs: [],
      author: 't',
      now: new Date().toISOString(),
      story: { slug: 'fresh-one', title: 'Fresh', beat: 'open-source-ai', body: '', citations: [], status: 'published', published: '2026-01-01T00:00:00.000Z' },
    });
    const after = await Promise.all(Array.from({ length: 6 }, () => workers.check(input('See {{story:fresh-one}}.\n'))));
    for (const r of after) expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(after[0]).toEqual(await inline.check(input('See {{story:fresh-one}}.\n')));
  } finally {
    await workers.close();
  }
  await expect(workers.check(input('x\n'))).rejects.toThrow('closed');
});

it('a worker that cannot start: ready() says so, and checks fail with a clear message', async () => {
  const broken = join(dir, 'broken-worker.mjs');
  writeFileSync(broken, "throw new Error('cannot load');\n");
  const workers = new WorkerStoryChecker(store, pathToFileURL(broken), 1);
  try {
    await expect(workers.ready()).rejects.toThrow('cannot load');
    await expect(workers.check(input('x\n'))).rejects.toThrow('no story worker is running');
  } finally {
    await workers.close();
  }
});

it('a worker that dies fails its checks, and a new one takes its place', async () => {
  // Ready, then gone at the first check (as a crash would be).
  const dying = join(dir, 'dying-worker.mjs');
  writeFileSync(
    dying,
    [
      "import { parentPort } from 'node:worker_threads';",
      "parentPort.on('message', (m) => { if (m.type === 'check') process.exit(3); });",
      'parentPort.postMessage({ ready: true });',
    ].join('\n'),
  );
  const workers = new WorkerStoryChecker(store, pathToFileURL(dying), 1);
  try {
    await workers.ready();
    await expect(workers.check(input('x\n'))).rejects.toThrow('a story worker stopped (exit code 3)');
    // Not "no story worker is running": a replacement took the check (and died the same way).
    await expect(workers.check(input('x\n'))).rejects.toThrow('a story worker stopped (exit code 3)');
  } finally {
    await workers.close();
  }
});
