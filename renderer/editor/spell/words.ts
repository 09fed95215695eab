import { syntaxTree } from '@codemirror/language';
import type { EditorState } from '@codemirror/state';

/** A word to check, where it stands. */
export interface SpellWord {
  from: number;
  to: number;
  word: string;
}

/** Syntax that is not prose: the front matter, code, URLs and HTML. */
const NOT_TEXT = new Set(['FrontMatter', 'InlineCode', 'FencedCode', 'CodeBlock', 'CodeText', 'URL', 'Autolink', 'HTMLTag', 'HTMLBlock', 'Comment', 'ProcessingInstruction', 'LinkLabel']);
/** A reference: only its label (after `|`) is text; the kind and the slug are not. */
const REFERENCE = /\{\{[^{}\n]*\}\}/g;
const WORD = /\p{L}[\p{L}\p{M}'’]*/gu;

/**
 * The words of a part of the story that spelling looks at: prose and reference labels; never the
 * front matter, code, URLs, HTML, slugs, single letters or words in capitals (acronyms).
 */
export function spellWords(state: EditorState, from: number, to: number, out: SpellWord[] = []): SpellWord[] {
  const skip: Array<[number, number]> = [];
  syntaxTree(state).iterate({
    from, to,
    enter: (node) => {
      if (!NOT_TEXT.has(node.name)) return undefined;
      skip.push([node.from, node.to]);
      return false;
    },
  });
  const text = state.sliceDoc(from, to);
  for (const m of text.matchAll(REFERENCE)) {
    const bar = m[0].indexOf('|');
    const start = from + m.index;
    skip.push([start, bar < 0 ? start + m[0].length : start + bar + 1], [start + m[0].length - 2, start + m[0].length]);
  }
  // Bare addresses and e-mail (CommonMark parses only <…> autolinks).
  for (const m of text.matchAll(/\b(?:https?:\/\/|www\.)\S+|[\w.+-]+@[\w-]+\.[\w.]+/g)) skip.push([from + m.index, from + m.index + m[0].length]);
  skip.sort((a, b) => a[0] - b[0]);
  let s = 0;
  for (const m of text.matchAll(WORD)) {
    const word = m[0].replace(/['’]+$/, '');
    const wFrom = from + m.index;
    const wTo = wFrom + word.length;
    // Skipped ranges are sorted by start: those ending before this word are done with for good.
    while (s < skip.length && skip[s]![1] <= wFrom) s++;
    let hidden = false;
    for (let i = s; i < skip.length && skip[i]![0] < wTo; i++) if (skip[i]![1] > wFrom) hidden = true;
    if (hidden || word.length < 2 || word === word.toUpperCase()) continue;
    // A word glued to digits, an underscore, @ or / (a slug, a handle, a path) is not prose.
    if (/[\d_@/]/.test(text[m.index - 1] ?? '') || /[\d_@/]/.test(text[m.index + m[0].length] ?? '')) continue;
    out.push({ from: wFrom, to: wTo, word: word.replace(/’/g, "'") });
  }
  return out;
}
