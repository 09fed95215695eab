/**
 * The server's pieces around the story core: the PUT's story file (storyFromPut's), the check a
 * worker runs, the live catalog index and its replica, and the WAL group commit.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CatalogIndex, createStory, lintStory, parseStory, serializeStory, storyFields, type FrontMatter } from '../../shared/index.js';
import type { StoryPutBody } from '../../shared/protocol/index.js';
import { storyFromPut } from '../../shared/protocol/wire-story.js';
import { checkStory, putStoryFile } from '../../server/story-file.js';
import { CatalogReplica, LiveCatalogIndex } from '../../server/store/live-catalog.js';
import { SqliteStore } from '../../server/store/sqlite-store.js';
import { WalSync } from '../../server/store/wal-sync.js';
import { ROOT, SAMPLE_CATALOG, sampleStory } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'studio-server-unit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every sample story as a PUT would carry it (slug, body, settled publication date), plus a few awkward ones. */
function puts(): PutCase[] {
  const out: PutCase[] = [];
  const folder = join(ROOT, 'resources/stories');
  for (const f of readdirSync(folder).filter((x) => x.endsWith('.md') && x !== 'README.md')) {
    const story = parseStory(readFileSync(join(folder, f), 'utf8'));
    const fields = storyFields(story);
    const status = fields.status === 'approved' || fields.status === 'published' ? fields.status : 'review';
    const body: StoryPutBody = {
      title: fields.title ?? 'Untitled',
      beat: fields.beat ?? 'none',
      body: story.body,
      citations: fields.citations.map((c) => ({ ...c })),
      status,
    };
    if (fields.dek) body.dek = fields.dek;
    if (fields.published) body.published = fields.published;
    out.push({ slug: f.replace(/\.md$/, ''), body, published: body.published });
  }
  const s = sampleStory();
  out.push({ slug: 'x', body: { title: s.title, beat: s.beat, body: s.body, citations: s.citations, status: 'review' }, published: undefined });
  out.push({
    slug: 'y',
    body: { title: 'Ünïcødé: "quotes", #hash, - dash', beat: 'b', body: '', citations: [], status: 'published' },
    published: '2026-01-02T03:04:05.000Z',
  });
  out.push({
    slug: 'z',
    body: {
      title: '---',
      beat: 'b',
      body: '---\nnot front matter\n',
      citations: [{ n: 1, url: 'https://x.org/a b', title: 'key: value' }],
      status: 'approved',
    },
    published: undefined,
  });
  out.push({
    slug: 'w',
    body: {
      title: 'Dek and date',
      dek: 'A dek: with "quotes"',
      beat: 'b',
      body: '\uFEFFBOM in the body\n',
      citations: [],
      status: 'published',
      published: '2025-12-31T00:00:00.000Z',
    },
    published: '2025-12-31T00:00:00.000Z',
  });
  return out;
}

interface PutCase {
  slug: string;
  body: StoryPutBody;
  published: string | undefined;
}

/** The front matter the backend built from a PUT before storyFromPut was used, for the comparison. */
const metaOf = ({ slug, body, published }: PutCase): FrontMatter => ({
  title: body.title,
  dek: body.dek,
  beat: body.beat,
  slug,
  status: body.status,
  published,
  citations: body.citations,
});

describe('putStoryFile', () => {
  it("gives storyFromPut's story (what createStory gives for the same fields) and the text serializeStory writes", () => {
    const cases = puts();
    expect(cases.length).toBeGreaterThan(8);
    for (const c of cases) {
      const { story, text } = putStoryFile(c.slug, c.body, c.published);
      expect(story, c.slug).toEqual(storyFromPut(c.slug, c.body, c.published));
      expect(story, c.slug).toEqual(createStory(metaOf(c), c.body.body));
      expect(text, c.slug).toBe(serializeStory(story));
      expect(parseStory(text), c.slug).toEqual(story);
    }
  });
});

