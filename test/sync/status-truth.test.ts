/**
 * Issue 11 #1, the service's side, against the reference backend: what the studio says about a
 * story is what the backend holds, and what is only queued says queued. A queued Publish writes no
 * `status: published` into the text; a rejection says so with its count; after a withdrawal nothing
 * says published; the published date the backend set comes back into the text.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseStory, storyFields } from '../../shared/index.js';
import { storyStanding, type StorySync } from '../../shared/api/sync.js';
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
let down = false;

beforeEach(async () => {
  backend = await startServer();
  dir = mkdtempSync(join(tmpdir(), 'status-truth-'));
  lib = Library.open(join(dir, 'library.sqlite'), { seed: { catalogPath: sampleCatalogPath() } });
  down = false;
  const fetchThrough: typeof fetch = async (input, init) => {
    if (down) throw new TypeError('fetch failed');
    return fetch(input, init);
  };
  sync = new SyncService({ library: lib, vault: new MemoryVault(), intervalMs: 0, fetch: fetchThrough, healthRetryMs: 1 });
  await sync.login(backend.url, backend.tokens.publisher);
});
afterEach(async () => {
  lib.close();
  await backend.close();
  rmSync(dir, { recursive: true, force: true });
});

const fields = (id: string) => storyFields(parseStory(lib.getStory(id).text));

describe('statuses that never lie (issue 11 #1)', () => {
  it('a Publish queued while the backend is down says "Publish queued" and leaves the text a draft; PUBLISHED with the backend\'s date only once accepted', async () => {
    const id = lib.putBySlug('truth-publish-aa01', storyText('truth-publish-aa01')).id;
    down = true;
    let s: StorySync = await sync.enqueue(id, 'published');
    await sync.run();
    s = await sync.storySync(id);
    expect(fields(id).status).toBe('draft');
    expect(storyStanding(s)).toEqual({ kind: 'queued', label: 'Publish queued' });
    down = false;
    await sync.run();
    s = await sync.storySync(id);
    const remote = (await (
      await fetch(`${backend.url}/api/v1/stories/truth-publish-aa01`, { headers: { authorization: `Bearer ${backend.tokens.publisher}` } })
    ).json()) as { status: string; story: { published?: string } };
    expect(remote.status).toBe('published');
    expect(storyStanding(s)).toMatchObject({ kind: 'backend', label: 'Published' });
    expect(fields(id).status).toBe('published');
    // The date the backend set is in the text, so no spurious `published:` difference appears later.
    expect(remote.story.published).toMatch(/^\d{4}-/);
    expect(fields(id).published).toBe(remote.story.published);
  });

  it('a rejected Submit says "Rejected: N problems" and the text keeps its status', async () => {
    const body = 'About {{entity:no-such-one|Nobody}}, {{entity:no-such-two|No one}} and {{beat:no-such-beat}}.\n';
    const id = lib.putBySlug('truth-reject-bb02', storyText('truth-reject-bb02', body)).id;
    // The check before sending stops it here (check-before-sending.test.ts); sent anyway, the backend says no.
    const checked = await sync.enqueue(id, 'review');
    expect(checked.check).toMatchObject({ queued: false, errors: [expect.anything(), expect.anything(), expect.anything()] });
    expect(storyStanding(checked).kind).toBe('local');
    await sync.enqueue(id, 'review', { force: true });
    await sync.run();
    const s = await sync.storySync(id);
    expect(storyStanding(s).kind).toBe('rejected');
    expect(storyStanding(s).label).toMatch(/^Rejected: [2-9] problems$/);
    expect(fields(id).status).toBe('draft');
  });

  it('after a withdrawal nothing says published', async () => {
    const id = lib.putBySlug('truth-withdraw-cc03', storyText('truth-withdraw-cc03')).id;
    await sync.enqueue(id, 'published');
    await sync.run();
    expect(fields(id).status).toBe('published');
    await sync.enqueue(id, 'withdrawn');
    await sync.run();
    const s = await sync.storySync(id);
    expect(s.remoteStatus).toBe('withdrawn');
    expect(storyStanding(s)).toMatchObject({ kind: 'backend', label: 'Withdrawn' });
    expect(fields(id).status).not.toBe('published');
    expect(s.allowed).not.toContain('withdrawn');
  });
});
