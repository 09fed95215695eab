import type Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { createStory, lintStory, parseStory, renderHtml, serializeStory, toPlainText, type CatalogIndex, type Story } from '../../../shared/index.js';
import type {
  ExportResult,
  ImportReport,
  RevisionRecord,
  RevisionSummary,
  SaveResult,
  StoryPage,
  StoryRecord,
  StorySummary,
} from '../../../shared/api/contract.js';
import { StudioCallError } from '../../../shared/api/contract.js';
import { factsOf } from './facts.js';
import type { Statements } from './statements.js';

export interface StoryFilter {
  status?: string;
  beat?: string;
  since?: string;
  until?: string;
  trashed?: boolean;
  /** The newest this many only. */
  limit?: number;
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

/** What the stories need of the library: its connection, statements and catalog, and its error wrapper. */
export interface LibraryContext {
  readonly db: Database.Database;
  readonly statements: Statements;
  catalog(): CatalogIndex | null;
  /** Runs `fn`, turning SQLite's errors into one-line LibraryErrors naming the file. */
  run<T>(fn: () => T): T;
}

/** The summary's columns only: reading every story's text too makes a list of 100,000 five times slower. */
const SUMMARY_COLUMNS = 'rowid, id, slug, title, status, beat, updated_at, trashed';
/** The list's order, newest first; the id makes it total (a page never repeats or skips a row of equal date and title). */
const LIST_ORDER = 'updated_at DESC, title, id';

function whereOf(filter: StoryFilter): { where: string; args: unknown[] } {
  const where: string[] = ['trashed = ?'];
  const args: unknown[] = [filter.trashed ? 1 : 0];
  if (filter.status) (where.push('status = ?'), args.push(filter.status));
  if (filter.beat) (where.push('beat = ?'), args.push(filter.beat));
  if (filter.since) (where.push('updated_at >= ?'), args.push(filter.since));
  if (filter.until) (where.push('updated_at < ?'), args.push(filter.until));
  return { where: where.join(' AND '), args };
}

function now(): string {
  return new Date().toISOString();
}

function summary(r: StoryRow): StorySummary {
  return { id: r.id, slug: r.slug, title: r.title, status: r.status, beat: r.beat, updatedAt: r.updated_at, trashed: r.trashed === 1 };
}

/** Stories and their revisions: every change to a story's text is a new revision and a re-index. */
export class Stories {
  constructor(private readonly lib: LibraryContext) {}

  private catalog(): CatalogIndex | undefined {
    return this.lib.catalog() ?? undefined;
  }

  private get s(): Statements {
    return this.lib.statements;
  }

  insert(text: string, id: string = randomUUID()): StoryRecord {
    const f = factsOf(text, this.catalog());
    const t = now();
    this.lib.db.transaction(() => {
      const info = this.s.get('insertStory').run(id, f.slug, f.title, f.status, f.beat, f.dek, text, t, t);
      this.s.get('insertIndexed').run(info.lastInsertRowid, f.title, f.dek, f.body);
      this.s.get('insertRevision').run(id, text, f.title, t);
    })();
    return this.get(id);
  }

  /** Indexes every story again (a library migrated from before full-text search). */
  reindexAll(): void {
    const db = this.lib.db;
    db.exec('DELETE FROM stories_fts');
    const rows = db.prepare('SELECT rowid, id, text FROM stories').all() as StoryRow[];
    const update = db.prepare('UPDATE stories SET dek = ? WHERE id = ?');
    const catalog = this.catalog();
    for (const r of rows) {
      const f = factsOf(r.text, catalog);
      update.run(f.dek, r.id);
      this.s.get('insertIndexed').run(r.rowid, f.title, f.dek, f.body);
    }
  }

  private row(id: string): StoryRow {
    const row = this.lib.run(() => this.s.get('storyRow').get(id) as StoryRow | undefined);
    if (!row) throw new StudioCallError('not-found', `no story with id ${id}`);
    return row;
  }

