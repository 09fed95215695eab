/**
 * What FTS5 does to the text of a few search hits, done in JavaScript: the `unicode61` tokenizer
 * (`remove_diacritics 2`, the default categories), prefix phrases matched against its tokens, and
 * the `snippet()` auxiliary function. A port of SQLite's own code (fts5_tokenize.c, fts5_aux.c)
 * with its tables (fts-unicode.ts, written by fts-unicode.gen.mjs), so that it gives exactly what
 * FTS5 gives; test/app/library-search-text.test.ts compares the two.
 *
 * Why: FTS5 makes a snippet only inside a query over the whole index, and a query of a common
 * prefix reads every story holding it (a pass over half the index) to keep 50. From the 50 hits'
 * own text the same snippets take about 1.5 ms (50 stories of 2 KB), against 6–11 ms.
 */
import { BLOCK, DATA, DIA, DIA_CHAR, DIACRITIC_MASK, FOLD, FOLD_OFFSET, MAP } from './fts-unicode.js';

/** A token: where it lies in the text (UTF-16 offsets) and its folded form. */
export interface FtsToken {
  start: number;
  end: number;
  text: string;
}

/** A phrase of the query: its tokens in order, the last one a prefix when `prefix`. */
export interface FtsPhrase {
  tokens: string[];
  prefix: boolean;
}

// ── the unicode61 tokenizer ────────────────────────────────────────────────────────────────

/** The categories that make token characters: "L* N* Co", and 0 (set by every category parse). */
const TOKEN_CATEGORY = new Uint8Array(32);
for (const c of [0, 5, 6, 7, 8, 9, 30, 13, 14, 15, 31]) TOKEN_CATEGORY[c] = 1;

/** sqlite3Fts5UnicodeCategory. */
function category(code: number): number {
  if (code >= 1 << 20) return 0;
  let lo = BLOCK[code >> 16]!;
  let hi = BLOCK[(code >> 16) + 1]!;
  const key = code & 0xffff;
  let res = -1;
  while (hi > lo) {
    const t = (hi + lo) >> 1;
    if (key >= MAP[t]!) {
      res = t;
      lo = t + 1;
    } else {
      hi = t;
    }
  }
  if (res < 0) return 0;
  if (key >= MAP[res]! + (DATA[res]! >> 5)) return 0;
  const ret = DATA[res]! & 0x1f;
  if (ret !== 30) return ret;
  return (key - MAP[res]!) & 0x01 ? 5 : 9;
}

/** sqlite3Fts5UnicodeAscii: which ASCII codes are token characters (never NUL). */
const ASCII_TOKEN = (() => {
  const a = new Uint8Array(128);
  for (let i = 0, t = 0; i < 128; t++) {
    const token = TOKEN_CATEGORY[DATA[t]! & 0x1f]!;
    const n = (DATA[t]! >> 5) + i;
    for (; i < 128 && i < n; i++) a[i] = token;
  }
  a[0] = 0;
  return a;
})();

function isTokenChar(code: number): boolean {
  return TOKEN_CATEGORY[category(code)] === 1;
}

/** sqlite3Fts5UnicodeIsdiacritic. */
function isDiacritic(code: number): boolean {
  if (code < 768 || code > 817) return false;
  return code < 800 ? ((DIACRITIC_MASK[0] >>> (code - 768)) & 1) === 1 : ((DIACRITIC_MASK[1] >>> (code - 800)) & 1) === 1;
}

/** fts5_remove_diacritic. */
function removeDiacritic(code: number, complex: boolean): number {
  const key = ((code << 3) | 7) >>> 0;
  let res = 0;
  let lo = 0;
  let hi = DIA.length - 1;
  while (hi >= lo) {
    const t = (hi + lo) >> 1;
    if (key >= DIA[t]!) {
      res = t;
      lo = t + 1;
    } else {
      hi = t - 1;
    }
  }
  if (!complex && DIA_CHAR[res]! & 0x80) return code;
  return code > (DIA[res]! >> 3) + (DIA[res]! & 0x07) ? code : DIA_CHAR[res]! & 0x7f;
}

