import type Database from 'better-sqlite3';
import { createRequire } from 'node:module';
import { randomUUID } from 'node:crypto';
import { accessSync, closeSync, constants, existsSync, mkdirSync, openSync, readFileSync, readSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  deriveSlug, lintStory, loadCatalog, parseCatalog, parseStory, renderHtml, renderMarkdown, serializeStory, storyFields, toPlainText,
  type Catalog, type CatalogIndex,
} from '../../../shared/index.js';
import type {
  ExportResult, ImportReport, RevisionRecord, RevisionSummary, SaveResult, SearchHit, StoryRecord, StorySummary,
} from '../../../shared/api/contract.js';
import { StudioCallError } from '../../../shared/api/contract.js';
import { LibraryError, describeSqliteError } from './errors.js';
import { ftsPhrase, ftsSnippet, holdsEvery } from './fts-text.js';
import { APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION } from './schema.js';

export interface OpenLibraryOptions {
  /** Seed a new library with this catalog file and these sample stories. */
  seed?: { catalogPath: string; storiesDir?: string };
  /** Open without writing (for reading the catalog copy). */
  readonly?: boolean;
}

export interface StoryFilter {
  status?: string;
  beat?: string;
  since?: string;
  until?: string;
  trashed?: boolean;
}

interface StoryRow {
  id: string;
  slug: string;
  title: string;
  status: string;
  beat: string;
  dek: string;
  text: string;
  updated_at: string;
  trashed: number;
  rowid: number;
}

const SQLITE_HEADER = 'SQLite format 3\0';

let sqlite: typeof Database | undefined;
/** better-sqlite3, loaded on first use: the command line loads it only when it reads a library. */
function loadSqlite(): typeof Database {
  sqlite ??= createRequire(import.meta.url)('better-sqlite3') as typeof Database;
  return sqlite;
}

/** Checks a file's first bytes before SQLite touches it: a non-SQLite file is refused, never overwritten. */
function checkHeader(file: string): void {
  if (!existsSync(file)) return;
  const size = statSync(file).size;
  if (size === 0) return;
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(16);
    readSync(fd, buf, 0, 16, 0);
    if (buf.toString('latin1') !== SQLITE_HEADER) {
      throw new LibraryError(file, 'corrupt', `${file}: not a Newsdesk Studio library (not an SQLite database); it was left untouched`);
    }
  } finally {
    closeSync(fd);
  }
}

function now(): string {
  return new Date().toISOString();
}

/** The facts a story's text gives the library's columns, read through the shared story core. */
function factsOf(text: string, catalog?: CatalogIndex) {
  const story = parseStory(text, { catalog });
  const f = storyFields(story);
  return {
    story,
    title: f.title ?? '',
    dek: f.dek ?? '',
    beat: f.beat ?? '',
    status: f.status ?? 'draft',
    slug: f.slug ?? (f.title ? deriveSlug(f.title) : ''),
    body: searchableText(story.body, catalog),
  };
}

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };

/**
 * The body as a reader sees it, for the search index: rendered by the shared core (so references
 * read as their labels or catalog names, markup is gone), tags dropped, blocks on their own lines.
 */
