/**
 * The library's port of FTS5's text handling (electron/services/library/fts-text.ts) against FTS5
 * itself, in the SQLite better-sqlite3 builds: the tokens of generated text in many scripts, which
 * titles hold every word, and snippet() byte for byte. The tables it carries are SQLite's.
 */
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ftsWords } from '../../electron/services/library/search.js';
import { ftsPhrase, ftsSnippet, ftsTokens, holdsEvery } from '../../electron/services/library/fts-text.js';
import * as tables from '../../electron/services/library/fts-unicode.js';
import { FTS_TOKENIZE } from '../../electron/services/library/schema.js';
import { packageRoot } from '../../electron/services/paths.js';

const db = new Database(':memory:');
db.exec(`CREATE VIRTUAL TABLE t USING fts5(title, dek, body, tokenize = '${FTS_TOKENIZE}')`);
db.exec(`CREATE VIRTUAL TABLE v USING fts5vocab(t, 'instance')`);
afterAll(() => db.close());
const insert = db.prepare('INSERT INTO t (rowid, title, dek, body) VALUES (1, ?, ?, ?)');
const clear = db.prepare('DELETE FROM t');
const vocab = db.prepare("SELECT term, col, offset FROM v ORDER BY CASE col WHEN 'title' THEN 0 WHEN 'dek' THEN 1 ELSE 2 END, offset");
const snippetOf = db.prepare(`SELECT snippet(t, -1, '«', '»', '…', 12) FROM t WHERE t MATCH ?`).pluck();
const matches = db.prepare('SELECT count(*) FROM t WHERE t MATCH ?').pluck();
const SNIPPET = { open: '«', close: '»', ellipsis: '…', tokens: 12 };
const COLUMNS = ['title', 'dek', 'body'];

/** Characters from many scripts and categories, with the awkward ones FTS5's tables treat specially. */
const PIECES = [
  ...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789',
  ...'àáâãäåæçèéêëìíîïñòóôõöøùúûüýÿÀÉÎÕÜŸßẞİıĀāĒēĞğŁłŒœŠšŽžǅǈǋ',
  'e\u0301', 'a\u0308', 'n\u0303', '\u0300', '\u0327', '\u0345', '\u0351', // combining marks
  ...'αβγδεζηθικλμνξοπρστυφχψωΑΒΓΔΩάέήίόύώΐΰς', ...'абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВГДЁЖЯ',
  ...'中文字漢字日本語한국어ひらがなカタカナ', ...'ابتثجحخ', ...'אבגדה', ...'กขฃคฅ', 'क्ष', 'ि', 'ं',
  '😀', '👍🏽', '𐐀', '𐐨', '𝐀', '𝔘', '𠀀', // supplementary planes
  'Ａ', 'ｚ', '１', 'Ⅻ', 'ⅻ', 'Ⓐ', 'ⓐ', 'ﬁ', 'Ω', 'K', 'Å', '\u00AD', '\u200D', '\uE000', '\u0378', '\u2070', '²', '½',
  '’', '“', '”', '—', '–', '…', '«', '»', '€', '©', '°', '\u00A0', '\u2009', '\u3000',
];
const SEPARATORS = [' ', ' ', ' ', '  ', '\n', '\n\n', '\t', '\r\n', '. ', ': ', '.', ':', ', ', '; ', '! ', '? ', '-', '_', '/', "'", '"', '(', ')', ' — ', '.\n', '\0'];

/** Any code point but a surrogate half (text read back from SQLite is valid UTF-8). */
const anyChar = fc.integer({ min: 1, max: 0x10ffff }).filter((c) => c < 0xd800 || c > 0xdfff).map((c) => String.fromCodePoint(c));
const word = fc.array(fc.oneof({ arbitrary: fc.constantFrom(...PIECES), weight: 6 }, { arbitrary: anyChar, weight: 1 }), { minLength: 1, maxLength: 7 }).map((xs) => xs.join(''));
/** A column: words from a small vocabulary (so that words repeat) with separators between them. */
const column = (vocabulary: string[], max: number) =>
  fc.array(fc.tuple(fc.constantFrom(...vocabulary), fc.constantFrom(...SEPARATORS)), { minLength: 0, maxLength: max })
    .map((xs) => xs.map(([w, s]) => w + s).join(''));
const doc = fc.array(word, { minLength: 1, maxLength: 12 }).chain((vocabulary) =>
  fc.tuple(column(vocabulary, 8), column(vocabulary, 16), column(vocabulary, 80), fc.constant(vocabulary)));

function load(title: string, dek: string, body: string): void {
  clear.run();
  insert.run(title, dek, body);
}