/** sqlite3Fts5UnicodeFold with remove_diacritics 2. */
function fold(code: number): number {
  if (code < 128) return code >= 65 && code <= 90 ? code + 32 : code;
  if (code < 65536) {
    let lo = 0;
    let hi = FOLD.length / 3 - 1;
    let res = -1;
    while (hi >= lo) {
      const t = (hi + lo) >> 1;
      if (code - FOLD[t * 3]! >= 0) {
        res = t;
        lo = t + 1;
      } else {
        hi = t - 1;
      }
    }
    let ret = code;
    const first = FOLD[res * 3]!;
    const flags = FOLD[res * 3 + 1]!;
    if (code < first + FOLD[res * 3 + 2]! && (0x01 & flags & (first ^ code)) === 0) ret = (code + FOLD_OFFSET[flags >> 1]!) & 0xffff;
    return removeDiacritic(ret, true);
  }
  return code >= 66560 && code < 66600 ? code + 40 : code;
}

/** A code point as FTS5's READ_UTF8 reads it: U+FFFE and U+FFFF become U+FFFD. */
function codeAt(text: string, i: number): number {
  const code = text.codePointAt(i)!;
  return (code & 0xfffffffe) === 0xfffe ? 0xfffd : code;
}

/**
 * The tokens of a text, as parallel lists: where each starts and ends (UTF-16 offsets), and its
 * folded form, left out (undefined) for a token of ASCII characters only, whose folded form is its
 * text in lower case (tokenText): most tokens are only ever compared, never kept.
 */
interface Tokens {
  source: string;
  start: number[];
  end: number[];
  folded: Array<string | undefined>;
}

/**
 * fts5UnicodeTokenize. Runs of ASCII token characters are taken whole (their folding is
 * lower-casing A–Z, which is what toLowerCase does to ASCII); other characters one by one.
 */
function tokenize(text: string): Tokens {
  const out: Tokens = { source: text, start: [], end: [], folded: [] };
  const n = text.length;
  let i = 0;
  for (;;) {
    // Skip separators; the first token character starts a token.
    let start = -1;
    let folded: string | undefined;
    while (i < n) {
      const ch = text.charCodeAt(i);
      if (ch < 128) {
        if (ASCII_TOKEN[ch]) {
          start = i;
          break;
        }
        i++;
      } else {
        const code = codeAt(text, i);
        const at = i;
        i += code > 0xffff ? 2 : 1;
        if (isTokenChar(code)) {
          start = at;
          const f = fold(code);
          folded = f ? String.fromCodePoint(f) : '';
          break;
        }
      }
    }
    if (start < 0) return out;
    // The token characters (and, after the first, diacritics), folded.
    let run = i;
    while (i < n) {
      const ch = text.charCodeAt(i);
      if (ch < 128) {
        if (!ASCII_TOKEN[ch]) break;
        i++;
        continue;
      }
      const code = codeAt(text, i);
      if (!isTokenChar(code) && !isDiacritic(code)) break;
      folded = (folded ?? '') + text.slice(run === i ? i : run, i).toLowerCase();
      i += code > 0xffff ? 2 : 1;
      run = i;
      const f = fold(code);
      if (f) folded += String.fromCodePoint(f);
    }
    if (folded !== undefined && run < i) folded += text.slice(run, i).toLowerCase();
    out.start.push(start);
    out.end.push(i);
    out.folded.push(folded);
  }
}

/** The folded form of token k. */
function tokenText(t: Tokens, k: number): string {
  return t.folded[k] ?? t.source.slice(t.start[k], t.end[k]).toLowerCase();
}

/** Whether token k, folded, is `want` (or starts with it, for a prefix). */
function tokenIs(t: Tokens, k: number, want: string, prefix: boolean): boolean {
  const folded = t.folded[k];
  if (folded !== undefined) return prefix ? folded.startsWith(want) : folded === want;
  const from = t.start[k]!;
  const len = t.end[k]! - from;
  if (prefix ? len < want.length : len !== want.length) return false;
  for (let j = 0; j < want.length; j++) {
    let c = t.source.charCodeAt(from + j);
    if (c >= 65 && c <= 90) c += 32;
    if (c !== want.charCodeAt(j)) return false;
  }
  return true;
}

/** The tokens of a text as FTS5's `unicode61 remove_diacritics 2` cuts and folds them. */
export function ftsTokens(text: string): FtsToken[] {
  const t = tokenize(text);
  return t.start.map((start, k) => ({ start, end: t.end[k]!, text: tokenText(t, k) }));
}

