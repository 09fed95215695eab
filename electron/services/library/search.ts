import type Database from 'better-sqlite3';
import type { SearchHit } from '../../../shared/api/contract.js';
import { TIER_STEP, WINDOW } from './statements.js';
import type { LibraryContext } from './stories.js';

/**
 * Full-text search of the library's stories. Every word of a query is required, each as a prefix;
 * words in double quotes are a phrase (its last word a prefix, as it is being typed). Hits come in
 * tiers: stories whose title holds every word, then those whose title and dek together hold them,
 * then the rest. The first two tiers are ranked by bm25 with the title weighing 10, the dek 4 and
 * the body nothing; the last by bm25 with 10, 4 and 1. `rank` is 1000 × tier + that bm25: lower
 * first, comparable within one search only. A tier is ranked only when the ones before it leave
 * room on the page; a stage matching more than WINDOW stories is not scored but listed newest
 * first (docs/decisions.md). Snippets are FTS5's own snippet(), on
 * the rows of the final page copied into a scratch FTS5 table (`temp.search_page`).
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
      for (const stage of this.stages(match, limit)) {
        for (let offset = 0, batch = limit - hits.length + 16; hits.length < limit; offset += batch, batch *= 4) {
          const rows = stage(batch, offset);
          // Only the best rows are read from the stories table, skipping the trash.
          const found = new Map((s.get('liveHits').all(JSON.stringify(rows.map((r) => r.rowid))) as Array<Omit<SearchHit, 'rank' | 'snippet'> & { rowid: number }>).map((r) => [r.rowid, r]));
          for (const r of rows) {
            const story = found.get(r.rowid);
            if (story && hits.length < limit) hits.push({ ...story, snippet: '', rank: r.rank });
          }
          if (rows.length < batch) break;
        }
        if (hits.length >= limit) break;
      }
      if (hits.length === 0) return [];
      const snippets = this.onPage(hits.map((h) => h.rowid), () => new Map((s.get('pageSnippets').all(match) as Array<{ rowid: number; snippet: string }>).map((r) => [r.rowid, r.snippet])));
      return hits.map(({ rowid, ...hit }) => ({ ...hit, snippet: snippets.get(rowid) ?? '' }));
    });
  }

  /**
   * Runs `read` with these rows of the index copied into the scratch table, and empties it again
   * (a savepoint rolled back: it nests in a caller's transaction and works read-only too, since
   * the scratch table lives in the connection's temporary schema). FTS5 there gives snippet() and
   * column filters over a page of rows without walking the big index's lists for them.
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

  /** Whether more than WINDOW stories match `m` (found by walking the newest WINDOW matches, without scoring them). */
  private huge(m: string): boolean {
    return this.lib.statements.get('windowEnd').get(m, WINDOW) !== undefined;
  }

  /**
   * The tiers of a search as stages, each giving its ranked rows page by page (limit, offset); a
   * stage is asked for only once those before it ran out. Each leaves out the stories of the stages
   * before it, which by then it knows in full.
   */
  private *stages(match: string, limit: number): Generator<SearchStage> {
    const s = this.lib.statements;
    const head = `{title dek}: (${match})`;
    const title = `{title}: (${match})`;
    const seen: number[] = [];
    const ranked = (stmt: Database.Statement, m: string, params: Record<string, unknown>, tier: (r: RankedRow) => number): SearchStage =>
      (l, o) => (stmt.all({ ...params, match: m, limit: l, offset: o }) as RankedRow[]).map((r) => (seen.push(r.rowid), { rowid: r.rowid, rank: tier(r) * TIER_STEP + r.rank }));
    const ids = (list: number[]) => ({ ids: JSON.stringify(list) });
    /** `m`'s matches not yet seen, newest first, in tier `tier` (built when the stage before it ran out). */
    const newest = function* (m: string, tier: number): Generator<SearchStage> {
      const except = JSON.stringify(seen);
      yield (l, o) => (s.get('newestMatches').all({ match: m, ids: except, limit: l, offset: o }) as number[])
        .map((rowid, i) => (seen.push(rowid), { rowid, rank: tier * TIER_STEP + (o + i) / 1e6 }));
    };
    // One walk of the title and dek matches (they are few but for the commonest words): over WINDOW
    // of them, every tier is listed newest first; none, and only the body tier is left.
    const inHead = s.get('newestIds').all(head, WINDOW + 1) as number[];
    if (inHead.length > WINDOW) {
      yield* newest(title, 0);
      yield* newest(head, 1);
      yield* newest(match, 2);
      return;
    }
    if (inHead.length > 0 && match.includes(' ')) {
      // Several words or a phrase: title and dek seldom hold them all. Those that do are told apart
      // (every word in the title, or only in title and dek) by a column filter, over their own text
      // when few, and ranked by bm25 over title and dek in the pass that ranks the rest by bm25
      // over all three.
      const inTitle = inHead.length <= limit + 16 ? this.onPage(inHead, () => s.get('pageMatchIds').all(title) as number[]) : s.get('matchIds').all(title) as number[];
      const tiers = { t0: JSON.stringify(inTitle), head: JSON.stringify(inHead) };
      const many = this.huge(match);
      if (inHead.length >= limit || many) {
        // The title and dek matches alone (enough to fill the page, or the rest too many to score), then the others.
        yield ranked(s.get('rankTiers'), match, { ...tiers, only: tiers.head }, () => 0);
        if (many) yield* newest(match, 2);
        else yield ranked(s.get('rankExcept'), match, ids(inHead), () => 2);
      } else {
        yield ranked(s.get('rankTiers'), match, { ...tiers, only: null }, () => 0);
      }
      return;
    }
    if (inHead.length > 0) {
      // One word: the stories whose title holds it first; bm25 over title and dek as a column
      // filter (for one word, the order of bm25 with weights 10, 4, 0 over whole stories).
      const inTitle = s.get('matchIds').all(title) as number[];
      if (inTitle.length >= limit) {
        // Enough to fill the page: bm25 of just those stories, then of the other title and dek matches.
        yield ranked(s.get('rankOnly'), head, ids(inTitle), () => 0);
        yield ranked(s.get('rankExcept'), head, ids(inTitle), () => 1);
      } else {
        yield ranked(s.get('rankFirst'), head, ids(inTitle), (r) => (r.first ? 0 : 1));
      }
    }
    // The body tier, reached once the stages before ran out (`seen` then holds every title and dek match).
    if (this.huge(match)) yield* newest(match, 2);
    else yield ranked(s.get('rankExcept'), match, ids(inHead), () => 2);
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
  input.normalize('NFKC').split('"').forEach((part, i) => {
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