  private latestRevision(id: string): number {
    const r = this.s.get('latestRevision').get(id) as { id: number | null };
    return r.id ?? 0;
  }

  /** Stories, newest first, by status, beat, date of last change (ISO prefix bounds) and trash. */
  list(filter: StoryFilter = {}): StorySummary[] {
    const { where, args } = whereOf(filter);
    if (filter.limit) args.push(filter.limit);
    const sql = `SELECT ${SUMMARY_COLUMNS} FROM stories WHERE ${where} ORDER BY ${LIST_ORDER}${filter.limit ? ' LIMIT ?' : ''}`;
    const rows = this.lib.run(() => this.s.sql(sql).all(...args) as StoryRow[]);
    return rows.map(summary);
  }

  /**
   * The rows `offset` to `offset + limit` of the list `list(filter)` gives, and how many stories
   * the list holds, read together (one snapshot): what a virtualised list draws, whatever the
   * library's size. Both read the list's index (stories_list) alone.
   */
  page(filter: StoryFilter, offset: number, limit: number): StoryPage {
    const { where, args } = whereOf(filter);
    const rowsSql = `SELECT ${SUMMARY_COLUMNS} FROM stories WHERE ${where} ORDER BY ${LIST_ORDER} LIMIT ? OFFSET ?`;
    // The length from the counts the triggers keep (schema.ts, 6 → 7), but for date bounds.
    const byDate = filter.since !== undefined || filter.until !== undefined;
    const countSql = byDate ? `SELECT count(*) FROM stories WHERE ${where}` : `SELECT coalesce(sum(n), 0) FROM story_counts WHERE ${where}`;
    return this.lib.run(() =>
      this.lib.db.transaction(() => {
        const total = this.s.sql(countSql, true).get(...args) as number;
        const rows = this.s.sql(rowsSql).all(...args, limit, offset) as StoryRow[];
        return { total, offset, stories: rows.map(summary) };
      })(),
    );
  }

  get(id: string): StoryRecord {
    const r = this.row(id);
    return { ...summary(r), text: r.text, revision: this.latestRevision(id) };
  }

  /** The story with this slug (outside the trash first, then the newest), or undefined. */
  bySlug(slug: string): StoryRecord | undefined {
    const r = this.lib.run(() => this.s.get('storyBySlug').get(slug) as { id: string } | undefined);
    return r ? this.get(r.id) : undefined;
  }

  /** Saves the text as the story with this slug, creating the story when the library has none. */
  putBySlug(slug: string, text: string): StoryRecord {
    const found = this.bySlug(slug);
    if (!found) return this.lib.run(() => this.insert(text));
    this.save(found.id, text);
    return this.get(found.id);
  }

  /**
   * A new draft with a title and beat, written by the shared story core (the yaml Document API
   * quotes what needs quoting: a title with `: ` or `#` reads back as typed).
   */
  create(input: { title?: string; beat?: string } = {}): StoryRecord {
    const title = input.title?.trim() || 'Untitled story';
    const beat = input.beat?.trim() || undefined;
    const text = serializeStory(createStory({ title, beat, status: 'draft' }, '\n'));
    return this.lib.run(() => this.insert(text));
  }

  /** Saves a story's text; every change is a new revision. */
  save(id: string, text: string): SaveResult {
    return this.lib.run(() => {
      const r = this.row(id);
      if (r.text === text) return { revision: this.latestRevision(id), updatedAt: r.updated_at, changed: false, story: summary(r) };
      const f = factsOf(text, this.catalog());
      const t = now();
      let revision = 0;
      this.lib.db.transaction(() => {
        this.s.get('updateStory').run(f.slug, f.title, f.status, f.beat, f.dek, text, t, id);
        this.s.get('deleteIndexed').run(r.rowid);
        this.s.get('insertIndexed').run(r.rowid, f.title, f.dek, f.body);
        revision = Number(this.s.get('insertRevision').run(id, text, f.title, t).lastInsertRowid);
      })();
      return { revision, updatedAt: t, changed: true, story: summary(this.row(id)) };
    });
  }