describe('checkStory', () => {
  const index = new CatalogIndex(SAMPLE_CATALOG);
  const put = (body: string, over: Partial<StoryPutBody> = {}): StoryPutBody => {
    const s = sampleStory();
    return { title: s.title, beat: s.beat, body, citations: s.citations, status: 'review', ...over };
  };

  it('lints as lintStory does and lists each reference once', () => {
    const body = put(`${sampleStory().body}\nAgain {{entity:sam-altman}} and {{entity:openai}}.\n`);
    const check = checkStory({ slug: 'check', body, published: undefined }, index);
    const story = storyFromPut('check', body, undefined);
    expect(check.diagnostics).toEqual(lintStory(story, index));
    expect(check.refs).toEqual([
      { kind: 'entity', slug: 'sam-altman' },
      { kind: 'beat', slug: 'open-source-ai' },
      { kind: 'entity', slug: 'openai' },
    ]);
    expect(check.text).toBe(serializeStory(story));
  });

  it('refuses with diagnostics and no references', () => {
    const check = checkStory({ slug: 'bad', body: put('About {{entity:nobody-here}}.\n', { title: 'T', citations: [] }), published: undefined }, index);
    expect(check.diagnostics.map((d) => d.rule)).toContain('ref-unknown');
    expect(check.refs).toEqual([]);
  });

  it('settles the publication date it is given', () => {
    const check = checkStory({ slug: 'dated', body: put('Plain.\n', { status: 'published' }), published: '2026-02-03T04:05:06.000Z' }, index);
    expect(parseStory(check.text).meta.published).toBe('2026-02-03T04:05:06.000Z');
  });
});

describe('the live catalog', () => {
  it("adds and removes stories in place, suggestions included, leaving the caller's catalog alone", () => {
    const catalog = { entities: SAMPLE_CATALOG.entities, beats: SAMPLE_CATALOG.beats, stories: [{ slug: 'first-story', title: 'First' }] };
    const index = new LiveCatalogIndex(catalog);
    expect(index.closestSlug('story', 'second-storie')).toBeNull();
    index.setStory({ slug: 'second-story', title: 'Second' });
    expect(index.has('story', 'second-story')).toBe(true);
    expect(index.displayName('story', 'second-story')).toBe('Second');
    expect(index.closestSlug('story', 'second-storie')).toBe('second-story');
    index.setStory({ slug: 'second-story', title: 'Second, retitled' });
    expect(index.data.stories.map((s) => s.title)).toEqual(['First', 'Second, retitled']);
    index.removeStory('second-story');
    index.removeStory('never-there');
    expect(index.has('story', 'second-story')).toBe(false);
    expect(index.closestSlug('story', 'second-storie')).toBeNull();
    expect(index.data.stories).toEqual([{ slug: 'first-story', title: 'First' }]);
    expect(catalog.stories).toEqual([{ slug: 'first-story', title: 'First' }]);
    // Entities and beats are the parent's.
    expect(index.closestSlug('entity', 'sam-altmann')).toBe('sam-altman');
  });

  it('a replica follows the change feed: stories in place, entities by a rebuild, repeats harmless', () => {
    const replica = new CatalogReplica();
    const entity = (slug: string, name: string) => ({ kind: 'entity' as const, slug, deleted: false, data: { slug, name, type: 'person' } });
    replica.apply([entity('ada', 'Ada'), { kind: 'beat', slug: 'tech', deleted: false, data: { slug: 'tech', name: 'Tech' } }]);
    expect(replica.index.has('entity', 'ada')).toBe(true);
    const before = replica.index;
    replica.apply([{ kind: 'story', slug: 'one', deleted: false, data: { slug: 'one', title: 'One' } }]);
    expect(replica.index).toBe(before);
    expect(replica.index.has('story', 'one')).toBe(true);
    replica.apply([
      entity('bob', 'Bob'),
      { kind: 'story', slug: 'one', deleted: true, data: { slug: 'one' } },
      { kind: 'story', slug: 'two', deleted: false, data: { slug: 'two', title: 'Two' } },
    ]);
    expect(replica.index).not.toBe(before);
    expect(replica.index.entitiesForLabel('bob').map((e) => e.slug)).toEqual(['bob']);
    expect(replica.index.has('story', 'one')).toBe(false);
    expect(replica.index.has('story', 'two')).toBe(true);
    replica.apply([{ kind: 'story', slug: 'two', deleted: false, data: { slug: 'two', title: 'Two' } }]);
    expect([...replica.index.stories.keys()]).toEqual(['two']);
  });

  it('the store keeps its index current without reading the catalog again', async () => {
    const store = new SqliteStore(join(dir, 'live.sqlite'));
    await store.seedCatalog(SAMPLE_CATALOG);
    const first = await store.catalog();
    const firstVersion = first.version;
    const put = (status: 'published' | 'review', version: number | null) =>
      store.putStory({
        slug: 'live-one',
        expectedVersion: version,
        text: 'x',
        refs: [],
        author: 'a',
        now: new Date().toISOString(),
        story: { slug: 'live-one', title: 'Live one', beat: 'open-source-ai', body: '', citations: [], status, published: '2026-01-01T00:00:00.000Z' },
      });
    expect(await put('published', null)).toMatchObject({ ok: true, version: 1 });
    const second = await store.catalog();
    expect(second.index).toBe(first.index);
    expect(second.version).toBeGreaterThan(firstVersion);
    expect(second.index.displayName('story', 'live-one')).toBe('Live one');
    await put('review', 1);
    expect((await store.catalog()).index.has('story', 'live-one')).toBe(false);
    // A fresh store reading the file agrees with the live index.
    await store.close();
    const reread = new SqliteStore(join(dir, 'live.sqlite'));
    const again = await reread.catalog();
    expect([...again.index.stories.keys()].sort()).toEqual([...second.index.stories.keys()].filter((k) => k !== 'live-one').sort());
    await reread.close();
  });
});

