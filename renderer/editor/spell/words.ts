import { syntaxTree } from '@codemirror/language';
import type { EditorState } from '@codemirror/state';

/** A word to check, where it stands. */
export interface SpellWord {
  from: number;
  to: number;
  word: string;
}

/** Syntax that is not prose: the front matter, code, URLs and HTML. */
const NOT_TEXT = new Set([
  'FrontMatter',
  'InlineCode',
  'FencedCode',
  'CodeBlock',
  'CodeText',
  'URL',
  'Autolink',
  'HTMLTag',
  'HTMLBlock',
  'Comment',
  'ProcessingInstruction',
  'LinkLabel',
]);
/** A reference: only its label (after `|`) is text; the kind and the slug are not. */
const REFERENCE = /\{\{[^{}\n]*\}\}/g;
const WORD = /\p{L}[\p{L}\p{M}'’]*/gu;
// Bare addresses and e-mail (CommonMark parses only <…> autolinks). Two expressions, each run only
// on a text holding its mark: the e-mail one tries every letter of every word otherwise.
const ADDRESS = /\b(?:https?:\/\/|www\.)\S+/g;
const EMAIL = /[\w.+-]+@[\w-]+\.[\w.]+/g;

/** A digit, `_`, `@` or `/` beside a word: a slug, a handle or a path, not prose. */
function glue(code: number): boolean {
  return (code >= 48 && code <= 57) || code === 95 || code === 64 || code === 47;
}

/**
 * The words of `text` (standing at `base` in the story), minus those inside `skip` (sorted,
 * absolute) and the text's own non-prose: reference kinds and slugs, addresses.
 */
function textWords(text: string, base: number, syntax: ReadonlyArray<[number, number]>, out: SpellWord[]): void {
  const skip = syntax.slice();
  if (text.includes('{{')) {
    for (const m of text.matchAll(REFERENCE)) {
      const bar = m[0].indexOf('|');
      const start = base + m.index;
      skip.push([start, bar < 0 ? start + m[0].length : start + bar + 1], [start + m[0].length - 2, start + m[0].length]);
    }
  }
  if (text.includes('://') || text.includes('www.')) for (const m of text.matchAll(ADDRESS)) skip.push([base + m.index, base + m.index + m[0].length]);
  if (text.includes('@')) for (const m of text.matchAll(EMAIL)) skip.push([base + m.index, base + m.index + m[0].length]);
  if (skip.length > syntax.length) skip.sort((a, b) => a[0] - b[0]);
  let s = 0;
  for (const m of text.matchAll(WORD)) {
    let word = m[0];
    const last = word.charCodeAt(word.length - 1);
    if (last === 39 || last === 0x2019) word = word.replace(/['’]+$/, '');
    const wFrom = base + m.index;
    const wTo = wFrom + word.length;
    // Skipped ranges are sorted by start: those ending before this word are done with for good.
    while (s < skip.length && skip[s]![1] <= wFrom) s++;
    let hidden = false;
    for (let i = s; i < skip.length && skip[i]![0] < wTo; i++) if (skip[i]![1] > wFrom) hidden = true;
    if (hidden || word.length < 2 || word === word.toUpperCase()) continue;
    if (glue(text.charCodeAt(m.index - 1)) || glue(text.charCodeAt(m.index + m[0].length))) continue;
    out.push({ from: wFrom, to: wTo, word: word.includes('’') ? word.replace(/’/g, "'") : word });
  }
}

/**
 * A line's words by its text (offsets from the line's start), for lines that no non-prose syntax
 * touches, whose words then depend on their text alone: after a keystroke only the changed line is
 * read again. Bounded: emptied when full (a story in view has a few dozen lines).
 */
const lineWords = new Map<string, SpellWord[]>();
const LINES_KEPT = 4000;

/**
 * The words of a part of the story that spelling looks at: prose and reference labels; never the
 * front matter, code, URLs, HTML, slugs, single letters or words in capitals (acronyms).
 */
export function spellWords(state: EditorState, from: number, to: number, out: SpellWord[] = []): SpellWord[] {
  const syntax: Array<[number, number]> = [];
  syntaxTree(state).iterate({
    from,
    to,
    enter: (node) => {
      if (!NOT_TEXT.has(node.name)) return undefined;
      syntax.push([node.from, node.to]);
      return false;
    },
  });
  syntax.sort((a, b) => a[0] - b[0]);
  let s = 0;
  for (let pos = from; pos <= to;) {
    const line = state.doc.lineAt(pos);
    const segFrom = Math.max(line.from, from);
    const segTo = Math.min(line.to, to);
    pos = line.to + 1;
    if (segTo <= segFrom) continue;
    while (s < syntax.length && syntax[s]![1] <= segFrom) s++;
    const touching: Array<[number, number]> = [];
    for (let i = s; i < syntax.length && syntax[i]![0] < segTo; i++) if (syntax[i]![1] > segFrom) touching.push(syntax[i]!);
    if (touching.length > 0 || segFrom !== line.from || segTo !== line.to) {
      textWords(state.sliceDoc(segFrom, segTo), segFrom, touching, out);
      continue;
    }
    let words = lineWords.get(line.text);
    if (!words) {
      words = [];
      textWords(line.text, 0, [], words);
      if (lineWords.size >= LINES_KEPT) lineWords.clear();
      lineWords.set(line.text, words);
    }
    for (const w of words) out.push({ from: line.from + w.from, to: line.from + w.to, word: w.word });
  }
  return out;
}
