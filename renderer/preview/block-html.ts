import { useLayoutEffect, useRef, type RefObject } from 'react';
import { commonPrefix, commonSuffix } from '../../shared/index.js';
import { sanitizeStoryHtml } from './sanitize.js';

/**
 * The preview's body kept up to date block by block. A keystroke changes one block of a 10,000-word
 * story; sanitising and re-parsing the whole story's HTML on every keystroke is what made typing
 * lag. So the shared renderer's HTML is cut into its top-level blocks, each block is sanitised once
 * (kept while the story still has it) and only blocks that changed are replaced in the page.
 *
 * A block is compared without its line numbers (its `data-line` values relative to its first), so
 * a new line above it does not make it new: only its `data-line` attributes are shifted.
 */

const TAG = /<(\/?)([a-zA-Z][a-zA-Z0-9-]*)[^>]*?(\/?)>/g;
const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr']);
const DATA_LINE = /(<[^>]*?\sdata-line=")(-?\d+)(")/g;

/**
 * The top-level blocks of the renderer's HTML (each with the blank that follows it), or null when
 * its tags do not nest as expected. Their concatenation is the input.
 */
function blocksOf(html: string): string[] | null {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  const close = (at: number) => {
    let end = at;
    while (end < html.length && (html[end] === '\n' || html[end] === ' ')) end++;
    out.push(html.slice(start, end));
    TAG.lastIndex = start = end;
  };
  TAG.lastIndex = 0;
  for (let m = TAG.exec(html); m; m = TAG.exec(html)) {
    const isVoid = m[3] === '/' || VOID.has(m[2]!.toLowerCase());
    if (depth === 0) {
      if (m[1] || html.slice(start, m.index).trim() !== '') return null;
      if (isVoid) close(TAG.lastIndex);
      else depth = 1;
    } else if (!isVoid) {
      depth += m[1] ? -1 : 1;
      if (depth === 0) close(TAG.lastIndex);
    }
  }
  if (depth !== 0 || html.slice(start).trim() !== '') return null;
  if (start < html.length) {
    if (out.length) out[out.length - 1] += html.slice(start);
    else out.push(html.slice(start));
  }
  return out;
}

/** The top-level blocks of the renderer's HTML; the whole as one block when they cannot be told apart. */
export function splitBlocks(html: string): string[] {
  return blocksOf(html) ?? (html ? [html] : []);
}

/** A block without its position: `data-line` values made relative to its first one. */
function relative(block: string): { key: string; base: number } {
  let base = NaN;
  const key = block.replace(DATA_LINE, (_, open: string, n: string, close: string) => {
    if (Number.isNaN(base)) base = Number(n);
    return `${open}${Number(n) - base}${close}`;
  });
  return { key, base: Number.isNaN(base) ? 0 : base };
}

interface Shown {
  /** The renderer's HTML of the block. */
  raw: string;
  /** `raw` with relative line numbers, and its first line. */
  key: string;
  base: number;
  nodes: Node[];
}

/** Adds `delta` to every `data-line` in these nodes. */
function shiftLines(nodes: readonly Node[], delta: number): void {
  if (delta === 0) return;
  for (const node of nodes) {
    if (!(node instanceof Element)) continue;
    const els = node.hasAttribute('data-line') ? [node, ...node.querySelectorAll('[data-line]')] : [...node.querySelectorAll('[data-line]')];
    for (const el of els) el.setAttribute('data-line', String(Number(el.getAttribute('data-line')) + delta));
  }
}

/** The sanitised body of one container, patched block by block. */
export class BlockHtml {
  private html = '';
  private shown: Shown[] = [];
  private sanitized = new Map<string, string>();

  /** `inserted` sees each block's nodes as they go into the page (the preview shows images asked for). */
  constructor(readonly container: HTMLElement, private readonly inserted?: (nodes: readonly Node[]) => void) {
    container.replaceChildren();
  }

  /** Shows the renderer's HTML (not yet sanitised) in the container. */
  update(html: string): void {
    const prev = this.html;
    if (html === prev && this.shown.length) return;
    const old = this.shown;
    // Blocks wholly inside the unchanged start and end of the HTML stay as they are (the character
    // after or before each is unchanged too, so the cut between blocks is where it was).
    const pre = commonPrefix(prev, html);
    const suf = commonSuffix(prev, html, Math.min(prev.length, html.length) - pre);
    let head = 0;
    let from = 0;
    while (head < old.length && from + old[head]!.raw.length < pre) from += old[head++]!.raw.length;
    let tail = 0;
    let back = 0;
    while (tail < old.length - head && back + old[old.length - 1 - tail]!.raw.length < suf) back += old[old.length - 1 - tail++]!.raw.length;
    let middle = blocksOf(html.slice(from, html.length - back));
    if (!middle) {
      head = tail = 0;
      middle = splitBlocks(html);
    }
    const next = middle.map((raw) => ({ raw, ...relative(raw) }));
    // Within the rest, blocks that only moved (same block, other lines) stay too.
    const rest = old.slice(head, old.length - tail);
    let h = 0;
    while (h < rest.length && h < next.length && rest[h]!.key === next[h]!.key) h++;
    let t = 0;
    while (t < rest.length - h && t < next.length - h && rest[rest.length - 1 - t]!.key === next[next.length - 1 - t]!.key) t++;
    const moved = (b: Shown, n: { raw: string; base: number }) => {
      shiftLines(b.nodes, n.base - b.base);
      b.base = n.base;
      b.raw = n.raw;
    };
    for (let i = 0; i < h; i++) moved(rest[i]!, next[i]!);
    for (let i = 0; i < t; i++) moved(rest[rest.length - 1 - i]!, next[next.length - 1 - i]!);

    // The changed blocks, sanitised (once per block) and put in place of the old ones.
    const before = [...rest.slice(rest.length - t), ...old.slice(old.length - tail)].find((b) => b.nodes.length > 0)?.nodes[0] ?? null;
    for (const b of rest.slice(h, rest.length - t)) for (const n of b.nodes) n.parentNode?.removeChild(n);
    const made: Shown[] = [];
    const scratch = document.createElement('div');
    for (const b of next.slice(h, next.length - t)) {
      let clean = this.sanitized.get(b.key);
      if (clean === undefined) this.sanitized.set(b.key, (clean = sanitizeStoryHtml(b.key)));
      scratch.innerHTML = clean;
      const nodes = [...scratch.childNodes];
      shiftLines(nodes, b.base);
      for (const n of nodes) this.container.insertBefore(n, before);
      this.inserted?.(nodes);
      made.push({ ...b, nodes });
    }
    this.shown = [...old.slice(0, head), ...rest.slice(0, h), ...made, ...rest.slice(rest.length - t), ...old.slice(old.length - tail)];
    this.html = html;
    // Sanitised blocks no longer shown are dropped now and then.
    if (this.sanitized.size > 2 * this.shown.length + 64) {
      const keep = new Set(this.shown.map((b) => b.key));
      for (const k of this.sanitized.keys()) if (!keep.has(k)) this.sanitized.delete(k);
    }
  }
}

/** Keeps `ref`'s element showing `html` (the renderer's, sanitised here), block by block. */
export function useBlockHtml(ref: RefObject<HTMLElement | null>, html: string, inserted?: (nodes: readonly Node[]) => void): void {
  const state = useRef<BlockHtml | null>(null);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) {
      state.current = null;
      return;
    }
    if (state.current?.container !== el) state.current = new BlockHtml(el, inserted);
    state.current.update(html);
  });
}