describe("the library's port of FTS5's text handling", () => {
  it('carries the tables of the SQLite that better-sqlite3 builds', () => {
    const source = join(packageRoot(), 'node_modules/better-sqlite3/deps/sqlite3/sqlite3.c');
    if (!existsSync(source)) return void console.log('(no SQLite amalgamation in node_modules: the tables are checked by the tests below only)');
    const all = readFileSync(source, 'utf8');
    // FTS3 has tables of the same names: read FTS5's, from its own functions on.
    const c = all.slice(all.indexOf('static int fts5_remove_diacritic('));
    const fold = all.slice(all.indexOf('static int sqlite3Fts5UnicodeFold(int c, int eRemoveDiacritic){'));
    const list = (re: RegExp, text = c) => re.exec(text)![1]!.split(',').map((x) => x.trim()).filter(Boolean).map(Number);
    expect([...tables.BLOCK]).toEqual(list(/static u16 aFts5UnicodeBlock\[\] = \{([^}]*)\}/));
    expect([...tables.MAP]).toEqual(list(/static u16 aFts5UnicodeMap\[\] = \{([^}]*)\}/));
    expect([...tables.DATA]).toEqual(list(/static u16 aFts5UnicodeData\[\] = \{([^}]*)\}/));
    expect([...tables.DIA]).toEqual(list(/unsigned short aDia\[\] = \{([^}]*)\}/));
    expect([...tables.FOLD_OFFSET]).toEqual(list(/static const unsigned short aiOff\[\] = \{([^}]*)\}/, fold));
    const entries = [.../aEntry\[\] = \{([\s\S]*?)\n {2}\};/.exec(fold)![1]!.matchAll(/\{(\d+), (\d+), (\d+)\}/g)].flatMap((m) => [Number(m[1]), Number(m[2]), Number(m[3])]);
    expect(entries.length).toBeGreaterThan(100);
    expect([...tables.FOLD]).toEqual(entries);
    const version = /#define SQLITE_VERSION\s+"([^"]+)"/.exec(readFileSync(source.replace(/sqlite3\.c$/, 'sqlite3.h'), 'utf8'))?.[1];
    expect(version).toBe(tables.SQLITE_VERSION);
  });

  it('cuts and folds text into the tokens FTS5 indexes', () => {
    fc.assert(fc.property(doc, ([title, dek, body]) => {
      load(title, dek, body);
      const indexed = vocab.all() as Array<{ term: string; col: string; offset: number }>;
      const ours = [title, dek, body].flatMap((text, col) => ftsTokens(text).map((t, offset) => ({ term: t.text, col: COLUMNS[col], offset })));
      expect(ours).toEqual(indexed);
    }), { numRuns: 400 });
  });

  it('reads every code point as FTS5 does: alone, and after a letter (diacritics join a token, never start one)', () => {
    const codes: string[] = [];
    for (let c = 1; c < 0x30000; c++) if (c < 0xd800 || c > 0xdfff) codes.push(String.fromCodePoint(c));
    for (const c of [0xe0001, 0xf0000, 0x10fffd]) codes.push(String.fromCodePoint(c));
    for (const text of [codes.join('\u0001'), codes.map((c) => `a${c}`).join('\u0001')]) {
      load(text, '', '');
      const indexed = (vocab.all() as Array<{ term: string; offset: number }>).map((r) => `${r.offset}:${r.term}`);
      const ours = ftsTokens(text).map((t, i) => `${i}:${t.text}`);
      expect(ours.length).toBe(indexed.length);
      expect(ours.filter((x, i) => x !== indexed[i]).slice(0, 5)).toEqual([]);
    }
  });

  it('gives the snippet FTS5 gives, and tells whether the title holds every word, for queries as the library makes them', () => {
    let compared = 0;
    fc.assert(fc.property(doc, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 8 })), { minLength: 1, maxLength: 3 }), ([title, dek, body, vocabulary], picks) => {
      // Words typed as a search: some of the document's words, often cut short (prefixes).
      const typed = picks.map(([i, len]) => [...vocabulary[i % vocabulary.length]!].slice(0, len).join('')).join(' ');
      const words = ftsWords(typed);
      if (words.length === 0) return;
      const query = words.map((w) => `"${w}"*`).join(' ');
      const phrases = words.map(ftsPhrase);
      load(title, dek, body);
      const expected = snippetOf.get(query) as string | undefined;
      if (expected !== undefined) {
        compared++;
        expect(ftsSnippet([title, dek, body], phrases, SNIPPET)).toBe(expected);
      }
      expect(holdsEvery(title, phrases)).toBe(matches.get(`{title}: (${query})`) === 1);
    }), { numRuns: 1500 });
    expect(compared).toBeGreaterThan(500);
  });

  it('handles the edges: empty columns, a match only in the body, long bodies, words of separators only', () => {
    const cases: Array<[string, string, string, string]> = [
      ['', '', 'only the body has it: gizmo.', 'gizmo'],
      ['Gizmo', '', '', 'giz'],
      ['A title', 'A dek: gizmo here', `${'Filler words go on. '.repeat(40)}Then gizmo. ${'More words here. '.repeat(40)}`, 'gizmo'],
      ['Title', '', `${'x '.repeat(5)}gizmo gadget ${'y '.repeat(30)}gizmo. gadget gizmo`, 'gizmo gadget'],
      ['Ünïcödé naïve café', 'Çà et là', 'Crème brûlée, déjà vu.', 'cafe deja'],
      ['İstanbul Straße', '', 'ΣΊΣΥΦΟΣ σίσυφος', 'istanbul strasse σισυφ'],
    ];
    for (const [title, dek, body, typed] of cases) {
      const words = ftsWords(typed);
      const query = words.map((w) => `"${w}"*`).join(' ');
      load(title, dek, body);
      const expected = snippetOf.get(query) as string | undefined;
      const phrases = words.map(ftsPhrase);
      if (expected !== undefined) expect(ftsSnippet([title, dek, body], phrases, SNIPPET), typed).toBe(expected);
      expect(holdsEvery(title, phrases), typed).toBe(matches.get(`{title}: (${query})`) === 1);
    }
    // A word FTS5 reads as no token at all is left out of the query, as FTS5 leaves it out.
    expect(ftsPhrase('\u00AD').tokens).toEqual([]);
    expect(holdsEvery('gizmo', [ftsPhrase('gizmo'), ftsPhrase('\u00AD')])).toBe(true);
  });
});