function searchableText(body: string, catalog?: CatalogIndex): string {
  const html = renderMarkdown(body, { catalog });
  return html
    .replace(/<\/(p|li|h[1-6]|blockquote|pre|tr)>/g, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&(amp|lt|gt|quot|#39);/g, (m) => ENTITIES[m] ?? m)
    .replace(/[ \t]+/g, ' ')
    .replace(/\n\s*\n+/g, '\n')
    .trim();
}

/**
 * A Newsdesk Studio library: one SQLite file (WAL) holding stories, every saved revision, a copy of
 * the catalog and settings, with full-text search. Opening refuses locked, read-only, damaged and
 * newer files with a one-line error, and never rewrites them.
 */
export class Library {
  readonly db: Database.Database;
  private catalogCache: CatalogIndex | null | undefined;

  private constructor(readonly file: string, db: Database.Database) {
    this.db = db;
  }

  /** Opens (creating and seeding when new) the library at `file`. */
  static open(file: string, options: OpenLibraryOptions = {}): Library {
    checkHeader(file);
    const isNew = !existsSync(file) || statSync(file).size === 0;
    if (!isNew && !options.readonly) {
      try {
        accessSync(file, constants.W_OK);
      } catch {
        throw new LibraryError(file, 'read-only', `${file}: the library is read-only; nothing was changed`);
      }
    }
    if (isNew) {
      if (options.readonly) throw new LibraryError(file, 'io', `${file}: no such library`);
      mkdirSync(dirname(file), { recursive: true });
    }
    let db: Database.Database;
    try {
      db = new (loadSqlite())(file, { readonly: !!options.readonly, fileMustExist: !!options.readonly, timeout: 2000 });
    } catch (e) {
      throw describeSqliteError(file, e);
    }
    const lib = new Library(file, db);
    try {
      lib.prepare(isNew, options);
    } catch (e) {
      db.close();
      throw describeSqliteError(file, e);
    }
    return lib;
  }

  private prepare(isNew: boolean, options: OpenLibraryOptions): void {
    const db = this.db;
    const version = db.pragma('user_version', { simple: true }) as number;
    const appId = db.pragma('application_id', { simple: true }) as number;
    if (appId !== 0 && appId !== APPLICATION_ID) {
      throw new LibraryError(this.file, 'foreign', `${this.file}: an SQLite file of another program, not a Newsdesk Studio library; it was left untouched`);
    }
    if (version > SCHEMA_VERSION) {
      throw new LibraryError(this.file, 'newer', `${this.file}: written by a newer Newsdesk Studio (library version ${version}; this one reads up to ${SCHEMA_VERSION}); it was left untouched`);
    }
    if (version === 0 && !isNew) {
      const tables = db.prepare(`SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'`).get() as { n: number };
      if (tables.n > 0) throw new LibraryError(this.file, 'foreign', `${this.file}: an SQLite file of another program, not a Newsdesk Studio library; it was left untouched`);
    }
    if (options.readonly) {
      if (version < SCHEMA_VERSION && version < 1) throw new LibraryError(this.file, 'corrupt', `${this.file}: an empty library`);
      return;
    }
    if (db.pragma('journal_mode', { simple: true }) !== 'wal') db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.pragma('synchronous = NORMAL');
    if (version < SCHEMA_VERSION) {
      db.transaction(() => {
        for (let v = version; v < SCHEMA_VERSION; v++) MIGRATIONS[v]!(db);
        db.pragma(`application_id = ${APPLICATION_ID}`);
        db.pragma(`user_version = ${SCHEMA_VERSION}`);
        if (version >= 1 && version < 2) this.reindexAll();
      })();
    }
    if (version === 0 && options.seed) this.seed(options.seed.catalogPath, options.seed.storiesDir);
  }

  /** Fills a new library with the sample catalog and stories. */
  private seed(catalogPath: string, storiesDir?: string): void {
    const catalogText = readFileSync(catalogPath, 'utf8');
    this.setCatalog(parseCatalog(catalogText));
    if (!storiesDir || !existsSync(storiesDir)) return;
    const catalog = this.catalog() ?? undefined;
    const files = readdirSync(storiesDir).filter((f) => /\.(md|txt)$/i.test(f) && f.toLowerCase() !== 'readme.md').sort();
    this.db.transaction(() => {
      for (const f of files) {
        const story = parseStory(readFileSync(join(storiesDir, f), 'utf8'), { catalog });
        if (story.error) continue;
        this.insertStory(serializeStory(story));
      }
    })();
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  private run<T>(fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      throw describeSqliteError(this.file, e);
    }
  }

  // ── catalog ────────────────────────────────────────────────────────────

  /** The library's catalog copy, or null when it has none. */
  catalog(): CatalogIndex | null {
    if (this.catalogCache !== undefined) return this.catalogCache;
    const row = this.run(() => this.db.prepare('SELECT json FROM catalog WHERE id = 1').get() as { json: string } | undefined);
    this.catalogCache = row ? loadCatalog(row.json) : null;
    return this.catalogCache;
  }

  /** When the catalog copy last changed (null when there is none): a stamp for "reload the catalog". */
  catalogStamp(): string | null {
    const row = this.run(() => this.db.prepare('SELECT updated_at FROM catalog WHERE id = 1').get() as { updated_at: string } | undefined);
    return row?.updated_at ?? null;
  }

  /** Replaces the catalog copy (validated). */
  setCatalog(catalog: Catalog): void {
    const json = JSON.stringify(parseCatalog(catalog));
    this.run(() => this.db.prepare('INSERT INTO catalog (id, json, updated_at) VALUES (1, ?, ?) ON CONFLICT(id) DO UPDATE SET json = excluded.json, updated_at = excluded.updated_at').run(json, now()));
    this.catalogCache = undefined;
  }

  // ── stories ────────────────────────────────────────────────────────────

  private insertStory(text: string, id: string = randomUUID()): StoryRecord {
    const f = factsOf(text, this.catalog() ?? undefined);
    const t = now();
    this.db.transaction(() => {
      const info = this.db.prepare(`INSERT INTO stories (id, slug, title, status, beat, dek, text, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`)
        .run(id, f.slug, f.title, f.status, f.beat, f.dek, text, t, t);
      this.db.prepare('INSERT INTO stories_fts (rowid, title, dek, body) VALUES (?, ?, ?, ?)').run(info.lastInsertRowid, f.title, f.dek, f.body);
      this.db.prepare('INSERT INTO revisions (story_id, text, title, created_at) VALUES (?, ?, ?, ?)').run(id, text, f.title, t);
    })();
    return this.getStory(id);
  }

  private reindexAll(): void {
    this.db.exec('DELETE FROM stories_fts');
    const rows = this.db.prepare('SELECT rowid, id, text FROM stories').all() as StoryRow[];
    const update = this.db.prepare('UPDATE stories SET dek = ? WHERE id = ?');
    const insert = this.db.prepare('INSERT INTO stories_fts (rowid, title, dek, body) VALUES (?, ?, ?, ?)');
    const catalog = this.catalog() ?? undefined;
    for (const r of rows) {
      const f = factsOf(r.text, catalog);
      update.run(f.dek, r.id);
      insert.run(r.rowid, f.title, f.dek, f.body);
    }
  }

  private row(id: string): StoryRow {
    const row = this.run(() => this.db.prepare('SELECT rowid, * FROM stories WHERE id = ?').get(id) as StoryRow | undefined);
    if (!row) throw new StudioCallError('not-found', `no story with id ${id}`);
    return row;
  }

  private summary(r: StoryRow): StorySummary {
    return { id: r.id, slug: r.slug, title: r.title, status: r.status, beat: r.beat, updatedAt: r.updated_at, trashed: r.trashed === 1 };
  }

  private latestRevision(id: string): number {
    const r = this.db.prepare('SELECT max(id) AS id FROM revisions WHERE story_id = ?').get(id) as { id: number | null };
    return r.id ?? 0;
  }

  /** Stories, newest first, by status, beat, date of last change (ISO prefix bounds) and trash. */
  listStories(filter: StoryFilter = {}): StorySummary[] {
    const where: string[] = ['trashed = ?'];
    const args: unknown[] = [filter.trashed ? 1 : 0];
    if (filter.status) (where.push('status = ?'), args.push(filter.status));
    if (filter.beat) (where.push('beat = ?'), args.push(filter.beat));
    if (filter.since) (where.push('updated_at >= ?'), args.push(filter.since));
    if (filter.until) (where.push('updated_at < ?'), args.push(filter.until));
    // The summary's columns only: reading every story's text too makes a list of 100,000 five times slower.
    const rows = this.run(() => this.db.prepare(`SELECT rowid, id, slug, title, status, beat, updated_at, trashed FROM stories WHERE ${where.join(' AND ')} ORDER BY updated_at DESC, title`).all(...args) as StoryRow[]);
    return rows.map((r) => this.summary(r));
  }

  getStory(id: string): StoryRecord {
    const r = this.row(id);
    return { ...this.summary(r), text: r.text, revision: this.latestRevision(id) };
  }

  /** The story with this slug (outside the trash first, then the newest), or undefined. */
  storyBySlug(slug: string): StoryRecord | undefined {
    const r = this.run(() => this.db.prepare('SELECT id FROM stories WHERE slug = ? ORDER BY trashed, updated_at DESC LIMIT 1').get(slug) as { id: string } | undefined);
    return r ? this.getStory(r.id) : undefined;
  }

  /** Saves the text as the story with this slug, creating the story when the library has none. */
  putBySlug(slug: string, text: string): StoryRecord {
    const found = this.storyBySlug(slug);
    if (!found) return this.run(() => this.insertStory(text));
    this.saveStory(found.id, text);
    return this.getStory(found.id);
  }

  /** A new story with a title and beat (a draft). */
  createStory(input: { title?: string; beat?: string } = {}): StoryRecord {
    const title = input.title?.trim() || 'Untitled story';
    const lines = ['---', `title: ${JSON.stringify(title)}`];
    if (input.beat) lines.push(`beat: ${input.beat}`);
    lines.push('status: draft', '---', '', '');
    return this.run(() => this.insertStory(lines.join('\n')));
  }

  /** Saves a story's text; every change is a new revision. */
  saveStory(id: string, text: string): SaveResult {
    return this.run(() => {
      const r = this.row(id);
      if (r.text === text) return { revision: this.latestRevision(id), updatedAt: r.updated_at, changed: false, story: this.summary(r) };
      const f = factsOf(text, this.catalog() ?? undefined);
      const t = now();
      let revision = 0;
      this.db.transaction(() => {
        this.db.prepare('UPDATE stories SET slug = ?, title = ?, status = ?, beat = ?, dek = ?, text = ?, updated_at = ? WHERE id = ?')
          .run(f.slug, f.title, f.status, f.beat, f.dek, text, t, id);
        this.db.prepare('DELETE FROM stories_fts WHERE rowid = ?').run(r.rowid);
        this.db.prepare('INSERT INTO stories_fts (rowid, title, dek, body) VALUES (?, ?, ?, ?)').run(r.rowid, f.title, f.dek, f.body);
        revision = Number(this.db.prepare('INSERT INTO revisions (story_id, text, title, created_at) VALUES (?, ?, ?, ?)').run(id, text, f.title, t).lastInsertRowid);
      })();
      return { revision, updatedAt: t, changed: true, story: this.summary(this.row(id)) };
    });
  }

  listRevisions(id: string): RevisionSummary[] {
    this.row(id);
    const rows = this.run(() => this.db.prepare('SELECT id, story_id, title, created_at, length(text) AS size FROM revisions WHERE story_id = ? ORDER BY id DESC').all(id) as Array<{ id: number; story_id: string; title: string; created_at: string; size: number }>);
    return rows.map((r) => ({ id: r.id, storyId: r.story_id, title: r.title, createdAt: r.created_at, size: r.size }));
  }

  getRevision(revisionId: number): RevisionRecord {
    const r = this.run(() => this.db.prepare('SELECT id, story_id, title, created_at, text FROM revisions WHERE id = ?').get(revisionId) as { id: number; story_id: string; title: string; created_at: string; text: string } | undefined);
    if (!r) throw new StudioCallError('not-found', `no revision ${revisionId}`);
    return { id: r.id, storyId: r.story_id, title: r.title, createdAt: r.created_at, size: r.text.length, text: r.text };
  }

  /** Makes an old revision the story's text again (as a new revision: history is never rewritten). */
  restoreRevision(revisionId: number): SaveResult {
    const rev = this.getRevision(revisionId);
    return this.saveStory(rev.storyId, rev.text);
  }

  trashStory(id: string): StorySummary {
    this.row(id);
    this.run(() => this.db.prepare('UPDATE stories SET trashed = 1, updated_at = ? WHERE id = ?').run(now(), id));
    return this.summary(this.row(id));
  }

  restoreStory(id: string): StorySummary {
    this.row(id);
    this.run(() => this.db.prepare('UPDATE stories SET trashed = 0, updated_at = ? WHERE id = ?').run(now(), id));
    return this.summary(this.row(id));
  }

  /**
   * Full-text search over title, dek and body, with snippets; every word of the query is required,
   * each as a prefix. Hits come in tiers: stories whose title holds every word, then those whose
   * title and dek together hold them, then the rest. The first two tiers are ranked by bm25 with
   * the title weighing 10, the dek 4 and the body nothing; the last by bm25 with 10, 4 and 1.
   * `rank` is 1000 × tier + that bm25: lower first, comparable within one search only. A tier is
   * ranked only when the ones before it leave room on the page, so a word found in half of 100,000
   * stories costs bm25 of the few with it in their title, not of every story that mentions it.
   * Snippets are FTS5's snippet(), made in fts-text.ts from the hits' text (docs/decisions.md).
   */
  search(query: string, limit = 50): SearchHit[] {
    const match = ftsQuery(query);
    if (!match) return [];
    return this.run(() => {
      const s = this.searchStatements();
      const hits: Array<SearchHit & { rowid: number }> = [];
      for (const stage of this.searchStages(query, match, limit)) {
        for (let offset = 0, batch = limit - hits.length + 16; hits.length < limit; offset += batch, batch *= 4) {
          const rows = stage(batch, offset);
          // Only the best rows are read from the stories table, skipping the trash.
          const found = new Map((s.live.all(JSON.stringify(rows.map((r) => r.rowid))) as Array<Omit<SearchHit, 'rank' | 'snippet'> & { rowid: number }>).map((r) => [r.rowid, r]));
          for (const r of rows) {
            const story = found.get(r.rowid);
            if (story && hits.length < limit) hits.push({ ...story, snippet: '', rank: r.rank });
          }
          if (rows.length < batch) break;
        }
        if (hits.length >= limit) break;
      }
      if (hits.length === 0) return [];
      // The snippets FTS5's snippet() gives, made from just the hits' indexed text (fts-text.ts).
      const phrases = ftsWords(query).map(ftsPhrase);
      const texts = new Map((s.indexed.all(JSON.stringify(hits.map((h) => h.rowid))) as Array<{ rowid: number; title: string; dek: string; body: string }>)
        .map((r) => [r.rowid, [r.title, r.dek, r.body]]));
      return hits.map(({ rowid, ...hit }) => {
        const t = texts.get(rowid);
        return { ...hit, snippet: t ? ftsSnippet(t, phrases, SNIPPET) : '' };
      });
    });
  }

  /**
   * The tiers of a search as stages, each giving its ranked rows page by page (limit, offset); a
   * stage is asked for only once those before it ran out. Each leaves out the stories of the stages
   * before it, which by then it knows in full.
   */
  private *searchStages(query: string, match: string, limit: number): Generator<SearchStage> {
    const s = this.searchStatements();
    const head = `{title dek}: (${match})`;
    const seen: number[] = [];
    const ranked = (stmt: Database.Statement, m: string, ids: number[], tier: (r: RankedRow) => number): SearchStage => {
      const json = JSON.stringify(ids);
      return (l, o) => (stmt.all({ match: m, ids: json, limit: l, offset: o }) as RankedRow[]).map((r) => (seen.push(r.rowid), { rowid: r.rowid, rank: tier(r) * TIER_STEP + r.rank }));
    };
    if (match.includes(' ')) {
      // Several words: title and dek seldom hold them all. Those that do are found as rowids, told
      // apart (every word in the title, or only in title and dek) on their own text when few, and
      // ranked by bm25 over title and dek in the pass that ranks the rest by bm25 over all three.
      const probe = limit + 16;
      const few = s.idsUpTo.all(head, probe) as number[];
      let inHead = few;
      let inTitle: number[];
      if (few.length < probe) {
        const phrases = ftsWords(query).map(ftsPhrase);
        inTitle = (s.indexedTitles.all(JSON.stringify(few)) as Array<{ rowid: number; title: string }>).filter((t) => holdsEvery(t.title, phrases)).map((t) => t.rowid);
      } else {
        inHead = s.ids.all(head) as number[];
        inTitle = s.ids.all(`{title}: (${match})`) as number[];
      }
      const tiers = { match, t0: JSON.stringify(inTitle), head: JSON.stringify(inHead) };
      const tiered = (only: string | null): SearchStage => (l, o) => s.rankTiers.all({ ...tiers, only, limit: l, offset: o }) as RankedRow[];
      if (inHead.length >= limit) {
        // Enough to fill the page: the title and dek matches alone, then the others.
        yield tiered(tiers.head);
        yield ranked(s.rankExcept, match, inHead, () => 2);
      } else {
        yield tiered(null);
      }
      return;
    }
    // One word: the stories whose title holds it first; bm25 over title and dek as a column filter
    // (for one word, the order of bm25 with weights 10, 4, 0 over whole stories).
    const inTitle = s.ids.all(`{title}: (${match})`) as number[];
    if (inTitle.length >= limit) {
      // Enough to fill the page: bm25 of just those stories, then of the other title and dek matches.
      yield ranked(s.rankOnly, head, inTitle, () => 0);
      yield ranked(s.rankExcept, head, inTitle, () => 1);
    } else {
      yield ranked(s.rankFirst, head, inTitle, (r) => (r.first ? 0 : 1));
    }
    yield ranked(s.rankExcept, match, seen, () => 2);
  }

  private statements: SearchStatements | undefined;

  private searchStatements(): SearchStatements {
    if (this.statements) return this.statements;
    const db = this.db;
    const bm25 = 'bm25(stories_fts, 10.0, 4.0, 1.0)';
    const ids = 'SELECT value FROM json_each(@ids)';
    this.statements = {
      ids: db.prepare('SELECT rowid FROM stories_fts WHERE stories_fts MATCH ?').pluck(),
      rankOnly: db.prepare(`SELECT rowid, ${bm25} AS rank FROM stories_fts WHERE stories_fts MATCH @match AND +rowid IN (${ids}) ORDER BY rank, rowid LIMIT @limit OFFSET @offset`),
      rankFirst: db.prepare(`SELECT rowid, ${bm25} AS rank, +rowid IN (${ids}) AS first FROM stories_fts WHERE stories_fts MATCH @match ORDER BY first DESC, rank, rowid LIMIT @limit OFFSET @offset`),
      rankExcept: db.prepare(`SELECT rowid, ${bm25} AS rank FROM stories_fts WHERE stories_fts MATCH @match AND +rowid NOT IN (${ids}) ORDER BY rank, rowid LIMIT @limit OFFSET @offset`),
      idsUpTo: db.prepare('SELECT rowid FROM stories_fts WHERE stories_fts MATCH ? LIMIT ?').pluck(),
      // Tiers 0 (in @t0), 1 (in @head) and 2 in one rank, each tier by its bm25: over title and
      // dek, or over all three (the tier's step added: |bm25| stays far below it).
      rankTiers: db.prepare(`SELECT rowid,
          CASE WHEN +rowid IN (SELECT value FROM json_each(@head))
            THEN (CASE WHEN +rowid IN (SELECT value FROM json_each(@t0)) THEN 0 ELSE ${TIER_STEP} END) + bm25(stories_fts, 10.0, 4.0, 0.0)
            ELSE ${2 * TIER_STEP} + ${bm25} END AS rank
        FROM stories_fts WHERE stories_fts MATCH @match AND (@only IS NULL OR +rowid IN (SELECT value FROM json_each(@only)))
        ORDER BY rank, rowid LIMIT @limit OFFSET @offset`),
      live: db.prepare('SELECT rowid, id, title, slug, status, beat FROM stories WHERE rowid IN (SELECT value FROM json_each(?)) AND trashed = 0'),
      // The indexed text of a few rows (what snippet() would read), each by its rowid.
      indexed: db.prepare('SELECT rowid, title, dek, body FROM stories_fts WHERE rowid IN (SELECT value FROM json_each(?))'),
      indexedTitles: db.prepare('SELECT rowid, title FROM stories_fts WHERE rowid IN (SELECT value FROM json_each(?))'),
    };
    return this.statements;
  }

  // ── import / export ────────────────────────────────────────────────────

  /** Imports a story file or plain-text export; the report says what happened, never throws for bad input. */
  importText(name: string, text: string): ImportReport {
    const catalog = this.catalog() ?? undefined;
    if (text.includes('\0')) return { name, ok: false, error: `${name}: a binary file, not a story`, notices: [], diagnostics: 0 };
    const story = parseStory(text, { catalog });
    if (story.error) return { name, ok: false, error: `${name}: not a story: ${story.error.message}`, notices: story.notices, diagnostics: 0 };
    const canonical = serializeStory(story);
    const rec = this.insertStory(canonical);
    const diagnostics = lintStory(parseStory(canonical), catalog).length;
    return { name, ok: true, id: rec.id, title: rec.title, notices: story.notices, diagnostics };
  }

  exportStory(id: string, format: 'md' | 'text' | 'html', site?: string): ExportResult {
    const rec = this.getStory(id);
    const catalog = this.catalog() ?? undefined;
    const story = parseStory(rec.text, { catalog });
    const diagnostics = lintStory(story, catalog);
    const base = rec.slug || 'story';
    if (format === 'md') return { format, fileName: `${base}.md`, content: rec.text, diagnostics };
    if (format === 'text') return { format, fileName: `${base}.txt`, content: toPlainText(story, catalog, { site }), diagnostics };
    return { format, fileName: `${base}.html`, content: renderHtml(story, { catalog, site, standalone: true }), diagnostics };
  }

  // ── settings ───────────────────────────────────────────────────────────

  getSetting(key: string): unknown {
    const row = this.run(() => this.db.prepare('SELECT value FROM settings WHERE key = ?').get(key) as { value: string } | undefined);
    return row ? JSON.parse(row.value) : undefined;
  }

  setSetting(key: string, value: unknown): void {
    this.run(() => this.db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, JSON.stringify(value)));
  }
}

/** The words of a search (letters and digits, at most 20), each one a prefix term of its query. */
export function ftsWords(input: string): string[] {
  return (input.normalize('NFKC').match(/[\p{L}\p{N}]+/gu) ?? []).slice(0, 20);
}

/** A safe FTS5 query for free text: every word as a quoted prefix term, all required. */
export function ftsQuery(input: string): string {
  return ftsWords(input).map((w) => `"${w}"*`).join(' ');
}

interface SearchStatements {
  ids: Database.Statement;
  rankOnly: Database.Statement;
  rankFirst: Database.Statement;
  rankExcept: Database.Statement;
  idsUpTo: Database.Statement;
  rankTiers: Database.Statement;
  live: Database.Statement;
  indexed: Database.Statement;
  indexedTitles: Database.Statement;
}

/** snippet(stories_fts, -1, '«', '»', '…', 12): matches in «…», 12 words. */
const SNIPPET = { open: '«', close: '»', ellipsis: '…', tokens: 12 };

interface RankedRow {
  rowid: number;
  rank: number;
  first?: number;
}

/** One tier (or two) of a search: its ranked rows, `limit` from `offset`, each rank with its tier's step. */
type SearchStage = (limit: number, offset: number) => Array<{ rowid: number; rank: number }>;

/** Ranks of a tier start this far after those of the tier before: |bm25| stays far below it. */
const TIER_STEP = 1000;

/**
 * The catalog copy a library file holds, or null when it has none (how the CLI reads a library's
 * catalog; see electron/cli/catalog-choice.ts). A damaged or newer file is a one-line error.
 */
export async function readLibraryCatalog(path: string): Promise<CatalogIndex | null> {
  const lib = Library.open(path, { readonly: true });
  try {
    return lib.catalog();
  } finally {
    lib.close();
  }
}

