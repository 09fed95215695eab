import { lineIndexAt } from '../text-util.js';

/**
 * The units texts are merged in: each word with the punctuation against it and the whitespace after
 * it (and any whitespace the text starts with). Whitespace is never a unit of its own: a space
 * matches every other space, and the diff's cost grows with the pairs that match.
 */
export function tokenize(text: string): string[] {
  return text.match(/^\s+|\S+\s*/g) ?? [];
}

/** What separates two blocks of a body: a blank line (lines of spaces count as blank). */
export const BLOCK_SEPARATOR = /\n(?:[ \t]*\n)+/g;

/** The blocks of a body (paragraphs, headings, lists, quotes: whatever blank lines separate). */
export interface BodyBlocks {
  /** Whitespace before the first block and after the last, kept as the text had them. */
  lead: string;
  trail: string;
  blocks: string[];
}

export function splitBlocks(body: string): BodyBlocks {
  const rest = body.trimStart();
  const lead = body.slice(0, body.length - rest.length);
  const inner = rest.trimEnd();
  const trail = rest.slice(inner.length);
  return { lead, trail, blocks: inner === '' ? [] : inner.split(BLOCK_SEPARATOR) };
}

/** The offsets at which each block of a body starts (the first block's after the leading whitespace). */
export function blockStarts(body: string): number[] {
  const starts = [body.length - body.trimStart().length];
  const end = body.trimEnd().length;
  for (const m of body.matchAll(BLOCK_SEPARATOR)) {
    const next = m.index + m[0].length;
    if (next < end && next > starts[0]!) starts.push(next);
  }
  return starts;
}

/** The 1-based number of the block that holds `offset`. */
export function blockAt(starts: readonly number[], offset: number): number {
  return lineIndexAt(starts, offset) + 1;
}

/** Where a sentence ends: its terminator (and closing quotes or brackets) before a space, or a line break. */
const SENTENCE_END = /[.!?…]["”’)\]]*(?=\s|$)|\n/g;
const SENTENCE_START = /[.!?…]["”’)\]]*\s+|\n/g;

/** The part of `text` after its last sentence boundary: the start of the sentence it ends in. */
export function sentenceTail(text: string): string {
  let cut = 0;
  for (const m of text.matchAll(SENTENCE_START)) cut = m.index + m[0].length;
  return text.slice(cut);
}

/** The part of `text` up to its first sentence end: the rest of the sentence it starts in. */
export function sentenceHead(text: string): string {
  SENTENCE_END.lastIndex = 0;
  const m = SENTENCE_END.exec(text);
  if (!m) return text;
  return text.slice(0, m[0] === '\n' ? m.index : m.index + m[0].length);
}

/** Whether `text` ends a sentence (or is empty: nothing is left open). */
export function endsSentence(text: string): boolean {
  const t = text.trimEnd();
  return t === '' || /[.!?…]["”’)\]]*$/.test(t.slice(-8));
}
