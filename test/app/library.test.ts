import Database from 'better-sqlite3';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Library, LibraryError, SCHEMA_VERSION, readLibraryCatalog } from '../../electron/services/library/index.js';
import { MIGRATIONS } from '../../electron/services/library/schema.js';
import { sampleCatalogPath, sampleStoriesDir } from '../../electron/services/paths.js';

let dir: string;
const seed = () => ({ seed: { catalogPath: sampleCatalogPath(), storiesDir: sampleStoriesDir() } });
const story = (title: string, body: string, extra = '') => `---\ntitle: ${title}\nbeat: open-source-ai\nstatus: draft\n${extra}---\n${body}\n`;

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
    db.prepare("INSERT INTO stories (id, slug, title, status, beat, text, created_at, updated_at) VALUES ('x', 'old', 'Old story', 'draft', '', ?, '2025-01-01', '2025-01-01')")
      .run('---\ntitle: Old story\ndek: About zeppelins\n---\nbody\n');
    db.close();
    const lib = Library.open(file);
    expect(lib.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(lib.search('zeppelins').map((h) => h.id)).toEqual(['x']);
    lib.close();
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

  it('reports a locked library clearly', () => {
    const file = join(dir, 'lib.sqlite');
    Library.open(file).close();
    const holder = new Database(file);
    holder.pragma('journal_mode = DELETE');
    holder.exec('BEGIN EXCLUSIVE');
    try {
      const lib = Library.open(file);
      // WAL may still let it open; a write must then fail with the locked message.
      expect(() => lib.createStory({ title: 'x' })).toThrow(/locked by another program/);
      lib.close();
    } catch (e) {
      expect((e as Error).message).toMatch(/locked by another program/);
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
