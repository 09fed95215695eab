import type Database from 'better-sqlite3';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadCatalog, parseCatalog, parseStory, serializeStory, type Catalog, type CatalogIndex, type Story } from '../../../shared/index.js';
import type {
  ExportResult,
  ImportReport,
  RevisionRecord,
  RevisionSummary,
  SaveResult,
  SearchHit,
  StoryPage,
  StoryRecord,
  StorySummary,
} from '../../../shared/api/contract.js';
import { describeSqliteError } from './errors.js';
import { openDatabase, type OpenLibraryOptions } from './open.js';
import { Search } from './search.js';
import { Statements } from './statements.js';
import { Stories, type LibraryContext, type StoryFilter } from './stories.js';

/**
 * A Newsdesk Studio library: one SQLite file (WAL) holding stories, every saved revision, a copy of
 * the catalog and settings, with full-text search. Opening (open.ts) refuses locked, read-only,
 * damaged and newer files with a one-line error, and never rewrites them; stories and revisions
 * live in stories.ts, search in search.ts, every statement in statements.ts. This class holds the
 * connection, the catalog copy and settings, and is the one entry the services use.
 */
export class Library implements LibraryContext {
  readonly statements: Statements;
  private readonly stories: Stories;
  private readonly finder: Search;
  private catalogCache: CatalogIndex | null | undefined;

  private constructor(
    readonly file: string,
    readonly db: Database.Database,
  ) {
    this.statements = new Statements(db);
    this.stories = new Stories(this);
    this.finder = new Search(this);
  }

  /** Opens (creating and seeding when new) the library at `file`. */
  static open(file: string, options: OpenLibraryOptions = {}): Library {
    let lib: Library | undefined;
    const { db, isNew } = openDatabase(file, options, (opened) => {
      lib = new Library(file, opened.db);
      if (opened.reindex) lib.stories.reindexAll();
    });
    lib ??= new Library(file, db);
    if (isNew && options.seed && !options.readonly) {
      try {
        lib.seed(options.seed.catalogPath, options.seed.storiesDir);
      } catch (e) {
        db.close();
        throw describeSqliteError(file, e);
      }
    }
    return lib;
  }

  /** Fills a new library with the sample catalog and stories. */
  private seed(catalogPath: string, storiesDir?: string): void {
    this.setCatalog(parseCatalog(readFileSync(catalogPath, 'utf8')));
    if (!storiesDir || !existsSync(storiesDir)) return;
    const catalog = this.catalog() ?? undefined;
    const files = readdirSync(storiesDir)
      .filter((f) => /\.(md|txt)$/i.test(f) && f.toLowerCase() !== 'readme.md')
      .sort();
    this.db.transaction(() => {
      for (const f of files) {
        const story = parseStory(readFileSync(join(storiesDir, f), 'utf8'), { catalog });
        if (!story.error) this.stories.insert(serializeStory(story));
      }
    })();
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  run<T>(fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      throw describeSqliteError(this.file, e);
    }
  }

  // ── catalog and settings ───────────────────────────────────────────────

  /** The library's catalog copy, or null when it has none. */
  catalog(): CatalogIndex | null {
    if (this.catalogCache === undefined) {
      const row = this.run(() => this.statements.get('catalog').get() as { json: string } | undefined);
      this.catalogCache = row ? loadCatalog(row.json) : null;
    }
    return this.catalogCache;
  }

  /** When the catalog copy last changed (null when there is none): a stamp for "reload the catalog". */
  catalogStamp(): string | null {
    const row = this.run(() => this.statements.get('catalogStamp').get() as { updated_at: string } | undefined);
    return row?.updated_at ?? null;
  }

  /** Replaces the catalog copy (validated). */
  setCatalog(catalog: Catalog): void {
    const json = JSON.stringify(parseCatalog(catalog));
    this.run(() => this.statements.get('setCatalog').run(json, new Date().toISOString()));
    this.catalogCache = undefined;
  }

  getSetting(key: string): unknown {
    const row = this.run(() => this.statements.get('getSetting').get(key) as { value: string } | undefined);
    return row ? JSON.parse(row.value) : undefined;
  }

  setSetting(key: string, value: unknown): void {
    this.run(() => this.statements.get('setSetting').run(key, JSON.stringify(value)));
  }

  // ── stories, revisions, search (stories.ts, search.ts) ─────────────────

  listStories(filter?: StoryFilter): StorySummary[] {
    return this.stories.list(filter);
  }
  listStoryPage(filter: StoryFilter, offset: number, limit: number): StoryPage {
    return this.stories.page(filter, offset, limit);
  }
  getStory(id: string): StoryRecord {
    return this.stories.get(id);
  }
  storyBySlug(slug: string): StoryRecord | undefined {
    return this.stories.bySlug(slug);
  }
  putBySlug(slug: string, text: string): StoryRecord {
    return this.stories.putBySlug(slug, text);
  }
  createStory(input?: { title?: string; beat?: string }): StoryRecord {
    return this.stories.create(input);
  }
  saveStory(id: string, text: string): SaveResult {
    return this.stories.save(id, text);
  }
  listRevisions(id: string): RevisionSummary[] {
    return this.stories.revisions(id);
  }
  getRevision(revisionId: number): RevisionRecord {
    return this.stories.revision(revisionId);
  }
  restoreRevision(revisionId: number): SaveResult {
    return this.stories.restoreRevision(revisionId);
  }
  trashStory(id: string): StorySummary {
    return this.stories.setTrashed(id, true);
  }
  restoreStory(id: string): StorySummary {
    return this.stories.setTrashed(id, false);
  }
  importText(name: string, text: string): ImportReport {
    return this.stories.importText(name, text);
  }
  importFiles(files: ReadonlyArray<{ name: string; text: string }>): ImportReport[] {
    return this.stories.importMany(files);
  }
  readStoryText(text: string): { story: Story; text: string } {
    return this.stories.readStoryText(text);
  }
  exportStory(id: string, format: 'md' | 'text' | 'html', site?: string): ExportResult {
    return this.stories.export(id, format, site);
  }
  search(query: string, limit?: number): SearchHit[] {
    return this.finder.run(query, limit);
  }
}

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
