import type { MarkdownIt, StateInline, RendererRule } from 'markdown-it';
import { REFERENCE_KINDS, type ReferenceKind } from '../catalog/schema.js';
import { referenceUrl } from '../site.js';
import { isValidSlug } from '../slug.js';
import { escapeHtml } from '../text-util.js';
import type { StoryEnv } from './env.js';

const OPEN_BRACE = 0x7b;

/**
 * `{{KIND:SLUG|LABEL}}` and `{{KIND:SLUG}}`. Anything else that starts with `{{` is pushed as the
 * text typed (and collected as malformed), so it never swallows what follows: an unclosed `{{`
 * gives up only its two braces, and the next reference on the line still parses.
 */
export function referencesPlugin(md: MarkdownIt): void {
  md.inline.ruler.before('escape', 'story_reference', referenceRule);
  md.renderer.rules.story_reference = renderReference;
}

function referenceRule(state: StateInline, silent: boolean): boolean {
  const src = state.src;
  const start = state.pos;
  if (src.charCodeAt(start) !== OPEN_BRACE || src.charCodeAt(start + 1) !== OPEN_BRACE) return false;
  // `{{{x:y}}}`: the first brace is a literal one before a reference.
  if (src.charCodeAt(start + 2) === OPEN_BRACE) {
    if (!silent) state.pending += '{';
    state.pos += 1;
    return true;
  }
  const find = findersOf(state);
  let lineEnd = find.newline.next(src, start);
  if (lineEnd === -1 || lineEnd > state.posMax) lineEnd = state.posMax;
  const close = find.close.next(src, start + 2);
  const pipe = find.pipe.next(src, start + 2);
  const headEnd = pipe !== -1 && pipe < close ? pipe : close;
  const reopen = find.open.next(src, start + 2);
  if (close === -1 || close + 2 > lineEnd || (reopen !== -1 && reopen < headEnd)) {
    if (!silent) {
      state.pending += '{{';
      collect(state, { from: start, to: lineEnd, malformed: { reason: 'unclosed' } });
    }
    state.pos += 2;
    return true;
  }
  const end = close + 2;
  if (silent) {
    state.pos = end;
    return true;
  }
  const head = src.slice(start + 2, headEnd);
  const colon = head.indexOf(':');
  const kind = colon === -1 ? head : head.slice(0, colon);
  const kindFrom = start + 2;
  if (colon === -1 || !(REFERENCE_KINDS as readonly string[]).includes(kind)) {
    state.pending += src.slice(start, end);
    collect(state, { from: start, to: end, malformed: { reason: 'kind', partFrom: kindFrom, partTo: kindFrom + kind.length } });
    state.pos = end;
    return true;
  }
  const slugFrom = kindFrom + colon + 1;
  const slug = src.slice(slugFrom, headEnd);
  if (!isValidSlug(slug)) {
    state.pending += src.slice(start, end);
    collect(state, { from: start, to: end, malformed: { reason: 'slug', partFrom: slugFrom, partTo: headEnd } });
    state.pos = end;
    return true;
  }
  const hasLabel = headEnd === pipe && close > pipe + 1;
  const label = hasLabel ? src.slice(pipe + 1, close) : undefined;
  const token = state.push('story_reference', '', 0);
  token.meta = { kind, slug, label, inLink: state.linkLevel > 0 };
  token.content = label ?? '';
  collect(state, {
    from: start,
    to: end,
    kind: kind as ReferenceKind,
    slug,
    label,
    slugFrom,
    slugTo: headEnd,
    labelFrom: hasLabel ? pipe + 1 : undefined,
    labelTo: hasLabel ? close : undefined,
  });
  state.pos = end;
  return true;
}

/**
 * `src.indexOf(needle, from)`, remembering its last answer: an answer `at` found from `from` is
 * also the answer for every later start up to `at`. The rule asks at each `{{`, and a line of
 * `{{a{{a…` (or `{{` with no `}}` anywhere after it) would otherwise scan to the line's or the
 * text's end each time: quadratic. Asked in increasing order, the scans never overlap: linear.
 */
class NextIndex {
  private src = '';
  private from = -1;
  private at = -1;

  constructor(private readonly needle: string) {}

  next(src: string, from: number): number {
    if (src !== this.src || from < this.from || (this.at !== -1 && from > this.at)) {
      this.src = src;
      this.from = from;
      this.at = src.indexOf(this.needle, from);
    }
    return this.at;
  }
}

interface Finders {
  newline: NextIndex;
  close: NextIndex;
  pipe: NextIndex;
  open: NextIndex;
}

/** One set of finders per inline parse (link labels are parsed again with the same state). */
const finders = new WeakMap<StateInline, Finders>();

function findersOf(state: StateInline): Finders {
  let f = finders.get(state);
  if (!f) finders.set(state, (f = { newline: new NextIndex('\n'), close: new NextIndex('}}'), pipe: new NextIndex('|'), open: new NextIndex('{{') }));
  return f;
}

function collect(state: StateInline, ref: Omit<import('./env.js').RawReference, 'block'>): void {
  const env = state.env as unknown as StoryEnv;
  if (env.collect && env.block) env.collect.references.push({ block: env.block, ...ref });
}

const renderReference: RendererRule = (tokens, idx, _options, rawEnv) => {
  const env = rawEnv as unknown as StoryEnv;
  const { kind, slug, label, inLink } = tokens[idx]!.meta as { kind: ReferenceKind; slug: string; label?: string; inLink: boolean };
  const name = env.catalog.displayName(kind, slug);
  const text = escapeHtml(label ?? name ?? slug);
  const data = `data-kind="${kind}" data-slug="${slug}"`;
  if (name === undefined) return `<span class="ref ref-unresolved" ${data}>${text}</span>`;
  // An anchor may not hold another: inside link text the reference keeps its class, not its link.
  if (inLink) return `<span class="ref ref-${kind}" ${data}>${text}</span>`;
  return `<a class="ref ref-${kind}" href="${escapeHtml(referenceUrl(env.site, kind, slug))}" ${data}>${text}</a>`;
};
