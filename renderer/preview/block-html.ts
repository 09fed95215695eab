import { useLayoutEffect, useRef, type RefObject } from 'react';
import { sanitizeStoryHtml } from './sanitize.js';

/**
 * The preview's body kept block by block (issue 13). The shared renderer hands over the body's
 * top-level blocks (`IncrementalRender.renderBlocks`), each as its HTML with `data-line` values
 * counted from the block's first line, and that line; the page keeps the nodes of each block. After
 * an edit only the blocks whose HTML changed are sanitised (once per block text) and put in place of
 * the old ones; a block that only moved keeps its nodes and has its `data-line` attributes shifted.
 * Nothing per keystroke reads the whole story's HTML: unchanged blocks are found by comparing
 * strings the renderer keeps (the same objects while a block renders the same).
 */

/** One block of the body: its HTML with `data-line` relative to `line`, and `line`. */
export interface PreviewBlock {
  html: string;
  line: number;
}

interface Shown {
  html: string;
  line: number;
  nodes: Node[];
}

/** Adds `delta` to every `data-line` in these nodes. */
function shiftLines(nodes: readonly Node[], delta: number): void {
  if (delta === 0) return;
  for (const node of nodes) {
    if (!(node instanceof Element)) continue;
    if (node.hasAttribute('data-line')) node.setAttribute('data-line', String(Number(node.getAttribute('data-line')) + delta));
    for (const el of node.querySelectorAll('[data-line]')) el.setAttribute('data-line', String(Number(el.getAttribute('data-line')) + delta));
  }
}

/** The sanitised body of one container, patched block by block. */
export class BlockHtml {
  private shown: Shown[] = [];
  private sanitized = new Map<string, string>();
  private last: readonly PreviewBlock[] | null = null;
  /** How many blocks the last update replaced (for tests). */
  replaced = 0;

  /** `inserted` sees each block's nodes as they go into the page (the preview shows images asked for). */
  constructor(
    readonly container: HTMLElement,
    private readonly inserted?: (nodes: readonly Node[]) => void,
  ) {
    container.replaceChildren();
  }

  /** Shows these blocks (the renderer's HTML, not yet sanitised) in the container. */
  update(next: readonly PreviewBlock[]): void {
    if (next === this.last) return;
    this.last = next;
    const old = this.shown;
    // The blocks kept at either end: the same HTML (most often the same string object).
    let h = 0;
    while (h < old.length && h < next.length && old[h]!.html === next[h]!.html) h++;
    let t = 0;
    while (t < old.length - h && t < next.length - h && old[old.length - 1 - t]!.html === next[next.length - 1 - t]!.html) t++;
    const moved = (b: Shown, n: PreviewBlock) => {
      shiftLines(b.nodes, n.line - b.line);
      b.line = n.line;
      b.html = n.html;
    };
    // (Each kept block takes the new string object, so that next time it is compared by pointer.)
    for (let i = 0; i < h; i++) moved(old[i]!, next[i]!);
    for (let i = 1; i <= t; i++) moved(old[old.length - i]!, next[next.length - i]!);
    if (h === old.length && h === next.length) {
      this.replaced = 0;
      return;
    }

    // The changed blocks, sanitised (once per block text) and put in place of the old ones.
    let before: Node | null = null;
    for (let i = old.length - t; i < old.length && before === null; i++) before = old[i]!.nodes[0] ?? null;
    for (let i = h; i < old.length - t; i++) for (const n of old[i]!.nodes) n.parentNode?.removeChild(n);
    const made: Shown[] = [];
    const scratch = document.createElement('div');
    for (let i = h; i < next.length - t; i++) {
      const b = next[i]!;
      let clean = this.sanitized.get(b.html);
      if (clean === undefined) this.sanitized.set(b.html, (clean = sanitizeStoryHtml(b.html)));
      scratch.innerHTML = clean;
      const nodes = [...scratch.childNodes];
      shiftLines(nodes, b.line);
      for (const n of nodes) this.container.insertBefore(n, before);
      this.inserted?.(nodes);
      made.push({ html: b.html, line: b.line, nodes });
    }
    this.replaced = made.length;
    this.shown = h === 0 && t === 0 ? made : [...old.slice(0, h), ...made, ...old.slice(old.length - t)];
    // Sanitised blocks no longer shown are dropped now and then.
    if (this.sanitized.size > 2 * this.shown.length + 64) {
      const keep = new Set(this.shown.map((b) => b.html));
      for (const k of this.sanitized.keys()) if (!keep.has(k)) this.sanitized.delete(k);
    }
  }
}

/** Keeps `ref`'s element showing `blocks` (the renderer's, sanitised here), block by block. */
export function useBlockHtml(ref: RefObject<HTMLElement | null>, blocks: readonly PreviewBlock[], inserted?: (nodes: readonly Node[]) => void): void {
  const state = useRef<BlockHtml | null>(null);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) {
      state.current = null;
      return;
    }
    if (state.current?.container !== el) state.current = new BlockHtml(el, inserted);
    state.current.update(blocks);
  });
}