/** A search word as FTS5 reads the query's `"word"*`: its tokens, the last one a prefix. */
export function ftsPhrase(word: string): FtsPhrase {
  return { tokens: ftsTokens(word).map((t) => t.text), prefix: true };
}

// ── matches ──────────────────────────────────────────────────────────────────────────────────

/** Where the phrase starts in these tokens, in order. */
function phrasePositions(tokens: Tokens, phrase: FtsPhrase): number[] {
  const at: number[] = [];
  const k = phrase.tokens.length;
  if (k === 0) return at;
  const last = phrase.tokens[k - 1]!;
  for (let i = 0; i + k <= tokens.start.length; i++) {
    let j = 0;
    for (; j < k - 1; j++) if (!tokenIs(tokens, i + j, phrase.tokens[j]!, false)) break;
    if (j < k - 1) continue;
    if (tokenIs(tokens, i + k - 1, last, phrase.prefix)) at.push(i);
  }
  return at;
}

/**
 * Whether the text holds every phrase: a row FTS5's `{column}: (p1 p2 …)` matches on that column.
 * A phrase with no token (a word of nothing but separators) is left out of a query, as FTS5 does.
 */
export function holdsEvery(text: string, phrases: FtsPhrase[]): boolean {
  const tokens = tokenize(text);
  const some = phrases.filter((p) => p.tokens.length > 0);
  return some.length > 0 && some.every((p) => phrasePositions(tokens, p).length > 0);
}

/** One instance of a phrase: which phrase, column and token offset (FTS5's xInst). */
interface Inst {
  phrase: number;
  col: number;
  off: number;
}

/** The instances of a row, in FTS5's order: by column and offset, then by phrase. */
function instances(columns: Tokens[], phrases: FtsPhrase[]): Inst[] {
  const out: Inst[] = [];
  columns.forEach((tokens, col) => {
    const at = phrases.map((p) => phrasePositions(tokens, p));
    const next = at.map(() => 0);
    for (;;) {
      let best = -1;
      for (let p = 0; p < at.length; p++) {
        if (next[p]! < at[p]!.length && (best < 0 || at[p]![next[p]!]! < at[best]![next[best]!]!)) best = p;
      }
      if (best < 0) break;
      out.push({ phrase: best, col, off: at[best]![next[best]!++]! });
    }
  });
  return out;
}

// ── snippet() ────────────────────────────────────────────────────────────────────────────────

export interface SnippetOptions {
  open: string;
  close: string;
  ellipsis: string;
  /** Tokens in a snippet (snippet()'s fifth argument). */
  tokens: number;
}

/**
 * `snippet(table, -1, open, close, ellipsis, tokens)` of a row whose columns hold these texts, for a
 * query of these phrases (all of them required, as the search's are).
 */
