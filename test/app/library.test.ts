import Database from 'better-sqlite3';
import { build } from 'esbuild';
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { APPLICATION_ID, Library, LibraryError, SCHEMA_VERSION, ftsQuery, readLibraryCatalog } from '../../electron/services/library/index.js';
import { MIGRATIONS } from '../../electron/services/library/schema.js';
import { WINDOW } from '../../electron/services/library/statements.js';
import { packageRoot, sampleCatalogPath, sampleStoriesDir } from '../../electron/services/paths.js';
import { parseStory, storyFields } from '../../shared/index.js';

let dir: string;
const seed = () => ({ seed: { catalogPath: sampleCatalogPath(), storiesDir: sampleStoriesDir() } });
const story = (title: string, body: string, extra = '') => `---\ntitle: ${title}\nbeat: open-source-ai\nstatus: draft\n${extra}---\n${body}\n`;
/** A search hit's tier from its rank (1000 × tier + bm25, |bm25| far below 500; `|| 0` for -0). */
const tierOf = (rank: number) => Math.round(rank / 1000) || 0;
/** Adds a story with this text to a library. */
const lib0 = (lib: Library, text: string) => lib.saveStory(lib.createStory().id, text);

/**
 * Opens `file` with the library as a user who may not write it, and returns the error (or null).
 * Root may write any file, so as root this runs in a child process as `nobody` (uid 65534) with
 * the library bundled from its sources; otherwise in this process.
 */
