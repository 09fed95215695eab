/**
 * The sync service on a real library and the reference backend (in process): a save written without
 * the text a pull brought in never silently undoes it (publishing-protocol.md: "Nothing is
 * overwritten silently on either side").
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseStory, serializeStory } from '../../shared/index.js';
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
let sync: SyncService;

beforeEach(async () => {
  backend = await startServer();
  dir = mkdtempSync(join(tmpdir(), 'sync-service-'));
  lib = Library.open(join(dir, 'library.sqlite'), { seed: { catalogPath: sampleCatalogPath() } });
  sync = new SyncService({ library: lib, vault: new MemoryVault(), intervalMs: 0 });
  await sync.login(backend.url, backend.tokens.editor);
});
afterEach(async () => {
  lib.close();
  await backend.close();
  rmSync(dir, { recursive: true, force: true });
});

const addParagraph = (text: string, p: string) => {
  const s = parseStory(text);
  return serializeStory({ ...s, body: `${s.body.trimEnd()}\n\n${p}\n` });
};

/** A story submitted (v1), then changed on the backend by another desk (v2) and pulled in here. */
async function pulledStory(slug: string): Promise<{ id: string; before: number; pulled: number }> {
  const id = lib.putBySlug(slug, storyText(slug, 'First paragraph.\n')).id;
  await sync.enqueue(id, 'review');
  await sync.run();
  const before = lib.getStory(id).revision;
  const cur = (await (await fetch(`${backend.url}/api/v1/stories/${slug}`, { headers: { authorization: `Bearer ${backend.tokens.writer2}` } })).json()) as {
    version: number;
    story: { title: string; beat: string; body: string };
  };
  const res = await fetch(`${backend.url}/api/v1/stories/${slug}`, {
    method: 'PUT',
    headers: {
      authorization: `Bearer ${backend.tokens.writer2}`,
      'content-type': 'application/json',
      'idempotency-key': `other-${slug}`,
      'if-match': `"v${cur.version}"`,
    },
    body: JSON.stringify({
      title: cur.story.title,
      beat: cur.story.beat,
      body: `${cur.story.body.trimEnd()}\n\nFrom the other desk.\n`,
      citations: [],
      status: 'review',
    }),
  });
  expect(res.status).toBe(200);
  const r = await sync.run();
  expect(r.pull?.fastForwarded).toEqual([slug]);
  const pulled = lib.getStory(id);
  expect(pulled.text).toContain('From the other desk.');
  return { id, before, pulled: pulled.revision };
}

async function backendBody(slug: string): Promise<{ version: number; body: string }> {
  const j = (await (await fetch(`${backend.url}/api/v1/stories/${slug}`, { headers: { authorization: `Bearer ${backend.tokens.publisher}` } })).json()) as {
    version: number;
    story: { body: string };
  };
  return { version: j.version, body: j.story.body };
}