export function ftsSnippet(texts: string[], phrases: FtsPhrase[], o: SnippetOptions): string {
  const columns = texts.map(tokenize);
  const insts = instances(columns, phrases);
  const size = (p: number) => phrases[p]!.tokens.length;
  const nToken = o.tokens;

  // fts5SnippetScore
  const score = (nDocsize: number, col: number, iPos: number, seen: Uint8Array): { score: number; adj: number } => {
    const iEnd = iPos + nToken;
    let nScore = 0;
    let iFirst = -1;
    let iLast = 0;
    for (const inst of insts) {
      if (inst.col === col && inst.off >= iPos && inst.off < iEnd) {
        nScore += seen[inst.phrase] ? 1 : 1000;
        seen[inst.phrase] = 1;
        if (iFirst < 0) iFirst = inst.off;
        iLast = inst.off + size(inst.phrase);
      }
    }
    let adj = iFirst - Math.trunc((nToken - (iLast - iFirst)) / 2);
    if (adj + nToken > nDocsize) adj = nDocsize - nToken;
    if (adj < 0) adj = 0;
    return { score: nScore, adj };
  };

  let bestCol = 0;
  let bestStart = 0;
  let bestScore = 0;
  let colSize = 0;
  for (let col = 0; col < texts.length; col++) {
    if (!insts.some((i) => i.col === col)) continue;
    const tokens = columns[col]!;
    const text = texts[col]!;
    // fts5SentenceFinderCb: the tokens that start a sentence (after "." or ":" and white space).
    const firsts: number[] = [];
    for (let pos = 0; pos < tokens.start.length; pos++) {
      if (pos === 0) {
        firsts.push(0);
        continue;
      }
      const from = tokens.start[pos]!;
      let i = from - 1;
      let c = 0;
      for (; i >= 0; i--) {
        c = text.charCodeAt(i);
        if (c !== 32 && c !== 9 && c !== 10 && c !== 13) break;
      }
      if (i !== from - 1 && (c === 46 || c === 58)) firsts.push(pos);
    }
    const nDocsize = tokens.start.length;
    for (const inst of insts) {
      if (inst.col !== col) continue;
      const io = inst.off;
      const s = score(nDocsize, col, io, new Uint8Array(phrases.length));
      if (s.score > bestScore) {
        bestScore = s.score;
        bestCol = col;
        bestStart = s.adj;
        colSize = nDocsize;
      }
      if (firsts.length && nDocsize > nToken) {
        let jj = 0;
        for (; jj < firsts.length - 1; jj++) if (firsts[jj + 1]! > io) break;
        if (firsts[jj]! < io) {
          const s2 = score(nDocsize, col, firsts[jj]!, new Uint8Array(phrases.length));
          const withBonus = s2.score + (firsts[jj] === 0 ? 120 : 100);
          if (withBonus > bestScore) {
            bestScore = withBonus;
            bestCol = col;
            bestStart = firsts[jj]!;
            colSize = nDocsize;
          }
        }
      }
    }
  }

  const zIn = texts[bestCol]!;
  if (colSize === 0) colSize = columns[bestCol]!.start.length;
  // fts5CInstIter over the best column: instances, overlapping ones coalesced.
  const colInsts = insts.filter((i) => i.col === bestCol);
  let k = 0;
  const iter = { start: -1, end: -1 };
  const nextInst = () => {
    iter.start = -1;
    iter.end = -1;
    while (k < colInsts.length) {
      const inst = colInsts[k]!;
      const end = inst.off - 1 + size(inst.phrase);
      if (iter.start < 0) {
        iter.start = inst.off;
        iter.end = end;
      } else if (inst.off <= iter.end) {
        if (end > iter.end) iter.end = end;
      } else {
        break;
      }
      k++;
    }
  };
  nextInst();

  // fts5HighlightCb over the range.
  const rangeStart = bestStart;
  const rangeEnd = bestStart + nToken - 1;
  // fts5HighlightAppend: "%.*s" stops at a NUL, so each piece of the text ends at its first one.
  let out = '';
  const text = (from: number, to: number) => {
    const piece = zIn.slice(from, to);
    const nul = piece.indexOf('\0');
    out += nul < 0 ? piece : piece.slice(0, nul);
  };
  let iOff = 0;
  let isOpen = false;
  if (bestStart > 0) out += o.ellipsis;
  while (iter.start >= 0 && iter.start < bestStart) nextInst();
  const best = columns[bestCol]!;
  for (let iPos = rangeStart; iPos <= rangeEnd && iPos < best.start.length; iPos++) {
    const tStart = best.start[iPos]!;
    const tEnd = best.end[iPos]!;
    if (rangeStart && iPos === rangeStart) iOff = tStart;
    if (isOpen && (iPos <= iter.start || iter.start < 0) && tStart > iOff) {
      out += o.close;
      isOpen = false;
    }
    if (iPos === iter.start && !isOpen) {
      text(iOff, tStart);
      out += o.open;
      iOff = tStart;
      isOpen = true;
    }
    if (iPos === iter.end) {
      if (!isOpen) {
        out += o.open;
        isOpen = true;
      }
      text(iOff, tEnd);
      iOff = tEnd;
      nextInst();
    }
    if (iPos === rangeEnd) {
      if (isOpen) {
        if (iter.start >= 0 && iPos >= iter.start) {
          text(iOff, tEnd);
          iOff = tEnd;
        }
        out += o.close;
        isOpen = false;
      }
      text(iOff, tEnd);
      iOff = tEnd;
    }
  }
  if (isOpen) out += o.close;
  if (rangeEnd >= colSize - 1) text(iOff, zIn.length);
  else out += o.ellipsis;
  return out;
}
