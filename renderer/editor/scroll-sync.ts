import type { EditorView } from '@codemirror/view';

/** The preview's line-tagged block elements, in document order. */
function blocks(preview: HTMLElement): Array<{ line: number; el: HTMLElement }> {
  const out: Array<{ line: number; el: HTMLElement }> = [];
  for (const el of preview.querySelectorAll<HTMLElement>('[data-line]')) {
    const line = Number(el.dataset.line);
    if (Number.isFinite(line)) out.push({ line, el });
  }
  return out;
}

function offsetTop(el: HTMLElement, container: HTMLElement): number {
  return el.getBoundingClientRect().top - container.getBoundingClientRect().top + container.scrollTop;
}

/**
 * Scroll sync between the editor and the preview through `data-line`: each side maps its top to a
 * (fractional) file line and the other scrolls there. Each side remembers where its last programmatic
 * scroll landed and ignores that scroll's event, which guards against feedback loops.
 */
export class ScrollSync {
  /** Where the last programmatic scroll of each side landed: its own scroll event is then ignored. */
  private editorSetTo: number | null = null;
  private previewSetTo: number | null = null;

  /** The preview's line elements, read once per preview update (a mutation clears them). */
  private lines: Array<{ line: number; el: HTMLElement }> | null = null;
  private readonly observer: MutationObserver | null;

  constructor(
    private view: EditorView,
    private preview: HTMLElement,
  ) {
    this.observer = typeof MutationObserver === 'undefined' ? null : new MutationObserver(() => (this.lines = null));
    this.observer?.observe(preview, { childList: true, subtree: true, attributes: true, attributeFilter: ['data-line'] });
  }

  /** Stops watching the preview (the pair is rebuilt when either side comes or goes). */
  dispose(): void {
    this.observer?.disconnect();
  }

  private blocks(): Array<{ line: number; el: HTMLElement }> {
    if (this.observer === null) return blocks(this.preview);
    return (this.lines ??= blocks(this.preview));
  }

  /** The fractional file line at the top of the editor. */
  editorTopLine(): number {
    const scroller = this.view.scrollDOM;
    const block = this.view.lineBlockAtHeight(scroller.scrollTop);
    const line = this.view.state.doc.lineAt(block.from).number;
    const frac = block.height > 0 ? (scroller.scrollTop - block.top) / block.height : 0;
    return line + Math.max(0, Math.min(1, frac));
  }

  onEditorScroll(): void {
    const own = this.editorSetTo;
    this.editorSetTo = null;
    if (own !== null && Math.abs(this.view.scrollDOM.scrollTop - own) < 2) return;
    if (this.view.scrollDOM.scrollTop <= 0) return this.scrollPreviewTo(0);
    const line = this.editorTopLine();
    const list = this.blocks();
    if (list.length === 0) return;
    let lo = 0;
    let hi = list.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (list[mid]!.line <= line) lo = mid;
      else hi = mid - 1;
    }
    const cur = list[lo]!;
    let k = lo + 1;
    while (k < list.length && list[k]!.line <= cur.line) k++;
    const next = list[k];
    const top = offsetTop(cur.el, this.preview);
    let target = top;
    if (line >= cur.line && next) {
      const frac = (line - cur.line) / (next.line - cur.line);
      target = top + frac * (offsetTop(next.el, this.preview) - top);
    } else if (line < cur.line) target = 0;
    this.scrollPreviewTo(target);
  }

  private scrollPreviewTo(target: number): void {
    if (Math.abs(this.preview.scrollTop - target) < 2) return;
    this.preview.scrollTop = target;
    this.previewSetTo = this.preview.scrollTop;
  }

  onPreviewScroll(): void {
    const own = this.previewSetTo;
    this.previewSetTo = null;
    if (own !== null && Math.abs(this.preview.scrollTop - own) < 2) return;
    const list = this.blocks();
    if (list.length === 0) return;
    const top = this.preview.scrollTop;
    if (top <= 0) return this.scrollEditorTo(0);
    // The last element whose top is at or above the preview's top: elements in document order
    // have non-decreasing tops, so a binary search reads ~log n layouts, not n.
    let i = 0;
    let hi = list.length - 1;
    while (i < hi) {
      const mid = (i + hi + 1) >> 1;
      if (offsetTop(list[mid]!.el, this.preview) <= top) i = mid;
      else hi = mid - 1;
    }
    const cur = list[i]!;
    const next = list[i + 1];
    const curTop = offsetTop(cur.el, this.preview);
    let line = cur.line;
    if (next && next.line > cur.line) {
      const span = offsetTop(next.el, this.preview) - curTop;
      if (span > 0) line += ((top - curTop) / span) * (next.line - cur.line);
    }
    const doc = this.view.state.doc;
    const whole = Math.max(1, Math.min(doc.lines, Math.floor(line)));
    const block = this.view.lineBlockAt(doc.line(whole).from);
    this.scrollEditorTo(block.top + (line - whole) * block.height);
  }

  private scrollEditorTo(target: number): void {
    if (Math.abs(this.view.scrollDOM.scrollTop - target) < 2) return;
    this.view.scrollDOM.scrollTop = target;
    this.editorSetTo = this.view.scrollDOM.scrollTop;
  }
}
