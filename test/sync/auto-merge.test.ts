/**
 * Automatic merging in the sync service (issue 11, "A real three-way merge"), on a real library and
 * the reference backend in process: changes on both sides that do not overlap merge by themselves,
 * go out on the backend's version (one new version), say what came in, and keep both originals in
 * the revision history; overlapping changes are left as a conflict with nothing sent.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseStory } from '../../shared/index.js';
import { runStudio } from '../../electron/cli/studio.js';
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
  dir = mkdtempSync(join(tmpdir(), 'auto-merge-'));
  lib = Library.open(join(dir, 'library.sqlite'), { seed: { catalogPath: sampleCatalogPath() } });
  sync = new SyncService({ library: lib, vault: new MemoryVault(), intervalMs: 0 });
  await sync.login(backend.url, backend.tokens.editor);
});
afterEach(async () => {
  lib.close();
  await backend.close();
  rmSync(dir, { recursive: true, force: true });
});

const PARAS = ['The council met on Monday to vote.', 'Residents spoke for an hour.', 'The mayor said little and left.', 'A second vote is due in May.'];
const body = (ps: string[]) => `${ps.join('\n\n')}\n`;
const edit = (ps: string[], i: number, text: string) => ps.map((p, j) => (j === i ? text : p));

async function backendStory(slug: string) {
  const res = await fetch(`${backend.url}/api/v1/stories/${slug}`, { headers: { authorization: `Bearer ${backend.tokens.publisher}` } });
  return (await res.json()) as { version: number; status: string; story: { title: string; beat: string; body: string } };
}

/** Another desk puts a new body on the backend (a new version). */
async function deskEdit(slug: string, newBody: string) {
  const cur = await backendStory(slug);
  const res = await fetch(`${backend.url}/api/v1/stories/${slug}`, {
    method: 'PUT',
    headers: {
      authorization: `Bearer ${backend.tokens.writer2}`,
      'content-type': 'application/json',
      'idempotency-key': `desk-${slug}-${cur.version}`,
      'if-match': `"v${cur.version}"`,
    },
    body: JSON.stringify({ title: cur.story.title, beat: cur.story.beat, body: newBody, citations: [], status: 'review' }),
  });
  expect(res.status).toBe(200);
}

/** A story submitted for review and synced (v1). */
async function synced(slug: string): Promise<string> {
  const id = lib.putBySlug(slug, storyText(slug, body(PARAS))).id;
  await sync.enqueue(id, 'review');
  await sync.run();
  expect((await backendStory(slug)).version).toBe(1);
  return id;
}

const localEdit = (id: string, ps: string[]) => {
  const s = lib.getStory(id);
  const story = parseStory(s.text);
  lib.saveStory(id, s.text.slice(0, story.bodyStart.offset) + body(ps));
};

