import type { MarkdownIt, StateInline, RendererRule } from 'markdown-it';
import type { StoryEnv } from './env.js';

const SUPERSCRIPT_DIGITS: Record<string, number> = {
  '⁰': 0,
  '¹': 1,
  '²': 2,
  '³': 3,
  '⁴': 4,
  '⁵': 5,
  '⁶': 6,
  '⁷': 7,
  '⁸': 8,
  '⁹': 9,
};

/** Reads `[¹²]` or `[12]` at `pos`: the citation number and the end, or null. */
export function readCitationMarker(src: string, pos: number): { n: number; end: number } | null {
  if (src.charCodeAt(pos) !== 0x5b) return null;
  let i = pos + 1;
  let digits = '';
  const ascii = src.charCodeAt(i) >= 0x30 && src.charCodeAt(i) <= 0x39;
  while (i < src.length && digits.length <= 4) {
    const ch = src[i]!;
    if (ascii ? ch >= '0' && ch <= '9' : ch in SUPERSCRIPT_DIGITS) {
      digits += ascii ? ch : String(SUPERSCRIPT_DIGITS[ch]);
      i++;
    } else break;
  }
  if (digits.length === 0 || digits.length > 4 || digits[0] === '0' || src[i] !== ']') return null;
  return { n: Number(digits), end: i + 1 };
}

/**
 * Citation markers. The rule runs after markdown-it's link rule, so `[1](url)` and a `[1]` whose
 * link reference is defined stay links; what is left is a marker.
 */
export function citationsPlugin(md: MarkdownIt): void {
  md.inline.ruler.after('link', 'story_citation', citationRule);
  md.renderer.rules.story_citation = renderCitation;
}

function citationRule(state: StateInline, silent: boolean): boolean {
  if (state.linkLevel > 0) return false;
  const marker = readCitationMarker(state.src, state.pos);
  if (!marker || marker.end > state.posMax) return false;
  if (!silent) {
    const token = state.push('story_citation', '', 0);
    token.meta = { n: marker.n };
    const env = state.env as unknown as StoryEnv;
    if (env.collect && env.block) env.collect.citations.push({ block: env.block, from: state.pos, to: marker.end, n: marker.n });
  }
  state.pos = marker.end;
  return true;
}

const renderCitation: RendererRule = (tokens, idx, _options, rawEnv) => {
  const env = rawEnv as unknown as StoryEnv;
  const n = (tokens[idx]!.meta as { n: number }).n;
  const counts = (env.citeCount ??= new Map());
  const seen = (counts.get(n) ?? 0) + 1;
  counts.set(n, seen);
  // Ids must be unique: the first marker of N gets the plain id, later ones a numbered one.
  const id = seen === 1 ? `cite-ref-${n}` : `cite-ref-${n}-${seen}`;
  return `<sup class="cite"><a href="#cite-${n}" id="${id}">${n}</a></sup>`;
};