describe('WAL group commit', () => {
  it('shares one fdatasync among the commits made before it starts, and makes later ones wait for the next', async () => {
    const wal = join(dir, 'group.sqlite-wal');
    await (await open(wal, 'w')).close();
    const sync = new WalSync(wal);
    // Count the fdatasync calls, and hold the first one until released.
    const handle = await open(wal, 'r');
    const proto = Object.getPrototypeOf(handle) as { datasync: () => Promise<void> };
    await handle.close();
    const original = proto.datasync;
    let calls = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    proto.datasync = async function (this: unknown) {
      calls++;
      if (calls === 1) await gate;
      return original.call(this);
    };
    try {
      const batch1 = Array.from({ length: 50 }, () => sync.sync());
      await new Promise((r) => setTimeout(r, 20));
      expect(calls).toBe(1);
      // Commits made while the first sync runs: not covered by it, they share the second.
      let late = false;
      const batch2 = Array.from({ length: 50 }, () => sync.sync().then(() => (late = true)));
      await new Promise((r) => setTimeout(r, 20));
      expect(late).toBe(false);
      expect(calls).toBe(1);
      release();
      await Promise.all(batch1);
      await Promise.all(batch2);
      expect(late).toBe(true);
      expect(calls).toBe(2);
    } finally {
      proto.datasync = original;
      await sync.close();
    }
  });

  it('the store acknowledges a write only after the WAL is synced (FULL), never waits with NORMAL', async () => {
    const handle = await open(join(dir, 'probe'), 'w');
    const proto = Object.getPrototypeOf(handle) as { datasync: () => Promise<void> };
    await handle.close();
    const original = proto.datasync;
    let calls = 0;
    proto.datasync = async function (this: unknown) {
      calls++;
      return original.call(this);
    };
    try {
      for (const [mode, expected] of [
        ['FULL', true],
        ['NORMAL', false],
      ] as const) {
        calls = 0;
        const store = new SqliteStore(join(dir, `ack-${mode}.sqlite`), { synchronous: mode });
        await store.createToken('t', 'writer', Buffer.alloc(32, 1));
        expect(calls > 0, mode).toBe(expected);
        expect(store.db.pragma('synchronous', { simple: true }), mode).toBe(1); // NORMAL at the SQLite level either way
        await store.close();
      }
    } finally {
      proto.datasync = original;
    }
  });
});
