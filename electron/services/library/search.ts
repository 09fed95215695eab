import type Database from 'better-sqlite3';
import type { SearchHit } from '../../../shared/api/contract.js';
import { TIER_STEP, WINDOW } from './statements.js';
import type { LibraryContext } from './stories.js';

/**
 * Full-text search of the library's stories. Every word of a query is required, each as a prefix;
 * words in double quotes are a phrase (its last word a prefix, as it is being typed). Hits come in
 * tiers: stories whose title holds every word, then those whose title and dek together hold them,
 * then the rest. The first two tiers are ranked by bm25 over the titles-and-deks index (heads_fts)
 * with the title weighing 10 and the dek 4; the last by bm25 over stories_fts with 10, 4 and 1.
 * `rank` is 1000 × tier + that bm25: lower first, comparable within one search only. A tier is
 * ranked only when the ones before it leave room on the page; one matching more than WINDOW
 * stories is not scored but listed newest first (docs/decisions.md). Snippets are FTS5's own
 * snippet(), on the rows of the final page copied into a scratch FTS5 table (`temp.search_page`).
 */
export class Search {
  private scratchReady = false;

  constructor(private readonly lib: LibraryContext) {}

  run(query: string, limit = 50): SearchHit[] {
    const match = ftsQuery(query);
    if (!match) return [];
    return this.lib.run(() => {
      const s = this.lib.statements;
      const hits: Array<SearchHit & { rowid: number }> = [];
      for (const stage of this.stages(match)) {
        for (let offset = 0, batch = limit - hits.length + 16; hits.length < limit; offset += batch, batch *= 4) {
          const rows = stage(batch, offset);
          // Only the best rows are read from the stories table, skipping the trash.
          const found = new Map(
            (s.get('liveHits').all(JSON.stringify(rows.map((r) => r.rowid))) as Array<Omit<SearchHit, 'rank' | 'snippet'> & { rowid: number }>).map((r) => [
              r.rowid,
              r,
            ]),
          );
          for (const r of rows) {
            const story = found.get(r.rowid);
            if (story && hits.length < limit) hits.push({ ...story, snippet: '', rank: r.rank });
          }
          if (rows.length < batch) break;
        }
        if (hits.length >= limit) break;
      }
      if (hits.length === 0) return [];
      const snippets = this.onPage(
        hits.map((h) => h.rowid),
        () => new Map((s.get('pageSnippets').all(match) as Array<{ rowid: number; snippet: string }>).map((r) => [r.rowid, r.snippet])),
      );
      return hits.map(({ rowid, ...hit }) => ({ ...hit, snippet: snippets.get(rowid) ?? '' }));
    });
  }

  /**
   * Runs `read` with these rows of the index copied into the scratch table, and empties it again
   * (a savepoint rolled back: it nests in a caller's transaction and works read-only too, since
   * the scratch table lives in the connection's temporary schema). FTS5 there gives snippet() over
   * a page of rows without walking the big index's lists for them.
   */
  private onPage<T>(rowids: number[], read: () => T): T {
    const { db, statements: s } = this.lib;
    if (!this.scratchReady) {
      db.exec(s.scratchTable);
      this.scratchReady = true;
    }
    db.exec('SAVEPOINT search_page');
    try {
      s.get('fillPage').run(JSON.stringify(rowids));
      return read();
    } finally {
      db.exec('ROLLBACK TO search_page; RELEASE search_page');
    }
  }