  revisions(id: string): RevisionSummary[] {
    this.row(id);
    const rows = this.lib.run(
      () => this.s.get('listRevisions').all(id) as Array<{ id: number; story_id: string; title: string; created_at: string; size: number }>,
    );
    return rows.map((r) => ({ id: r.id, storyId: r.story_id, title: r.title, createdAt: r.created_at, size: r.size }));
  }

  revision(revisionId: number): RevisionRecord {
    const r = this.lib.run(
      () => this.s.get('getRevision').get(revisionId) as { id: number; story_id: string; title: string; created_at: string; text: string } | undefined,
    );
    if (!r) throw new StudioCallError('not-found', `no revision ${revisionId}`);
    return { id: r.id, storyId: r.story_id, title: r.title, createdAt: r.created_at, size: r.text.length, text: r.text };
  }

  /** Makes an old revision the story's text again (as a new revision: history is never rewritten). */
  restoreRevision(revisionId: number): SaveResult {
    const rev = this.revision(revisionId);
    return this.save(rev.storyId, rev.text);
  }

  /** Moves a story to the trash (`true`) or back out of it. */
  setTrashed(id: string, trashed: boolean): StorySummary {
    this.row(id);
    this.lib.run(() => this.s.get('setTrashed').run(trashed ? 1 : 0, now(), id));
    return summary(this.row(id));
  }

  /**
   * A story file or plain-text export read as the import reads it, with the library's catalog (a
   * beat's display name in an export maps back to its slug); `text` is the story file the library
   * keeps: a story file as written, an export written as a story file.
   */
  readStoryText(text: string): { story: Story; text: string } {
    const story = parseStory(text, { catalog: this.catalog() });
    return { story, text: story.error || story.format === 'md' ? text : serializeStory(story) };
  }

  /** Imports a story file or plain-text export; the report says what happened, never throws for bad input. */
  importText(name: string, text: string): ImportReport {
    const catalog = this.catalog();
    if (text.includes('\0')) return { name, ok: false, error: `${name}: a binary file, not a story`, notices: [], diagnostics: 0 };
    const { story } = this.readStoryText(text);
    if (story.error) return { name, ok: false, error: `${name}: not a story: ${story.error.message}`, notices: story.notices, diagnostics: 0 };
    const canonical = serializeStory(story);
    const rec = this.insert(canonical);
    const diagnostics = lintStory(parseStory(canonical), catalog).length;
    return { name, ok: true, id: rec.id, title: rec.title, notices: story.notices, diagnostics };
  }

  /**
   * Imports files in one transaction (one commit for the lot, not one each); every file gets its
   * report, in order: one that fails (bad input, or a write refused) is said and the others go on.
   */
  importMany(files: ReadonlyArray<{ name: string; text: string }>): ImportReport[] {
    return this.lib.run(() =>
      this.lib.db.transaction(() =>
        files.map((f) => {
          try {
            return this.importText(f.name, f.text);
          } catch (e) {
            return { name: f.name, ok: false, error: `${f.name}: ${(e as Error).message}`, notices: [], diagnostics: 0 };
          }
        }),
      )(),
    );
  }

  export(id: string, format: 'md' | 'text' | 'html', site?: string): ExportResult {
    const rec = this.get(id);
    const catalog = this.catalog();
    const story = parseStory(rec.text, { catalog });
    const diagnostics = lintStory(story, catalog);
    const base = rec.slug || 'story';
    if (format === 'md') return { format, fileName: `${base}.md`, content: rec.text, diagnostics };
    if (format === 'text') return { format, fileName: `${base}.txt`, content: toPlainText(story, catalog, { site }), diagnostics };
    return { format, fileName: `${base}.html`, content: renderHtml(story, { catalog, site, standalone: true }), diagnostics };
  }
}
