// Writes fts-unicode.ts: the tables of FTS5's unicode61 tokenizer, taken from SQLite's amalgamation.
//   node electron/services/library/fts-unicode.gen.mjs node_modules/better-sqlite3/deps/sqlite3/sqlite3.c electron/services/library/fts-unicode.ts
// test/app/library-search-text.test.ts fails when the SQLite better-sqlite3 builds has other tables.
import { readFileSync, writeFileSync } from 'node:fs';
const src = readFileSync(process.argv[2], 'utf8');
const ver = /#define SQLITE_VERSION\s+"([^"]+)"/.exec(readFileSync(process.argv[2].replace(/sqlite3\.c$/, 'sqlite3.h'), 'utf8'))[1];
function arr(re) { const m = re.exec(src); if (!m) throw new Error(`no ${re}`); return m[1].split(',').map((s) => s.trim()).filter(Boolean); }
const num = (xs) => xs.map(Number);
const block = num(arr(/static u16 aFts5UnicodeBlock\[\] = \{([^}]*)\}/));
const map = num(arr(/static u16 aFts5UnicodeMap\[\] = \{([^}]*)\}/));
const data = num(arr(/static u16 aFts5UnicodeData\[\] = \{([^}]*)\}/));
const dia = num(arr(/static int fts5_remove_diacritic[\s\S]*?unsigned short aDia\[\] = \{([^}]*)\}/));
const chars = arr(/static int fts5_remove_diacritic[\s\S]*?unsigned char aChar\[\] = \{([^}]*)\}/).map((c) => {
  const m = /^'(.|\\0)'(\|HIBIT)?$/.exec(c); if (!m) throw new Error(`char ${c}`);
  return (m[1] === '\\0' ? 0 : m[1].charCodeAt(0)) | (m[2] ? 0x80 : 0);
});
const fts5Fold = src.slice(src.indexOf("static int sqlite3Fts5UnicodeFold(int c, int eRemoveDiacritic){"));
const entry = [.../static const struct TableEntry \{[\s\S]*?\} aEntry\[\] = \{([\s\S]*?)\n  \};/.exec(fts5Fold)[1].matchAll(/\{(\d+), (\d+), (\d+)\}/g)].map((m) => [Number(m[1]), Number(m[2]), Number(m[3])]);
const off = num(/static const unsigned short aiOff\[\] = \{([^}]*)\}/.exec(fts5Fold)[1].split(",").map((s) => s.trim()).filter(Boolean));
const masks = /static int sqlite3Fts5UnicodeIsdiacritic\(int c\)\{\s*unsigned int mask0 = (0x[0-9A-F]+);\s*unsigned int mask1 = (0x[0-9A-F]+);/.exec(src);
const line = (xs, n = 24) => { const out = []; for (let i = 0; i < xs.length; i += n) out.push('  ' + xs.slice(i, i + n).join(', ') + ','); return out.join('\n'); };
const ts = `// GENERATED from SQLite ${ver}'s amalgamation (fts5_unicode2.c, public domain) by extracting its
// tables: the character categories and case folding of FTS5's unicode61 tokenizer. Do not edit:
// fts-unicode.gen.mjs writes it; test/app/library-search-text.test.ts compares it with the SQLite
// that better-sqlite3 builds.
/* eslint-disable */

export const SQLITE_VERSION = ${JSON.stringify(ver)};

/** aFts5UnicodeBlock: where each 64K plane starts in MAP. */
export const BLOCK = new Uint16Array([
${line(block)}
]);

/** aFts5UnicodeMap: the first code (within its plane) of each range. */
export const MAP = new Uint16Array([
${line(map)}
]);

/** aFts5UnicodeData: each range's length (<< 5) and category (low 5 bits). */
export const DATA = new Uint16Array([
${line(data)}
]);

/** fts5_remove_diacritic's aDia: (code << 3) | range length. */
export const DIA = new Uint16Array([
${line(dia)}
]);

/** fts5_remove_diacritic's aChar: the ASCII letter (| 0x80: only when removing diacritics fully). */
export const DIA_CHAR = new Uint8Array([
${line(chars)}
]);

/** sqlite3Fts5UnicodeFold's aEntry: code, flags, range length. */
export const FOLD = new Uint16Array([
${line(entry.flat(), 24)}
]);

/** sqlite3Fts5UnicodeFold's aiOff. */
export const FOLD_OFFSET = new Uint16Array([
${line(off)}
]);

/** sqlite3Fts5UnicodeIsdiacritic's masks over codes 768 to 817. */
export const DIACRITIC_MASK = [${masks[1]}, ${masks[2]}] as const;
`;
writeFileSync(process.argv[3], ts);
console.log('block', block.length, 'map', map.length, 'data', data.length, 'dia', dia.length, 'chars', chars.length, 'fold', entry.length, 'off', off.length, masks[1], masks[2]);