  /**
   * The tiers of a search as stages, each giving its ranked rows page by page (limit, offset); a
   * stage is asked for only once those before it ran out. Each leaves out the stories of the stages
   * before it, which by then it knows in full. The first two tiers are asked of heads_fts, the
   * small index of titles and deks alone, where even a stop word's list is short; the body tier of
   * stories_fts.
   */
  private *stages(match: string): Generator<SearchStage> {
    const s = this.lib.statements;
    const title = `{title}: (${match})`;
    const seen: number[] = [];
    const ranked =
      (stmt: Database.Statement, params: Record<string, unknown>, tier: (r: RankedRow) => number): SearchStage =>
      (l, o) =>
        (stmt.all({ ...params, limit: l, offset: o }) as RankedRow[]).map((r) => (seen.push(r.rowid), { rowid: r.rowid, rank: tier(r) * TIER_STEP + r.rank }));
    /** `m`'s matches in `stmt`'s index not yet seen, newest first, in tier `tier` (built when the stage before it ran out). */
    const newest = function* (stmt: Database.Statement, m: string, tier: number): Generator<SearchStage> {
      const except = JSON.stringify(seen);
      yield (l, o) =>
        (stmt.all({ match: m, ids: except, limit: l, offset: o }) as number[]).map(
          (rowid, i) => (seen.push(rowid), { rowid, rank: tier * TIER_STEP + (o + i) / 1e6 }),
        );
    };
    /**
     * The body tier (built once the stages before ran out: `seen` then holds every title and dek
     * match): bm25 over at most WINDOW matches, else newest first. One walk of the newest
     * WINDOW + 1 decides and is the list's start (a prefix term longer than the prefix indexes
     * merges its words' lists again in every statement: ≈ 2.5 ms for a common one).
     */
    const body = function* (): Generator<SearchStage> {
      const start = s.get('newestIds').all(match, WINDOW + 1) as number[];
      if (start.length <= WINDOW) {
        yield ranked(s.get('rankExcept'), { match, ids: JSON.stringify(seen) }, () => 2);
        return;
      }
      const known = new Set(seen);
      const fresh = start.filter((rowid) => !known.has(rowid));
      const except = JSON.stringify(seen);
      // Past the walk's end (a page beyond the newest WINDOW, or one thinned by the trash) the list goes on in SQL.
      yield (l, o) => {
        const from = Math.max(o, fresh.length);
        const rest = o + l > fresh.length ? (s.get('newestMatches').all({ match, ids: except, limit: o + l - from, offset: from }) as number[]) : [];
        return [...fresh.slice(o, o + l), ...rest].map((rowid, i) => (seen.push(rowid), { rowid, rank: 2 * TIER_STEP + (o + i) / 1e6 }));
      };
    };
    // One walk of the newest title and dek matches: over WINDOW of them (a common word or a short
    // prefix), every tier is listed newest first; none, and only the body tier is left.
    const inHead = s.get('headNewestIds').all(match, WINDOW + 1) as number[];
    if (inHead.length > WINDOW) {
      yield* newest(s.get('headNewestMatches'), title, 0);
      yield* newest(s.get('headNewestMatches'), match, 1);
      yield* body();
      return;
    }
    if (inHead.length > 0) {
      // The stories whose title holds every word first, then those whose title and dek together
      // do, each by bm25 over title (10) and dek (4): at most WINDOW short rows to score.
      const inTitle = s.get('headMatchIds').all(title) as number[];
      yield ranked(s.get('headRankFirst'), { match, ids: JSON.stringify(inTitle) }, (r) => (r.first ? 0 : 1));
    }
    yield* body();
  }
}

/** At most this many words in a query: each is a term FTS5 intersects. */
const MAX_WORDS = 20;

/** The words of some text as a query takes them: letters and digits. */
function words(text: string): string[] {
  return text.match(/[\p{L}\p{N}]+/gu) ?? [];
}

/**
 * A safe FTS5 query for free text: every word a quoted prefix term, all required; the words
 * between double quotes (an unclosed quote runs to the end) one phrase whose last word is a prefix.
 */
export function ftsQuery(input: string): string {
  const terms: string[] = [];
  let left = MAX_WORDS;
  input
    .normalize('NFKC')
    .split('"')
    .forEach((part, i) => {
      const w = words(part).slice(0, left);
      left -= w.length;
      if (w.length === 0) return;
      if (i % 2 === 1) terms.push(`"${w.join(' ')}"*`);
      else for (const x of w) terms.push(`"${x}"*`);
    });
  return terms.join(' ');
}

interface RankedRow {
  rowid: number;
  rank: number;
  first?: number;
}

/** One tier (or two) of a search: its ranked rows, `limit` from `offset`, each rank with its tier's step. */
type SearchStage = (limit: number, offset: number) => Array<{ rowid: number; rank: number }>;
