import type Database from 'better-sqlite3';
import type { SearchHit } from '../../../shared/api/contract.js';
import { ftsPhrase, ftsSnippet, holdsEvery } from './fts-text.js';
import { TIER_STEP } from './statements.js';
import type { LibraryContext } from './stories.js';

/** Full-text search of the library's stories. */
export class Search {
  constructor(private readonly lib: LibraryContext) {}

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
  run(query: string, limit = 50): SearchHit[] {
    const match = ftsQuery(query);
    if (!match) return [];
    return this.lib.run(() => {
      const s = this.lib.statements;
      const hits: Array<SearchHit & { rowid: number }> = [];
      for (const stage of this.searchStages(query, match, limit)) {
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
      // The snippets FTS5's snippet() gives, made from just the hits' indexed text (fts-text.ts).
      const phrases = ftsWords(query).map(ftsPhrase);
      const texts = new Map((s.get('indexed').all(JSON.stringify(hits.map((h) => h.rowid))) as Array<{ rowid: number; title: string; dek: string; body: string }>)
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
    const s = this.lib.statements;
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
      const few = s.get('matchIdsUpTo').all(head, probe) as number[];
      let inHead = few;
      let inTitle: number[];
      if (few.length < probe) {
        const phrases = ftsWords(query).map(ftsPhrase);
        inTitle = (s.get('indexedTitles').all(JSON.stringify(few)) as Array<{ rowid: number; title: string }>).filter((t) => holdsEvery(t.title, phrases)).map((t) => t.rowid);
      } else {
        inHead = s.get('matchIds').all(head) as number[];
        inTitle = s.get('matchIds').all(`{title}: (${match})`) as number[];
      }
      const tiers = { match, t0: JSON.stringify(inTitle), head: JSON.stringify(inHead) };
      const tiered = (only: string | null): SearchStage => (l, o) => s.get('rankTiers').all({ ...tiers, only, limit: l, offset: o }) as RankedRow[];
      if (inHead.length >= limit) {
        // Enough to fill the page: the title and dek matches alone, then the others.
        yield tiered(tiers.head);
        yield ranked(s.get('rankExcept'), match, inHead, () => 2);
      } else {
        yield tiered(null);
      }
      return;
    }
    // One word: the stories whose title holds it first; bm25 over title and dek as a column filter
    // (for one word, the order of bm25 with weights 10, 4, 0 over whole stories).
    const inTitle = s.get('matchIds').all(`{title}: (${match})`) as number[];
    if (inTitle.length >= limit) {
      // Enough to fill the page: bm25 of just those stories, then of the other title and dek matches.
      yield ranked(s.get('rankOnly'), head, inTitle, () => 0);
      yield ranked(s.get('rankExcept'), head, inTitle, () => 1);
    } else {
      yield ranked(s.get('rankFirst'), head, inTitle, (r) => (r.first ? 0 : 1));
    }
    yield ranked(s.get('rankExcept'), match, seen, () => 2);
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

/** snippet(stories_fts, -1, '«', '»', '…', 12): matches in «…», 12 words. */
const SNIPPET = { open: '«', close: '»', ellipsis: '…', tokens: 12 };

interface RankedRow {
  rowid: number;
  rank: number;
  first?: number;
}

/** One tier (or two) of a search: its ranked rows, `limit` from `offset`, each rank with its tier's step. */
type SearchStage = (limit: number, offset: number) => Array<{ rowid: number; rank: number }>;