describe('automatic merge', () => {
  it('a desk edit to paragraph 3 and a local edit to paragraph 1 sent for review merge with one new backend version', async () => {
    const slug = 'merge-push-4a4a';
    const id = await synced(slug);
    await deskEdit(slug, body(edit(PARAS, 2, 'The mayor said nothing at all and left.')));
    localEdit(id, edit(PARAS, 0, 'The council met on Tuesday to vote.'));
    await sync.enqueue(id, 'review');
    const r = await sync.run();
    expect(r.merged).toEqual([{ slug, summary: 'The desk changed paragraph 3.' }]);
    const expected = body(edit(edit(PARAS, 0, 'The council met on Tuesday to vote.'), 2, 'The mayor said nothing at all and left.'));
    const remote = await backendStory(slug);
    expect(remote.version).toBe(3);
    expect(remote.story.body).toBe(expected);
    expect(parseStory(lib.getStory(id).text).body).toBe(expected);
    const view = await sync.storySync(id);
    expect(view.conflict).toBeNull();
    expect(view.remoteVersion).toBe(3);
    expect(view.merged).toMatchObject({ remoteVersion: 2, summary: 'The desk changed paragraph 3.' });
    expect(view.merged!.changes.find((c) => c.side === 'remote')).toMatchObject({ description: 'the desk changed paragraph 3', paragraph: 3 });
    // Both originals stay in the history: the person's text and the backend's, then the merge.
    const texts = lib.listRevisions(id).map((r) => parseStory(lib.getRevision(r.id).text).body);
    expect(texts).toContain(body(edit(PARAS, 0, 'The council met on Tuesday to vote.')));
    expect(texts).toContain(body(edit(PARAS, 2, 'The mayor said nothing at all and left.')));
    expect((await sync.overview()).conflicts).toEqual([]);
  });

  it('a local edit saved but not sent merges with a pulled desk edit here, and goes out only when sent, on the backend’s version', async () => {
    const slug = 'merge-pull-5b5b';
    const id = await synced(slug);
    await deskEdit(slug, body(edit(PARAS, 3, 'A second vote is due in June.')));
    localEdit(id, edit(PARAS, 1, 'Residents spoke for two hours.'));
    const r = await sync.run();
    expect(r.merged?.map((m) => m.slug)).toEqual([slug]);
    const both = body(edit(edit(PARAS, 1, 'Residents spoke for two hours.'), 3, 'A second vote is due in June.'));
    expect(parseStory(lib.getStory(id).text).body).toBe(both);
    // Never sent by the merge: the person had not sent their typing.
    expect((await backendStory(slug)).version).toBe(2);
    const view = await sync.storySync(id);
    expect(view).toMatchObject({ conflict: null, remoteVersion: 2 });
    await sync.enqueue(id, 'review');
    await sync.run();
    const remote = await backendStory(slug);
    expect(remote.version).toBe(3);
    expect(remote.story.body).toBe(both);
  });

  it("a merge the page has not read yet comes with the answer to the person's next action, so its notice is not lost", async () => {
    const slug = 'merge-then-act-8e8e';
    const id = await synced(slug);
    await deskEdit(slug, body(edit(PARAS, 3, 'A second vote is due in June.')));
    localEdit(id, edit(PARAS, 1, 'Residents spoke for two hours.'));
    expect((await sync.run()).merged?.map((m) => m.slug)).toEqual([slug]);
    // The person clicks Submit before the page asked about the story: the answer says what was merged.
    const answer = await sync.enqueue(id, 'review');
    expect(answer.check.queued).toBe(true);
    expect(answer.merged).toMatchObject({ remoteVersion: 2, summary: 'The desk changed paragraph 4.' });
    // Said once: the next look at the story has nothing more to tell.
    expect((await sync.storySync(id)).merged).toBeNull();
  });

  it('an overlapping edit stays a conflict with exactly that conflict, and nothing goes out', async () => {
    const slug = 'merge-clash-6c6c';
    const id = await synced(slug);
    await deskEdit(slug, body(edit(PARAS, 2, 'The mayor said a lot and left.')));
    localEdit(id, edit(PARAS, 2, 'The mayor said very little and left.'));
    await sync.enqueue(id, 'review');
    const r = await sync.run();
    expect(r.merged).toEqual([]);
    expect((await backendStory(slug)).version).toBe(2);
    const view = await sync.storySync(id);
    expect(view.conflict).toMatchObject({ remoteVersion: 2 });
    expect(view.merged).toBeNull();
    expect(parseStory(lib.getStory(id).text).body).toBe(body(edit(PARAS, 2, 'The mayor said very little and left.')));
  });
});

describe('studio sync', () => {
  async function studio(args: string[], stdin = '') {
    let out = '';
    let err = '';
    const io = {
      stdout: (t: string) => {
        out += t;
      },
      stderr: (t: string) => {
        err += t;
      },
      stdin: async () => stdin,
      isTTY: false,
      env: { STUDIO_HOME: dir },
    };
    const code = await runStudio(args, io);
    return { code, out, err };
  }

  it('reports a clean merge, and leaves an overlapping change for `studio resolve`', async () => {
    const file = join(dir, 'library.sqlite');
    expect((await studio(['login', '--backend', backend.url, '--library', file], backend.tokens.editor)).code).toBe(0);
    const put = async (slug: string, ps: string[], offline = false) => {
      const path = join(dir, `${slug}.md`);
      writeFileSync(path, storyText(slug, body(ps)));
      return studio(['publish', path, '--status', 'review', '--library', file, ...(offline ? ['--offline'] : [])]);
    };
    expect((await put('cli-merge-7d7d', PARAS)).code).toBe(0);
    expect((await put('cli-clash-8e8e', PARAS)).code).toBe(0);
    await deskEdit('cli-merge-7d7d', body(edit(PARAS, 2, 'The mayor said nothing at all and left.')));
    await deskEdit('cli-clash-8e8e', body(edit(PARAS, 2, 'The mayor said a lot and left.')));
    await put('cli-merge-7d7d', edit(PARAS, 0, 'The council met on Tuesday to vote.'), true);
    await put('cli-clash-8e8e', edit(PARAS, 2, 'The mayor said very little and left.'), true);
    const r = await studio(['sync', '--library', file]);
    expect(r.out).toContain("merged: cli-merge-7d7d: The desk changed paragraph 3. (sent on the backend's version)");
    expect(r.out).toContain(
      'conflict: cli-clash-8e8e: changed here and on the backend in the same place; resolve with `studio resolve cli-clash-8e8e MERGED_FILE`',
    );
    expect(r.out).not.toContain('conflict: cli-merge-7d7d');
    expect(r.code).toBe(1);
    expect((await backendStory('cli-merge-7d7d')).story.body).toBe(
      body(edit(edit(PARAS, 0, 'The council met on Tuesday to vote.'), 2, 'The mayor said nothing at all and left.')),
    );
    expect((await backendStory('cli-clash-8e8e')).version).toBe(2);
  });
});