async function openAsReader(file: string): Promise<{ name: string; reason?: string; file?: string; message: string } | null> {
  const isRoot = process.getuid?.() === 0;
  if (!isRoot) {
    try {
      Library.open(file).close();
      return null;
    } catch (e) {
      const err = e as LibraryError;
      return { name: err.name, reason: err.reason, file: err.file, message: err.message };
    }
  }
  const bundle = join(packageRoot(), 'node_modules', '.cache', 'studio-test', `library-${process.pid}.mjs`);
  await build({
    entryPoints: [join(packageRoot(), 'electron/services/library/index.ts')],
    outfile: bundle,
    bundle: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    logLevel: 'warning',
  });
  chmodSync(dir, 0o755);
  const script = `const { Library } = await import(${JSON.stringify(bundle)});
try { Library.open(process.argv[1]).close(); console.log('null'); }
catch (e) { console.log(JSON.stringify({ name: e.name, reason: e.reason, file: e.file, message: e.message })); }`;
  try {
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script, file], { uid: 65534, gid: 65534, cwd: dir });
    return JSON.parse(stdout) as { name: string; message: string } | null;
  } finally {
    rmSync(bundle, { force: true });
  }
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'studio-lib-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('library', () => {
  it('seeds a new library with the sample catalog and stories, in WAL mode', () => {
    const lib = Library.open(join(dir, 'lib.sqlite'), seed());
    const stories = lib.listStories();
    expect(stories.length).toBeGreaterThanOrEqual(8);
    expect(stories.some((s) => s.slug === 'gemma-4-dropped-open-source-crowd-stopped-arguing-b766')).toBe(true);
    expect(lib.catalog()?.entities.has('sam-altman')).toBe(true);
    expect(lib.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(lib.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    lib.close();
    // Opening again does not seed twice.
    const again = Library.open(join(dir, 'lib.sqlite'), seed());
    expect(again.listStories().length).toBe(stories.length);
    again.close();
  });

  it('keeps every save as a revision, views and restores one', () => {
    const lib = Library.open(join(dir, 'lib.sqlite'));
    const rec = lib.createStory({ title: 'First draft' });
    const r1 = lib.saveStory(rec.id, story('First draft', 'one'));
    const r2 = lib.saveStory(rec.id, story('Second draft', 'two'));
    expect(r2.revision).toBeGreaterThan(r1.revision);
    expect(lib.saveStory(rec.id, story('Second draft', 'two')).changed).toBe(false);
    const revs = lib.listRevisions(rec.id);
    expect(revs.map((r) => r.id)).toEqual([r2.revision, r1.revision, revs[2]!.id]);
    expect(lib.getRevision(r1.revision).text).toContain('one');
    const restored = lib.restoreRevision(r1.revision);
    expect(restored.changed).toBe(true);
    expect(lib.getStory(rec.id).text).toContain('one');
    expect(lib.getStory(rec.id).title).toBe('First draft');
    expect(lib.listRevisions(rec.id)).toHaveLength(4);
    lib.close();
  });

  it('trashes and restores stories; trashed stories leave lists and search', () => {
    const lib = Library.open(join(dir, 'lib.sqlite'));
    const rec = lib.createStory({ title: 'Quantum teapots' });
    lib.saveStory(rec.id, story('Quantum teapots', 'about teapots'));
    expect(lib.search('teapots')).toHaveLength(1);
    lib.trashStory(rec.id);
    expect(lib.listStories().map((s) => s.id)).not.toContain(rec.id);
    expect(lib.listStories({ trashed: true }).map((s) => s.id)).toContain(rec.id);
    expect(lib.search('teapots')).toHaveLength(0);
    lib.restoreStory(rec.id);
    expect(lib.listStories().map((s) => s.id)).toContain(rec.id);
    lib.close();
  });

  it('writes a new story through the shared core: a title or beat with ": " or "#" reads back as typed', () => {
    const lib = Library.open(join(dir, 'lib.sqlite'));
    const cases = [
      { title: 'Breaking: the lab opens its weights', beat: 'ai-policy' },
      { title: 'Issue #4 # not a comment', beat: 'beat: with colon' },
      { title: 'Quotes \' and " and - dashes', beat: '#hash-first' },
      { title: '---', beat: 'x' },
    ];
    for (const c of cases) {
      const rec = lib.createStory(c);
      const read = storyFields(parseStory(rec.text));
      expect(read, c.title).toMatchObject({ title: c.title, beat: c.beat, status: 'draft' });
      expect(rec.title).toBe(c.title);
      expect(rec.beat).toBe(c.beat);
      expect(parseStory(rec.text).body).toBe('\n');
    }
    const plain = lib.createStory();
    expect(plain.title).toBe('Untitled story');
    expect(storyFields(parseStory(plain.text)).beat).toBeUndefined();
    lib.close();
  });

  it('ranks title matches above body matches, with snippets, and filters by status and beat', () => {
    const lib = Library.open(join(dir, 'lib.sqlite'));
    const a = lib.createStory();
    lib.saveStory(a.id, story('Notes on many things', 'A long body that mentions lighthouses once among other words.'));
    const b = lib.createStory();
    lib.saveStory(b.id, story('Lighthouses of the north', 'Keepers and lamps.', 'dek: Where the lighthouses stand\n'));
    const hits = lib.search('lighthouse');
    expect(hits.map((h) => h.id)).toEqual([b.id, a.id]);
    expect(hits[1]!.snippet).toContain('«lighthouses»');
    expect(lib.search('"; DROP TABLE stories; --')).toEqual([]);
    // References are indexed as readers see them: by label or catalog name, not slug markup.
    const d = lib.createStory();
    lib.saveStory(d.id, story('Ref story', 'A talk by {{entity:sam-altman}} and {{entity:openai|the lab}} about `code`.'));
    expect(lib.search('Sam Altman').map((h) => h.id)).toEqual([d.id]);
    expect(lib.search('the lab').map((h) => h.id)).toEqual([d.id]);
    expect(lib.search('entity')).toEqual([]);
    const c = lib.createStory({ title: 'Reviewed one' });
    lib.saveStory(c.id, '---\ntitle: Reviewed one\nbeat: ai-policy\nstatus: review\n---\nbody\n');
    expect(lib.listStories({ status: 'review' }).map((s) => s.id)).toEqual([c.id]);
    expect(lib.listStories({ beat: 'ai-policy' }).map((s) => s.id)).toEqual([c.id]);
    expect(lib.listStories({ since: '2999' })).toEqual([]);
    lib.close();
  });

  it('ranks a match in the title above one in the dek, above one in the body, and more matches higher', () => {
    const lib = Library.open(join(dir, 'lib.sqlite'));
    const add = (title: string, body: string, dek?: string) => {
      const rec = lib.createStory();
      lib.saveStory(rec.id, story(title, body, dek ? `dek: ${dek}\n` : ''));
      return rec.id;
    };
    const filler = 'words about other things entirely '.repeat(10);
    const inBody = add('Harbour report', `${filler} one mention of a bathysphere here. ${filler}`);
    const inDek = add('Harbour notes', filler, 'The bathysphere dives again');
    const inTitle = add('Bathysphere dives', filler);
    const inBodyTwice = add('Harbour diary', `${filler} bathysphere and bathysphere again. ${filler}`);
    for (let i = 0; i < 20; i++) add(`Unrelated ${i}`, filler);
    const hits = lib.search('bathysphere');
    expect(hits.map((h) => h.id)).toEqual([inTitle, inDek, inBodyTwice, inBody]);
    expect(hits.every((h) => h.snippet.includes('«bathysphere»') || h.snippet.includes('«Bathysphere»'))).toBe(true);
    // Prefix terms: a partial word finds the same stories; every word of the query is required.
    expect(lib.search('bathys').map((h) => h.id)).toEqual([inTitle, inDek, inBodyTwice, inBody]);
    expect(lib.search('bathysphere dives').map((h) => h.id)).toEqual([inTitle, inDek]);
    expect(lib.search('bathysphere', 2)).toHaveLength(2);
    lib.close();
  });

  it('search fills its page past trashed best hits, in rank order', () => {
    const lib = Library.open(join(dir, 'lib.sqlite'));
    const ids: string[] = [];
    // Story i mentions the word i + 1 times in a body of equal length: later stories rank higher.
    for (let i = 0; i < 120; i++) {
      const rec = lib.createStory();
      lib.saveStory(rec.id, story(`Story ${i}`, `${'quokka '.repeat(i + 1)}${'filler '.repeat(200 - i)}`));
      ids.push(rec.id);
    }
    const all = lib.search('quokka', 200).map((h) => h.id);
    expect(all).toEqual([...ids].reverse());
    for (const id of ids.slice(30)) lib.trashStory(id); // the 90 best
    const hits = lib.search('quokka', 20);
    expect(hits.map((h) => h.id)).toEqual(ids.slice(10, 30).reverse());
    expect(hits.every((h) => h.snippet.includes('«quokka»'))).toBe(true);
    expect(hits.map((h) => h.rank)).toEqual([...hits.map((h) => h.rank)].sort((a, b) => a - b));
    lib.close();
  });

  it('ranks in tiers: every word in the title, then in title and dek, then the rest, even where bm25 alone would not', () => {
    const lib = Library.open(join(dir, 'lib.sqlite'));
    const add = (title: string, body: string, dek?: string) => {
      const rec = lib.createStory();
      lib.saveStory(rec.id, story(title, body, dek ? `dek: ${dek}\n` : ''));
      return rec.id;
    };
    const filler = (n: number) => 'words about other things entirely '.repeat(n);
    // bm25 over all columns puts a short story saying the word again and again above a long one
    // with the word in its title; the tiers put the title first.
    const titled = add('Narwhal season', filler(60));
    const dekked = add('Harbour notes', filler(60), 'Where the narwhal feeds');
    const repeated = add('Short note', 'narwhal narwhal narwhal narwhal narwhal narwhal.');
    const plain = lib.db
      .prepare(
        `SELECT s.id FROM stories_fts f JOIN stories s ON s.rowid = f.rowid WHERE stories_fts MATCH '"narwhal"*' ORDER BY bm25(stories_fts, 10.0, 4.0, 1.0)`,
      )
      .pluck()
      .all();
    expect(plain[0]).toBe(repeated);
    const hits = lib.search('narwhal');
    expect(hits.map((h) => h.id)).toEqual([titled, dekked, repeated]);
    expect(hits.map((h) => Math.floor(h.rank / 1000) + 1)).toEqual([0, 1, 2]);
    // Several words: all in the title, then all in title and dek together, then spread further.
    const both = add('Harbour lights tonight', filler(5));
    const split = add('Harbour at dusk', filler(5), 'Its lights come on');
    const spread = add('Harbour diary', `The lights ${filler(5)}`);
    const body = add('Unrelated', `harbour lights ${filler(5)}`);
    expect(lib.search('harbour lights').map((h) => h.id)).toEqual([both, split, spread, body]);
    expect(lib.search('lights harb').map((h) => h.id)).toEqual([both, split, spread, body]);
    // Every word is required, in every tier.
    expect(lib.search('harbour narwhal').map((h) => h.id)).toEqual([dekked]);
    lib.close();
  });

  it('with more title matches than the page holds, ranks those first and fills past the trash from the next tiers', () => {
    const lib = Library.open(join(dir, 'lib.sqlite'));
    const inTitle: string[] = [];
    for (let i = 0; i < 30; i++) {
      const rec = lib.createStory();
      // Titles of one length: equal bm25 over title and dek (the body's length does not count), so the oldest first.
      lib.saveStory(rec.id, story(`Okapi report ${i}`, 'filler '.repeat(10 + i)));
      inTitle.push(rec.id);
    }
    const inDek: string[] = [];
    for (let i = 0; i < 5; i++) {
      const rec = lib.createStory();
      lib.saveStory(rec.id, story(`Report ${i}`, 'filler '.repeat(10 + i), 'dek: An okapi was seen\n'));
      inDek.push(rec.id);
    }
    const inBody = lib.createStory();
    lib.saveStory(inBody.id, story('Another report', 'an okapi'));
    const page = lib.search('okapi', 20);
    expect(page.map((h) => h.id)).toEqual(inTitle.slice(0, 20));
    expect(page.map((h) => h.rank)).toEqual([...page.map((h) => h.rank)].sort((a, b) => a - b));
    expect(lib.search('okapi', 200).map((h) => h.id)).toEqual([...inTitle, ...inDek, inBody.id]);
    for (const id of inTitle.slice(0, 25)) lib.trashStory(id);
    expect(lib.search('okapi', 20).map((h) => h.id)).toEqual([...inTitle.slice(25), ...inDek, inBody.id]);
    lib.close();
  });

  it('gives the snippets FTS5 gives on the index itself, and searches in a transaction and read-only', () => {
    const file = join(dir, 'lib.sqlite');
    const lib = Library.open(file, seed());
    for (let i = 0; i < 12; i++) {
      const rec = lib.createStory();
      const words = Array.from(
        { length: 40 },
        (_, j) => ['model', 'Modèle', 'weights', 'open', 'models:', 'MODEL.', 'release', 'de-model'][(i * 7 + j * 3) % 8],
      ).join(' ');
      lib.saveStory(
        rec.id,
        story(
          i % 3 ? `Model notes ${i}` : `Notes ${i}`,
          `${words}.\n\nSecond paragraph: a model again, and an ${'open '.repeat(i)}model.`,
          i % 2 ? 'dek: About a modèle\n' : '',
        ),
      );
    }
    const direct = lib.db.prepare(
      `SELECT s.id, snippet(stories_fts, -1, '«', '»', '…', 12) AS snippet FROM stories_fts f JOIN stories s ON s.rowid = f.rowid WHERE stories_fts MATCH ?`,
    );
    for (const q of ['model', 'mod', 'modele', 'open model', 'model weights release', 'gemma', '"open model"', '"model weights']) {
      const hits = lib.search(q, 200);
      expect(hits.length, q).toBeGreaterThan(0);
      const expected = new Map((direct.all(ftsQuery(q)) as Array<{ id: string; snippet: string }>).map((r) => [r.id, r.snippet]));
      expect(hits.length, q).toBe(expected.size);
      for (const h of hits) expect(h.snippet, `${q}: ${h.title}`).toBe(expected.get(h.id));
    }
    const before = lib.search('model');
    expect(lib.db.transaction(() => lib.search('model'))()).toEqual(before);
    lib.close();
    const reader = Library.open(file, { readonly: true });
    expect(reader.search('model')).toEqual(before);
    reader.close();
  });

  it('reads words in double quotes as a phrase, its last word a prefix, and the rest as words', () => {
    expect(ftsQuery('open weights')).toBe('"open"* "weights"*');
    expect(ftsQuery('"open weights" law')).toBe('"open weights"* "law"*');
    expect(ftsQuery('law "open wei')).toBe('"law"* "open wei"*');
    expect(ftsQuery('" "')).toBe('');
    const lib = Library.open(join(dir, 'lib.sqlite'));
    const together = lib0(lib, story('Phrase one', 'The lab released open weights today.')).story.id;
    const apart = lib0(lib, story('Phrase two', 'Open the doors; the weights stay closed.')).story.id;
    expect(
      lib
        .search('open weights')
        .map((h) => h.id)
        .sort(),
    ).toEqual([together, apart].sort());
    const phrase = lib.search('"open weights"');
    expect(phrase.map((h) => h.id)).toEqual([together]);
    expect(phrase[0]!.snippet).toContain('«open weights»');
    expect(lib.search('"open wei').map((h) => h.id)).toEqual([together]);
    lib.close();
  });

  it('lists a word in more than WINDOW stories newest first, unscored; one in fewer by bm25; each story once', () => {
    const lib = Library.open(join(dir, 'lib.sqlite'));
    // Written through SQL (the window is thousands of stories): story i mentions "otter" i % 7 + 1
    // times, and the first 1,000 also "heron" as often.
    const n = WINDOW + 600;
    const insert = lib.db.prepare('INSERT INTO stories (id, slug, title, status, beat, text, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    const index = lib.db.prepare('INSERT INTO stories_fts (rowid, title, dek, body) VALUES (?, ?, ?, ?)');
    lib.db.transaction(() => {
      for (let i = 0; i < n; i++) {
        const body = `${(i < 1000 ? 'otter heron ' : 'otter ').repeat((i % 7) + 1)}swims in the river number ${i}`;
        const info = insert.run(`s${i}`, `s-${i}`, `Story ${i}`, 'draft', '', `---\ntitle: Story ${i}\n---\n${body}\n`, 't', 't');
        index.run(info.lastInsertRowid, `Story ${i}`, '', body);
      }
    })();
    const all = lib.search('otter', n + 10);
    expect(all.map((h) => h.id)).toEqual(Array.from({ length: n }, (_, k) => `s${n - 1 - k}`));
    expect(all.map((h) => h.rank)).toEqual([...all.map((h) => h.rank)].sort((a, b) => a - b));
    const page = lib.search('otter');
    expect(page.map((h) => h.id)).toEqual(all.slice(0, 50).map((h) => h.id));
    expect(page[0]!.snippet).toContain('«otter»');
    // Fewer than WINDOW: bm25, so seven mentions outrank one.
    const herons = lib.search('heron');
    expect(herons.length).toBe(50);
    expect(herons.every((h) => Number(h.id.slice(1)) % 7 === 6)).toBe(true);
    expect(lib.search('heron otter', 2000).length).toBe(1000);
    expect(lib.search('"heron otter"', 2000).length).toBe(1000 - Math.ceil(1000 / 7));
    lib.close();
  });

  it('puts title matches of a word in most bodies first, then dek ones, then the newest bodies; a two-letter prefix answers a capped page the same way', () => {
    const lib = Library.open(join(dir, 'lib.sqlite'));
    const insert = lib.db.prepare('INSERT INTO stories (id, slug, title, status, beat, dek, text, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
    const index = lib.db.prepare('INSERT INTO stories_fts (rowid, title, dek, body) VALUES (?, ?, ?, ?)');
    const add = (id: string, title: string, dek: string, body: string) => {
      const info = insert.run(id, id, title, 'draft', '', dek, `---\ntitle: ${title}\n---\n${body}\n`, 't', 't');
      index.run(info.lastInsertRowid, title, dek, body);
    };
    // The oldest stories hold "walrus" in the title or dek; the WINDOW + 500 after them only in the body.
    const n = WINDOW + 500;
    lib.db.transaction(() => {
      add('t-long', 'A walrus colony counted again from the air this spring', '', 'Counting.');
      add('t-short', 'Walrus colony', '', 'Counting.');
      add('d', 'Shore notes', 'A walrus sighting', 'Notes.');
      for (let i = 0; i < n; i++) add(`b${i}`, `Story ${i}`, '', `the walrus swims past buoy ${i}`);
    })();
    const hits = lib.search('walrus');
    expect(hits).toHaveLength(50);
    // bm25 over title and dek: the short title above the long one; bodies newest first.
    expect(hits.slice(0, 5).map((h) => h.id)).toEqual(['t-short', 't-long', 'd', `b${n - 1}`, `b${n - 2}`]);
    expect(hits.map((h) => tierOf(h.rank)).slice(0, 4)).toEqual([0, 0, 1, 2]);
    expect(hits.every((h) => /«walrus»/i.test(h.snippet))).toBe(true);
    // A two-letter prefix: the same order, capped at the page.
    const prefix = lib.search('wa');
    expect(prefix).toHaveLength(50);
    expect(prefix.slice(0, 4).map((h) => h.id)).toEqual(['t-short', 't-long', 'd', `b${n - 1}`]);
    expect(lib.search('wa', 20)).toHaveLength(20);
    // Every story once, when the page asks for them all.
    const all = lib.search('walrus', n + 10).map((h) => h.id);
    expect(new Set(all).size).toBe(n + 3);
    // A phrase only where its words stand together, title first: "walrus colony" is in two titles, no body.
    expect(lib.search('"walrus colony"').map((h) => h.id)).toEqual(['t-short', 't-long']);
    expect(lib.search('"colony walrus"')).toEqual([]);
    expect(lib.search('"the walrus"', 3).map((h) => h.id)).toEqual([`b${n - 1}`, `b${n - 2}`, `b${n - 3}`]);
    lib.close();
  });

  it('keeps the titles-and-deks index with the stories through saves, renames and the trash', () => {
    const lib = Library.open(join(dir, 'lib.sqlite'));
    const check = () => lib.db.exec(`INSERT INTO heads_fts (heads_fts, rank) VALUES ('integrity-check', 1)`);
    const id = lib0(lib, story('Pelican count', 'Birds on the pier.', 'dek: Harbour wildlife\n')).story.id;
    const other = lib0(lib, story('Pier repairs', 'A pelican watched.')).story.id;
    check();
    expect(lib.search('pelican').map((h) => [h.id, tierOf(h.rank)])).toEqual([
      [id, 0],
      [other, 2],
    ]);
    lib.saveStory(id, story('Cormorant count', 'Birds on the pier.', 'dek: A pelican left\n'));
    check();
    expect(lib.search('pelican').map((h) => [h.id, tierOf(h.rank)])).toEqual([
      [id, 1],
      [other, 2],
    ]);
    expect(lib.search('cormorant').map((h) => h.id)).toEqual([id]);
    lib.trashStory(id);
    check();
    expect(lib.search('pelican').map((h) => h.id)).toEqual([other]);
    lib.restoreStory(id);
    expect(lib.search('harbour')).toEqual([]);
    lib.close();
  });

  it("reads a search page's stories by rowid, not by walking the list index", () => {
    const lib = Library.open(join(dir, 'lib.sqlite'));
    // With `trashed = 0` the planner took the list index's half of the live stories and filtered
    // them by rowid: ≈ 20 ms on every search of a 100,000-story library, whatever it found.
    const plan = lib.db.prepare(`EXPLAIN QUERY PLAN ${lib.statements.get('liveHits').source}`).all('[1, 2]') as Array<{ detail: string }>;
    expect(plan[0]!.detail).toBe('SEARCH stories USING INTEGER PRIMARY KEY (rowid=?)');
    lib.close();
  });

  it('lists stories from one covering index, never reading their text', () => {
    const lib = Library.open(join(dir, 'lib.sqlite'));
    const plan = lib.db
      .prepare(
        'EXPLAIN QUERY PLAN SELECT rowid, id, slug, title, status, beat, updated_at, trashed FROM stories WHERE trashed = ? ORDER BY updated_at DESC, title, id',
      )
      .all(0) as Array<{ detail: string }>;
    expect(plan.map((r) => r.detail)).toEqual(['SEARCH stories USING COVERING INDEX stories_list (trashed=?)']);
    const a = lib.createStory({ title: 'B second' });
    const b = lib.createStory({ title: 'A first' });
    lib.saveStory(a.id, '---\ntitle: B second\n---\nnewer\n');
    const expected = [lib.getStory(a.id), lib.getStory(b.id)].sort((x, y) => y.updatedAt.localeCompare(x.updatedAt) || x.title.localeCompare(y.title));
    expect(lib.listStories().map((s) => s.id)).toEqual(expected.map((s) => s.id));
    expect(lib.listStories({ limit: 1 }).map((s) => s.id)).toEqual([expected[0]!.id]);
    lib.close();
  });

  it('pages the list: pages concatenated are the list, in order, each story once, with its length', () => {
    const lib = Library.open(join(dir, 'lib.sqlite'), seed());
    for (let i = 0; i < 23; i++) {
      const rec = lib.createStory({ title: `Paged ${i % 4}`, beat: i % 3 === 0 ? 'ai-policy' : 'open-source-ai' });
      if (i % 5 === 0) lib.saveStory(rec.id, story(`Paged ${i % 4}`, 'In review.', 'status: review\n').replace('beat: open-source-ai\n', ''));
    }
    // Stories of one date and title: only the id orders them, and a page must not split them twice.
    lib.db.prepare("UPDATE stories SET updated_at = '2026-01-01T00:00:00.000Z' WHERE title = 'Paged 1'").run();
    lib.trashStory(lib.listStories({ status: 'draft' })[3]!.id);
    const filters = [{}, { status: 'review' }, { beat: 'ai-policy' }, { trashed: true }, { status: 'draft', beat: 'open-source-ai' }];
    for (const filter of filters) {
      const whole = lib.listStories(filter);
      expect(whole.length, JSON.stringify(filter)).toBeGreaterThan(0);
      const paged = [];
      for (let offset = 0; ; offset += 4) {
        const page = lib.listStoryPage(filter, offset, 4);
        expect(page.total).toBe(whole.length);
        expect(page.offset).toBe(offset);
        if (page.stories.length === 0) break;
        paged.push(...page.stories);
      }
      expect(paged).toEqual(whole);
      expect(new Set(paged.map((s) => s.id)).size).toBe(paged.length);
    }
    // The counts follow every kind of change: a beat and status changed, a story deleted, one restored.
    const moved = lib.listStories({ beat: 'ai-policy' })[0]!;
    lib.saveStory(moved.id, story('Moved', 'Now approved.', 'status: approved\n'));
    lib.db.prepare('DELETE FROM stories WHERE id = ?').run(lib.listStories({ status: 'review' })[0]!.id);
    lib.restoreStory(lib.listStories({ trashed: true })[0]!.id);
    for (const filter of [...filters, { status: 'approved' }, { beat: 'nothing-here' }])
      expect(lib.listStoryPage(filter, 0, 1).total).toBe(lib.listStories(filter).length);
    expect(lib.listStoryPage({ since: '2026-01-01T00:00:00.000Z', until: '2026-01-01T00:00:00.001Z' }, 0, 1).total).toBe(
      lib.listStories({ since: '2026-01-01T00:00:00.000Z', until: '2026-01-01T00:00:00.001Z' }).length,
    );
    const count = (lib.db.prepare('SELECT count(*) AS n FROM stories WHERE trashed = 0').get() as { n: number }).n;
    expect(lib.listStoryPage({}, 0, 1).total).toBe(count);
    expect(lib.listStoryPage({}, count + 10, 5)).toEqual({ total: count, offset: count + 10, stories: [] });
    lib.close();
  });

  it('reads a page from the list index alone, and a new story is the first row of the next read', () => {
    const lib = Library.open(join(dir, 'lib.sqlite'), seed());
    const details = (sql: string) => (lib.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(0, 10, 0) as Array<{ detail: string }>).map((r) => r.detail);
    expect(
      details(
        'SELECT rowid, id, slug, title, status, beat, updated_at, trashed FROM stories WHERE trashed = ? ORDER BY updated_at DESC, title, id LIMIT ? OFFSET ?',
      ),
    ).toEqual(['SEARCH stories USING COVERING INDEX stories_list (trashed=?)']);
    const before = lib.listStoryPage({}, 0, 3);
    const made = lib.createStory({ title: 'Just made' });
    const after = lib.listStoryPage({}, 0, 3);
    expect(after.total).toBe(before.total + 1);
    expect(after.stories[0]!.id).toBe(made.id);
    expect(after.stories.slice(1)).toEqual(before.stories.slice(0, 2));
    lib.close();
  });

  it('imports many files in one transaction, each with its report in order; one refused does not stop the others', () => {
    const lib = Library.open(join(dir, 'lib.sqlite'), seed());
    const count = () => (lib.db.prepare('SELECT count(*) AS n FROM stories').get() as { n: number }).n;
    const before = count();
    // A write the library refuses (as a full disk would), for one file only.
    lib.db.exec("CREATE TEMP TRIGGER refuse BEFORE INSERT ON main.stories WHEN new.title = 'Refused' BEGIN SELECT RAISE(ABORT, 'disk full'); END");
    const reports = lib.importFiles([
      { name: 'one.md', text: story('One', 'First.') },
      { name: 'bad.md', text: '---\n: [\n---\n' },
      { name: 'refused.md', text: story('Refused', 'Never written.') },
      { name: 'two.md', text: story('Two', 'Second.') },
    ]);
    expect(reports.map((r) => [r.name, r.ok])).toEqual([
      ['one.md', true],
      ['bad.md', false],
      ['refused.md', false],
      ['two.md', true],
    ]);
    expect(reports[2]!.error).toMatch(/^refused\.md: .*disk full/);
    expect(count()).toBe(before + 2);
    expect(lib.listStories().map((s) => s.title)).toEqual(expect.arrayContaining(['One', 'Two']));
    expect(lib.listStories().map((s) => s.title)).not.toContain('Refused');
    // Nothing of the refused file is left: no revision, no index row.
    expect(lib.search('Never written')).toEqual([]);
    expect((lib.db.prepare("SELECT count(*) AS n FROM revisions WHERE title = 'Refused'").get() as { n: number }).n).toBe(0);
    lib.close();
  });

  it('imports a story file and reports bad input per file', () => {
    const lib = Library.open(join(dir, 'lib.sqlite'), seed());
    const ok = lib.importText('a.md', story('Imported', 'hello {{entity:nobody-here}}'));
    expect(ok.ok).toBe(true);
    expect(ok.diagnostics).toBeGreaterThan(0);
    const bad = lib.importText('b.md', '---\n: [\n---\nbody');
    expect(bad.ok).toBe(false);
    expect(bad.error).toMatch(/^b\.md: not a story/);
    const sample = readFileSync(join(sampleStoriesDir(), 'exported-sample.txt'), 'utf8');
    const txt = lib.importText('exported-sample.txt', sample);
    expect(txt.ok).toBe(true);
    expect(lib.getStory(txt.id!).text.startsWith('---\n')).toBe(true);
    const html = lib.exportStory(ok.id!, 'html');
    expect(html.content).toContain('ref-unresolved');
    lib.close();
  });

  it('migrates a version-1 library, indexing its stories for search', () => {
    const file = join(dir, 'old.sqlite');
    const db = new Database(file);
    MIGRATIONS[0]!(db);
    db.pragma('user_version = 1');
    db.prepare(
      "INSERT INTO stories (id, slug, title, status, beat, text, created_at, updated_at) VALUES ('x', 'old', 'Old story', 'draft', '', ?, '2025-01-01', '2025-01-01')",
    ).run('---\ntitle: Old story\ndek: About zeppelins\n---\nbody\n');
    db.close();
    const lib = Library.open(file);
    expect(lib.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(lib.search('zeppelins').map((h) => h.id)).toEqual(['x']);
    lib.close();
  });

  it('migrates a version-3 full-text index to one with 2-, 3- and 4-character prefix indexes, the same rows in it', () => {
    const file = join(dir, 'v3.sqlite');
    const old = Library.open(join(dir, 'made.sqlite'));
    const texts = Array.from({ length: 40 }, (_, i) =>
      story(
        `Bridge ${i} ${i % 3 ? 'repairs' : 'report'}`,
        `Brass band ${'bravo '.repeat(i % 5)}plays on the bridge number ${i}.`,
        i % 4 ? '' : 'dek: Brief notes\n',
      ),
    );
    for (const t of texts) lib0(old, t);
    const queries = ['b', 'br', 'bri', 'brid', 'bridge', 'bra', 'brass band', 're', 'rep', 'brief'];
    const expected = Object.fromEntries(queries.map((q) => [q, old.search(q, 200).map(({ id, rank, snippet }) => ({ id, rank, snippet }))]));
    old.close();
    // The same stories in a version-3 file: its schema by the first three migrations, its index without prefixes.
    const made = new Database(join(dir, 'made.sqlite'), { readonly: true });
    const db = new Database(file);
    for (let v = 0; v < 3; v++) MIGRATIONS[v]!(db);
    db.pragma(`application_id = ${APPLICATION_ID}`);
    db.pragma('user_version = 3');
    const storyCols = 'id, slug, title, status, beat, dek, text, created_at, updated_at, trashed';
    const insertStory = db.prepare(
      `INSERT INTO stories (rowid, ${storyCols}) VALUES (?, ${storyCols
        .split(', ')
        .map(() => '?')
        .join(', ')})`,
    );
    for (const r of made.prepare(`SELECT rowid, ${storyCols} FROM stories`).raw().all() as unknown[][]) insertStory.run(...r);
    const insertFts = db.prepare('INSERT INTO stories_fts (rowid, title, dek, body) VALUES (?, ?, ?, ?)');
    for (const r of made.prepare('SELECT rowid, title, dek, body FROM stories_fts').raw().all() as unknown[][]) insertFts.run(...r);
    made.close();
    expect(db.prepare(`SELECT sql FROM sqlite_master WHERE name = 'stories_fts'`).pluck().get()).not.toMatch(/prefix/);
    // What each query matches, and its bm25, on the index without prefix indexes.
    const matchesOf = (d: Database.Database) =>
      Object.fromEntries(
        queries.map((q) => [
          q,
          d.prepare(`SELECT rowid, bm25(stories_fts, 10.0, 4.0, 1.0) AS r FROM stories_fts WHERE stories_fts MATCH ? ORDER BY rowid`).all(ftsQuery(q)),
        ]),
      );
    const unprefixed = matchesOf(db);
    db.close();

    const lib = Library.open(file);
    expect(lib.db.prepare(`SELECT sql FROM sqlite_master WHERE name = 'stories_fts'`).pluck().get()).toMatch(/prefix = '2 3 4'/);
    expect(lib.db.prepare('SELECT count(*) FROM stories_fts').pluck().get()).toBe(texts.length);
    expect(lib.db.pragma('integrity_check', { simple: true })).toBe('ok');
    lib.db.exec(`INSERT INTO stories_fts (stories_fts, rank) VALUES ('integrity-check', 1)`);
    expect(matchesOf(lib.db)).toEqual(unprefixed);
    for (const q of queries)
      expect(
        lib.search(q, 200).map(({ id, rank, snippet }) => ({ id, rank, snippet })),
        q,
      ).toEqual(expected[q]);
    lib.close();
  });

  it('migrates a version-5 library in place to one with a titles-and-deks index, search ranking its title matches first', () => {
    const file = join(dir, 'v5.sqlite');
    const db = new Database(file);
    for (let v = 0; v < 5; v++) MIGRATIONS[v]!(db);
    db.pragma(`application_id = ${APPLICATION_ID}`);
    db.pragma('user_version = 5');
    const rows = [
      ['Heron watch', '', 'Notes.'],
      ['Harbour notes', 'A heron again', 'Notes.'],
      ['Pier diary', '', 'A heron and a heron.'],
    ] as const;
    rows.forEach(([title, dek, body], i) => {
      db.prepare("INSERT INTO stories (id, slug, title, status, beat, dek, text, created_at, updated_at) VALUES (?, ?, ?, 'draft', '', ?, ?, 't', 't')").run(
        `s${i}`,
        `s-${i}`,
        title,
        dek,
        story(title, body, dek ? `dek: ${dek}\n` : ''),
      );
      db.prepare('INSERT INTO stories_fts (rowid, title, dek, body) VALUES (?, ?, ?, ?)').run(i + 1, title, dek, body);
    });
    expect(db.prepare(`SELECT count(*) FROM sqlite_master WHERE name = 'heads_fts'`).pluck().get()).toBe(0);
    db.close();

    const lib = Library.open(file);
    expect(lib.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    lib.db.exec(`INSERT INTO heads_fts (heads_fts, rank) VALUES ('integrity-check', 1)`);
    expect(lib.db.prepare(`SELECT rowid FROM heads_fts WHERE heads_fts MATCH 'heron' ORDER BY rowid`).pluck().all()).toEqual([1, 2]);
    expect(lib.search('heron').map((h) => h.id)).toEqual(['s0', 's1', 's2']);
    // Stories saved after the upgrade are in it too.
    lib0(lib, story('Heron count', 'More.'));
    expect(lib.search('heron').map((h) => tierOf(h.rank))).toEqual([0, 0, 1, 2]);
    lib.close();
  });

  // A library as each older version left it (made by hand with that version's migrations), with
  // stories, revisions, a trashed story, a catalog and settings; opened by this version.
  for (let version = 1; version < SCHEMA_VERSION; version++) {
    it(`migrates a version-${version} library to version ${SCHEMA_VERSION}, keeping every story, revision and setting`, () => {
      const file = join(dir, `v${version}.sqlite`);
      const db = new Database(file);
      db.pragma('journal_mode = WAL');
      for (let v = 0; v < version; v++) MIGRATIONS[v]!(db);
      db.pragma(`application_id = ${APPLICATION_ID}`);
      db.pragma(`user_version = ${version}`);
      const texts = {
        a: [
          '---\ntitle: Airships return\ndek: Zeppelins over the bay\nbeat: open-source-ai\n---\nFirst draft about hangars.\n',
          '---\ntitle: Airships return\ndek: Zeppelins over the bay\nbeat: open-source-ai\nstatus: review\n---\nSecond draft about hangars and mooring masts.\n',
        ],
        b: ['---\ntitle: Quiet lighthouses\n---\nKeepers and lamps.\n'],
      } as const;
      const hasDek = version >= 2;
      let rowid = 0;
      for (const [id, revs] of Object.entries(texts)) {
        const text = revs[revs.length - 1]!;
        const title = /title: (.*)/.exec(text)![1]!;
        const status = /status: (.*)/.exec(text)?.[1] ?? 'draft';
        const trashed = id === 'b' ? 1 : 0;
        db.prepare(
          `INSERT INTO stories (id, slug, title, status, beat, text, created_at, updated_at, trashed) VALUES (?, ?, ?, ?, '', ?, '2025-01-01T00:00:00Z', '2025-01-02T00:00:00Z', ?)`,
        ).run(id, `slug-${id}`, title, status, text, trashed);
        rowid++;
        if (hasDek) {
          const dek = /dek: (.*)/.exec(text)?.[1] ?? '';
          db.prepare('UPDATE stories SET dek = ? WHERE id = ?').run(dek, id);
          db.prepare('INSERT INTO stories_fts (rowid, title, dek, body) VALUES (?, ?, ?, ?)').run(rowid, title, dek, text.split('---\n')[2]);
        }
        for (const t of revs)
          db.prepare("INSERT INTO revisions (story_id, text, title, created_at) VALUES (?, ?, ?, '2025-01-01T00:00:00Z')").run(id, t, title);
      }
      db.prepare("INSERT INTO catalog (id, json, updated_at) VALUES (1, ?, '2025-01-01')").run(
        JSON.stringify({ entities: [{ slug: 'ada', name: 'Ada Lovelace', type: 'person' }], beats: [], stories: [] }),
      );
      db.prepare("INSERT INTO settings (key, value) VALUES ('theme', '\"dark\"')").run();
      const revisionsBefore = db.prepare('SELECT id, story_id, text FROM revisions ORDER BY id').all() as Array<{ id: number; story_id: string; text: string }>;
      db.close();

      const lib = Library.open(file);
      expect(lib.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
      expect(lib.db.pragma('application_id', { simple: true })).toBe(APPLICATION_ID);
      expect(lib.db.pragma('integrity_check', { simple: true })).toBe('ok');
      // The list's length comes from the counts the migration made.
      expect(lib.listStoryPage({}, 0, 1).total).toBe(lib.listStories().length);
      expect(lib.listStoryPage({ trashed: true }, 0, 1).total).toBe(lib.listStories({ trashed: true }).length);
      expect(lib.db.pragma('foreign_key_check')).toEqual([]);
      expect(lib.db.prepare('SELECT id, story_id, text FROM revisions ORDER BY id').all()).toEqual(revisionsBefore);
      expect(lib.getStory('a').text).toBe(texts.a[1]);
      expect(lib.getStory('a').status).toBe('review');
      expect(lib.getStory('a').revision).toBe(2);
      expect(lib.listRevisions('a').map((r) => lib.getRevision(r.id).text)).toEqual([...texts.a].reverse());
      expect(lib.listStories().map((s) => s.id)).toEqual(['a']);
      expect(lib.listStories({ trashed: true }).map((s) => s.id)).toEqual(['b']);
      // Search works on the migrated index: by title, dek and body, and not on the trashed story.
      expect(lib.search('zeppelins').map((h) => h.id)).toEqual(['a']);
      expect(lib.search('mooring').map((h) => h.id)).toEqual(['a']);
      expect(lib.search('lighthouses')).toEqual([]);
      lib.restoreStory('b');
      expect(lib.search('lighthouses').map((h) => h.id)).toEqual(['b']);
      expect(lib.catalog()?.entities.get('ada')?.name).toBe('Ada Lovelace');
      expect(lib.getSetting('theme')).toBe('dark');
      // The migrated library keeps working: a save is a new revision after the old ones.
      const saved = lib.saveStory('a', texts.a[0]);
      expect(saved.revision).toBeGreaterThan(Math.max(...revisionsBefore.map((r) => r.id)));
      expect(lib.restoreRevision(revisionsBefore[1]!.id).changed).toBe(true);
      expect(lib.getStory('a').text).toBe(texts.a[1]);
      lib.close();
      // Opening again migrates nothing twice.
      const again = Library.open(file);
      expect(again.listRevisions('a')).toHaveLength(4);
      again.close();
    });
  }

  it('names the file to give when the library named is a folder, and writes nothing in it', () => {
    const folder = join(dir, 'newsroom');
    mkdirSync(folder);
    expect(() => Library.open(folder)).toThrow(
      `${folder}: is a folder, not a library file; name the file in it (for example ${join(folder, 'library.sqlite')})`,
    );
    expect(readdirSync(folder)).toEqual([]);
  });

  it('refuses damaged, foreign and newer files with one-line errors, leaving them untouched', () => {
    const corrupt = join(dir, 'corrupt.sqlite');
    writeFileSync(corrupt, 'this is not a database at all, just text\n'.repeat(20));
    const before = readFileSync(corrupt);
    expect(() => Library.open(corrupt)).toThrow(LibraryError);
    expect(() => Library.open(corrupt)).toThrow(/corrupt\.sqlite: not a Newsdesk Studio library/);
    expect(readFileSync(corrupt).equals(before)).toBe(true);

    const newer = join(dir, 'newer.sqlite');
    const db = new Database(newer);
    db.pragma(`user_version = ${SCHEMA_VERSION + 5}`);
    db.close();
    const bytes = readFileSync(newer);
    expect(() => Library.open(newer)).toThrow(/newer Newsdesk Studio \(library version \d+; this one reads up to \d+\)/);
    expect(readFileSync(newer).equals(bytes)).toBe(true);

    const foreign = join(dir, 'foreign.sqlite');
    const f = new Database(foreign);
    f.exec('CREATE TABLE t (x)');
    f.close();
    expect(() => Library.open(foreign)).toThrow(/another program/);
  });

  describe('refusals name the file in one line and change no byte of it', () => {
    /** A library with a few stories and revisions, closed; its bytes. */
    function makeLibrary(name: string): { file: string; bytes: Buffer } {
      const file = join(dir, name);
      const lib = Library.open(file);
      for (let i = 0; i < 5; i++) {
        const rec = lib.createStory({ title: `Story ${i}` });
        for (let j = 0; j < 5; j++) lib.saveStory(rec.id, story(`Story ${i}`, `Draft ${j} ${'with some words '.repeat(40)}`));
      }
      lib.close();
      return { file, bytes: readFileSync(file) };
    }

    /** Runs `fn`, which must throw a LibraryError for `file` with this reason in one line. */
    function refusal(fn: () => unknown, file: string, reason: LibraryError['reason']): LibraryError {
      let error: unknown;
      try {
        fn();
      } catch (e) {
        error = e;
      }
      expect(error, 'no error was thrown').toBeInstanceOf(LibraryError);
      const e = error as LibraryError;
      expect(e.reason).toBe(reason);
      expect(e.file).toBe(file);
      expect(e.message.startsWith(`${file}: `)).toBe(true);
      expect(e.message).not.toMatch(/[\r\n]/);
      return e;
    }

    it('a library newer than this version', () => {
      const { file } = makeLibrary('newer.sqlite');
      const db = new Database(file);
      db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
      db.close();
      const bytes = readFileSync(file);
      const e = refusal(() => Library.open(file), file, 'newer');
      expect(e.message).toContain(`library version ${SCHEMA_VERSION + 1}; this one reads up to ${SCHEMA_VERSION}`);
      expect(e.message).toContain('left untouched');
      expect(readFileSync(file).equals(bytes)).toBe(true);
      refusal(() => Library.open(file, { readonly: true }), file, 'newer');
      expect(readFileSync(file).equals(bytes)).toBe(true);
    });

    it('SQLite files of other programs', () => {
      const tables = join(dir, 'other.sqlite');
      const a = new Database(tables);
      a.exec("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('keep me')");
      a.close();
      const tablesBytes = readFileSync(tables);
      expect(refusal(() => Library.open(tables), tables, 'foreign').message).toContain('another program');
      expect(readFileSync(tables).equals(tablesBytes)).toBe(true);

      const appId = join(dir, 'fossil.sqlite');
      const b = new Database(appId);
      b.pragma(`application_id = ${0x0f055112}`);
      b.pragma('user_version = 1');
      b.exec('CREATE TABLE blob (rid INTEGER PRIMARY KEY)');
      b.close();
      const appIdBytes = readFileSync(appId);
      refusal(() => Library.open(appId), appId, 'foreign');
      expect(readFileSync(appId).equals(appIdBytes)).toBe(true);
    });

    it('damaged files: not SQLite, a damaged schema page, truncated, damaged story pages', () => {
      const { bytes } = makeLibrary('good.sqlite');
      const pageSize = bytes.readUInt16BE(16);
      expect(bytes.length / pageSize).toBeGreaterThan(4);
      const variants: Record<string, Buffer> = {
        'text.sqlite': Buffer.from('# notes\nnot a database at all\n'.repeat(50)),
        'schema.sqlite': Buffer.concat([bytes.subarray(0, 100), Buffer.alloc(pageSize - 100, 0xa5), bytes.subarray(pageSize)]),
        'truncated.sqlite': bytes.subarray(0, pageSize + 1000),
        'pages.sqlite': Buffer.concat([
          bytes.subarray(0, pageSize),
          Buffer.from(Array.from({ length: bytes.length - pageSize }, (_, i) => (i * 131 + 7) & 0xff)),
        ]),
      };
      for (const [name, content] of Object.entries(variants)) {
        const file = join(dir, name);
        writeFileSync(file, content);
        // Refused on opening or, when only story pages are damaged, on the first read; never written.
        refusal(
          () => {
            const lib = Library.open(file);
            try {
              lib.listStories();
              lib.search('draft');
            } finally {
              lib.close();
            }
          },
          file,
          'corrupt',
        );
        expect(readFileSync(file).equals(content), `${name} was changed`).toBe(true);
      }
    });

    it('a library locked by another connection', () => {
      const { file } = makeLibrary('locked.sqlite');
      const holder = new Database(file);
      try {
        // Another program holding the library exclusively (as `locking_mode = EXCLUSIVE` does).
        holder.pragma('locking_mode = EXCLUSIVE');
        holder.exec('BEGIN EXCLUSIVE; COMMIT');
        const bytes = readFileSync(file);
        const e = refusal(() => Library.open(file), file, 'locked');
        expect(e.message).toContain('locked by another program');
        expect(readFileSync(file).equals(bytes)).toBe(true);
      } finally {
        holder.close();
      }
      // Once released, it opens with everything in it.
      const lib = Library.open(file);
      expect(lib.listStories()).toHaveLength(5);
      expect(lib.db.pragma('integrity_check', { simple: true })).toBe('ok');
      lib.close();
    }, 20_000);

    it('a read-only library file', async () => {
      const { file, bytes } = makeLibrary('readonly.sqlite');
      chmodSync(file, 0o444);
      const e = await openAsReader(file);
      expect(e).toMatchObject({ name: 'LibraryError', reason: 'read-only', file });
      expect(e?.message).toBe(`${file}: the library is read-only; nothing was changed`);
      expect(readFileSync(file).equals(bytes)).toBe(true);
    }, 30_000);
  });

  it('reports a locked library clearly', () => {
    const file = join(dir, 'lib.sqlite');
    Library.open(file).close();
    const holder = new Database(file);
    holder.pragma('journal_mode = DELETE');
    holder.exec('BEGIN EXCLUSIVE');
    try {
      expect(() => Library.open(file)).toThrow(/lib\.sqlite: the library is locked by another program/);
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
  }, 20_000);

  it('readLibraryCatalog returns the catalog copy', async () => {
    const file = join(dir, 'lib.sqlite');
    Library.open(file, seed()).close();
    const cat = await readLibraryCatalog(file);
    expect(cat?.beats.has('open-source-ai')).toBe(true);
  });
});