describe('a save over a pulled text', () => {
  it('written from the older revision becomes a conflict, and nothing goes out over the backend until merged', async () => {
    const { id, before } = await pulledStory('saved-over-1a1a');
    const handlers = createHandlers(lib, librarySettings(lib), sync);
    // The editor still held the text of `before` and the person typed: the autosave writes it.
    const typed = addParagraph(lib.getRevision(before).text, 'Typed here meanwhile.');
    await handlers.saveStory({ id, text: typed, baseRevision: before });
    const s = await sync.storySync(id);
    expect(s.conflict).toMatchObject({ origin: 'pull', remoteVersion: 2 });
    expect(s.conflict!.remoteText).toContain('From the other desk.');
    expect(s.conflict!.localText).toContain('Typed here meanwhile.');
    expect(s.conflict!.baseText).not.toContain('From the other desk.');
    expect((await sync.overview()).conflicts.map((c) => c.id)).toEqual([id]);

    // Sending it anyway does not overwrite the backend: it stays in conflict.
    await sync.enqueue(id, 'review');
    await sync.run();
    expect(await backendBody('saved-over-1a1a')).toMatchObject({ version: 2 });
    expect((await sync.storySync(id)).conflict).not.toBeNull();

    // The merge goes out on the backend's version with both edits.
    const merged = addParagraph(typed, 'From the other desk.');
    await sync.resolve(id, merged);
    await sync.run();
    const after = await backendBody('saved-over-1a1a');
    expect(after.version).toBe(3);
    expect(after.body).toContain('Typed here meanwhile.');
    expect(after.body).toContain('From the other desk.');
    expect((await sync.storySync(id)).conflict).toBeNull();
  });

  it("resolved by taking the backend's story as it is sends nothing: the story is in step with that version", async () => {
    const { id, before } = await pulledStory('take-theirs-4d4d');
    const handlers = createHandlers(lib, librarySettings(lib), sync);
    await handlers.saveStory({ id, text: addParagraph(lib.getRevision(before).text, 'Dropped later.'), baseRevision: before });
    const c = (await sync.storySync(id)).conflict!;
    await sync.resolve(id, c.remoteText);
    const r = await sync.run();
    expect(r.push?.sent).toBe(0);
    expect(await backendBody('take-theirs-4d4d')).toMatchObject({ version: 2 });
    const s = await sync.storySync(id);
    expect(s).toMatchObject({ conflict: null, remoteVersion: 2 });
    expect(lib.getStory(id).text).toContain('From the other desk.');
    expect(lib.getStory(id).text).not.toContain('Dropped later.');
    // The next edit goes out on v2 as an ordinary update.
    await handlers.saveStory({ id, text: addParagraph(lib.getStory(id).text, 'Then this.'), baseRevision: lib.getStory(id).revision });
    await sync.enqueue(id, 'review');
    await sync.run();
    expect(await backendBody('take-theirs-4d4d')).toMatchObject({ version: 3 });
  });

  it('written from the pulled revision is an ordinary edit', async () => {
    const { id, pulled } = await pulledStory('saved-after-2b2b');
    const handlers = createHandlers(lib, librarySettings(lib), sync);
    await handlers.saveStory({ id, text: addParagraph(lib.getStory(id).text, 'A later edit.'), baseRevision: pulled });
    expect((await sync.storySync(id)).conflict).toBeNull();
    await sync.enqueue(id, 'review');
    await sync.run();
    const after = await backendBody('saved-after-2b2b');
    expect(after.version).toBe(3);
    expect(after.body).toContain('From the other desk.');
    expect(after.body).toContain('A later edit.');
  });

  it('of unknown origin (a file the command line publishes) is a conflict unless it holds the same text', async () => {
    const { id } = await pulledStory('file-over-3c3c');
    const same = lib.getStory(id).text;
    sync.noteSave(id, undefined, same);
    expect((await sync.storySync(id)).conflict).toBeNull();
    const file = storyText('file-over-3c3c', 'First paragraph.\n\nWritten in a file.\n');
    lib.saveStory(id, file);
    sync.noteSave(id, undefined, file);
    expect((await sync.storySync(id)).conflict).toMatchObject({ origin: 'pull', remoteVersion: 2 });
  });
});

describe('what a round tells the page it changed', () => {
  it('a round that changed no story leaves the last one that did in the overview (the page hears of rounds in batches)', async () => {
    const { id } = await pulledStory('told-once');
    const after = (await sync.overview()).lastPulled;
    expect(after?.ids).toEqual([id]);
    // A later round with nothing new: the page that reads the overview now still learns of the pull.
    await sync.run();
    await sync.run();
    expect((await sync.overview()).lastPulled).toEqual(after);
  });
});

describe('the health check before a run', () => {
  it('takes one dropped connection for a blip, not for being offline; three in a row are offline', async () => {
    let drops = 1;
    const flaky: typeof fetch = async (input, init) => {
      if (String(input).endsWith('/api/v1/health') && drops-- > 0) throw new TypeError('fetch failed');
      return fetch(input, init);
    };
    const s = new SyncService({ library: lib, vault: new MemoryVault(), fetch: flaky, intervalMs: 0, healthRetryMs: 1 });
    await s.login(backend.url, backend.tokens.editor);
    const id = lib.putBySlug('health-blip-5e5e', storyText('health-blip-5e5e')).id;
    await s.enqueue(id, 'review');
    let r = await s.run();
    expect(r.overview.online).toBe(true);
    expect(r.push?.done).toBe(1);
    drops = 3;
    r = await s.run();
    expect(r.overview.online).toBe(false);
    expect(r.overview.lastError).toMatch(/does not answer: changes wait in the outbox/);
  });
});
