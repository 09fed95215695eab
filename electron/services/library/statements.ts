import type Database from 'better-sqlite3';
import { FTS_TOKENIZE } from './schema.js';

/**
 * Every statement the library runs, by name: prepared on first use and kept for the connection (a
 * read-only library of an old version never prepares the ones naming tables it lacks). Search's
 * statements take named parameters; `pluck` ones give the first column only.
 */
/** Ranks of a search tier start this far after those of the tier before: |bm25| stays far below it. */
export const TIER_STEP = 1000;
/**
 * A search stage matching more stories than this is listed newest first, not ranked by bm25:
 * FTS5 has no top-k, scores every match before sorting and first counts each term's matches for
 * its IDF, so a word in most of 100,000 stories would cost ~90 ms (docs/decisions.md).
 */
export const WINDOW = 2000;
/** bm25 with the title weighing 10, the dek 4 and the body 1. */
const BM25 = 'bm25(stories_fts, 10.0, 4.0, 1.0)';
const IDS = 'SELECT value FROM json_each(@ids)';

const SQL = {
  catalog: 'SELECT json FROM catalog WHERE id = 1',
  catalogStamp: 'SELECT updated_at FROM catalog WHERE id = 1',
  setCatalog:
    'INSERT INTO catalog (id, json, updated_at) VALUES (1, ?, ?) ON CONFLICT(id) DO UPDATE SET json = excluded.json, updated_at = excluded.updated_at',
  getSetting: 'SELECT value FROM settings WHERE key = ?',
  setSetting: 'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',

  insertStory: 'INSERT INTO stories (id, slug, title, status, beat, dek, text, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
  updateStory: 'UPDATE stories SET slug = ?, title = ?, status = ?, beat = ?, dek = ?, text = ?, updated_at = ? WHERE id = ?',
  setTrashed: 'UPDATE stories SET trashed = ?, updated_at = ? WHERE id = ?',
  storyRow: 'SELECT rowid, * FROM stories WHERE id = ?',
  storyBySlug: 'SELECT id FROM stories WHERE slug = ? ORDER BY trashed, updated_at DESC LIMIT 1',
  insertIndexed: 'INSERT INTO stories_fts (rowid, title, dek, body) VALUES (?, ?, ?, ?)',
  deleteIndexed: 'DELETE FROM stories_fts WHERE rowid = ?',
  insertRevision: 'INSERT INTO revisions (story_id, text, title, created_at) VALUES (?, ?, ?, ?)',
  latestRevision: 'SELECT max(id) AS id FROM revisions WHERE story_id = ?',
  listRevisions: 'SELECT id, story_id, title, created_at, length(text) AS size FROM revisions WHERE story_id = ? ORDER BY id DESC',
  getRevision: 'SELECT id, story_id, title, created_at, text FROM revisions WHERE id = ?',

  // Search (search.ts): ranked pages of a MATCH, and the page's stories.
  rankExcept: `SELECT rowid, ${BM25} AS rank FROM stories_fts WHERE stories_fts MATCH @match AND +rowid NOT IN (${IDS}) ORDER BY rank, rowid LIMIT @limit OFFSET @offset`,
  // The titles-and-deks index (heads_fts): its newest matches, its matches, and tiers 0 (in @ids) and 1 ranked.
  headNewestIds: 'SELECT rowid FROM heads_fts WHERE heads_fts MATCH ? ORDER BY rowid DESC LIMIT ?',
  headMatchIds: 'SELECT rowid FROM heads_fts WHERE heads_fts MATCH ?',
  headRankFirst: `SELECT rowid, bm25(heads_fts, 10.0, 4.0) AS rank, +rowid IN (${IDS}) AS first FROM heads_fts WHERE heads_fts MATCH @match ORDER BY first DESC, rank, rowid LIMIT @limit OFFSET @offset`,
  headNewestMatches: `SELECT rowid FROM heads_fts WHERE heads_fts MATCH @match AND +rowid NOT IN (${IDS}) ORDER BY rowid DESC LIMIT @limit OFFSET @offset`,
  // `+trashed`: else the planner reads the trashed = 0 half of the list index (stories_list, which
  // holds these columns) and filters 100,000 rows by rowid (≈ 20 ms) instead of looking up ≤ 66 rowids.
  liveHits: 'SELECT rowid, id, title, slug, status, beat FROM stories WHERE rowid IN (SELECT value FROM json_each(?)) AND +trashed = 0',
  // Matches newest first: the first ones, and a page of those not yet seen.
  newestIds: 'SELECT rowid FROM stories_fts WHERE stories_fts MATCH ? ORDER BY rowid DESC LIMIT ?',
  newestMatches: `SELECT rowid FROM stories_fts WHERE stories_fts MATCH @match AND +rowid NOT IN (${IDS}) ORDER BY rowid DESC LIMIT @limit OFFSET @offset`,
  // The scratch table (SCRATCH_TABLE) holding a page of rows: FTS5's snippet() over just those.
  fillPage:
    'INSERT INTO temp.search_page (rowid, title, dek, body) SELECT rowid, title, dek, body FROM stories_fts WHERE rowid IN (SELECT value FROM json_each(?))',
  pageSnippets: `SELECT rowid, snippet(search_page, -1, '«', '»', '…', 12) AS snippet FROM temp.search_page WHERE search_page MATCH ?`,
} as const;

/** Statements giving their first column only. */
const PLUCK: ReadonlySet<StatementName> = new Set<StatementName>(['newestIds', 'newestMatches', 'headNewestIds', 'headMatchIds', 'headNewestMatches']);

export type StatementName = keyof typeof SQL;

/**
 * A scratch FTS5 table in the connection's temporary schema, with the index's tokenizer, for a
 * page of rows: snippet() reads only the row it is given, so its snippets equal the index's.
 */
const SCRATCH_TABLE = `CREATE VIRTUAL TABLE IF NOT EXISTS temp.search_page USING fts5(title, dek, body, tokenize = '${FTS_TOKENIZE}')`;

export class Statements {
  readonly scratchTable = SCRATCH_TABLE;

  private readonly cache = new Map<string, Database.Statement>();

  constructor(private readonly db: Database.Database) {}

  get(name: StatementName): Database.Statement {
    return this.sql(SQL[name], PLUCK.has(name));
  }

  /** A statement built from parts known only at run time (a list's filters): cached by its text. */
  sql(text: string, pluck = false): Database.Statement {
    const key = pluck ? `pluck:${text}` : text;
    let stmt = this.cache.get(key);
    if (!stmt) {
      stmt = this.db.prepare(text);
      if (pluck) stmt.pluck();
      this.cache.set(key, stmt);
    }
    return stmt;
  }
}
