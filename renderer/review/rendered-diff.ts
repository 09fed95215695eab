import { renderHtml, storyFields, type CatalogIndex, type Story } from '../../shared/index.js';
import { sanitizeStoryHtml } from '../preview/sanitize.js';
import { planBlocks, wordDiff, type BlockKey, type CharRange } from './diff-plan.js';

/** One row of the review: the block before and after (HTML, sanitised), either of which may be missing. */
export interface ReviewRow {
  type: 'same' | 'changed' | 'removed' | 'added';
  before: string | null;
  after: string | null;
  /** Where the row is, in words: "the title", "paragraph 3" (of the after side; a removal's, of the before side). */
  where: string;
}

export interface ReviewDiff {
  rows: ReviewRow[];
  /** Runs of inserted words plus inserted blocks. */
  insertions: number;
  /** Runs of deleted words plus deleted blocks. */
  deletions: number;
}

/**
 * The blocks of a story as the preview shows them: a header (title, dek, beat and status, built as
 * text) and the top-level blocks of the shared renderer's sanitised HTML. Parsed in an inert
 * document, so nothing in it loads or runs.
 */
/** How many of a story's blocks are its header (title, dek, beat and status). */
const headCount = (blocks: Element[]) => blocks.findIndex((el) => el.classList.contains('story-meta')) + 1;

function storyBlocks(doc: Document, story: Story, catalog: CatalogIndex, site: string): Element[] {
  const f = storyFields(story);
  const blocks: Element[] = [];
  const h1 = doc.createElement('h1');
  h1.textContent = f.title ?? 'Untitled story';
  blocks.push(h1);
  if (f.dek) {
    const dek = doc.createElement('p');
    dek.className = 'dek';
    dek.textContent = f.dek;
    blocks.push(dek);
  }
  const beat = f.beat ? (catalog.beats.get(f.beat)?.name ?? f.beat) : '';
  const meta = doc.createElement('p');
  meta.className = 'story-meta';
  meta.textContent = [beat, f.status ?? 'draft'].filter(Boolean).join(' · ');
  blocks.push(meta);
  const body = doc.createElement('div');
  body.innerHTML = sanitizeStoryHtml(renderHtml(story, { catalog, site }));
  blocks.push(...Array.from(body.children));
  return blocks;
}

function keyOf(el: Element): BlockKey {
  // Line numbers shift whenever anything above changes: they are not part of what a block says.
  return { key: el.outerHTML.replace(/ data-line="\d+"/g, ''), tag: `${el.tagName}.${el.className}` };
}

/** Wraps the characters of `ranges` (offsets in the element's text) in `<ins>` or `<del>`, across inline markup. */
function wrapRanges(el: Element, ranges: CharRange[], tag: 'ins' | 'del'): void {
  if (ranges.length === 0) return;
  const doc = el.ownerDocument;
  const walker = doc.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  const nodes: Text[] = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode()) nodes.push(n as Text);
  let offset = 0;
  for (const node of nodes) {
    const text = node.data;
    const start = offset;
    const end = offset + text.length;
    offset = end;
    const cuts = ranges.filter((r) => r.from < end && r.to > start);
    if (cuts.length === 0) continue;
    const frag = doc.createDocumentFragment();
    let pos = 0;
    for (const r of cuts) {
      const from = Math.max(r.from, start) - start;
      const to = Math.min(r.to, end) - start;
      if (from > pos) frag.append(text.slice(pos, from));
      const mark = doc.createElement(tag);
      mark.textContent = text.slice(from, to);
      frag.append(mark);
      pos = to;
    }
    if (pos < text.length) frag.append(text.slice(pos));
    node.replaceWith(frag);
  }
}

/**
 * The rendered difference between two versions of a story: blocks lined up side by side, changed
 * blocks with their removed words in `<del>` (before) and added words in `<ins>` (after). Computed
 * from the shared renderer's output, so what is compared is what readers would see.
 */
export function renderedDiff(before: Story, after: Story, catalog: CatalogIndex, site: string): ReviewDiff {
  const doc = document.implementation.createHTMLDocument('review');
  const a = storyBlocks(doc, before, catalog, site);
  const b = storyBlocks(doc, after, catalog, site);
  const plan = planBlocks(a.map(keyOf), b.map(keyOf));
  let insertions = 0;
  let deletions = 0;
  const heads = [headCount(a), headCount(b)];
  const where = (blocks: Element[], i: number, head: number) => {
    if (i >= head) return `paragraph ${i - head + 1}`;
    const el = blocks[i]!;
    return el.tagName === 'H1' ? 'the title' : el.classList.contains('dek') ? 'the standfirst' : 'the beat and status';
  };
  const rows: Omit<ReviewRow, 'where'>[] = plan.map((row) => {
    if (row.type === 'same') return { type: 'same', before: a[row.a]!.outerHTML, after: b[row.b]!.outerHTML };
    if (row.type === 'removed') {
      deletions++;
      return { type: 'removed', before: a[row.a]!.outerHTML, after: null };
    }
    if (row.type === 'added') {
      insertions++;
      return { type: 'added', before: null, after: b[row.b]!.outerHTML };
    }
    const x = a[row.a]!;
    const y = b[row.b]!;
    const words = wordDiff(x.textContent ?? '', y.textContent ?? '');
    if (!words) {
      deletions++;
      insertions++;
      return { type: 'changed', before: `<del class="diff-block">${x.outerHTML}</del>`, after: `<ins class="diff-block">${y.outerHTML}</ins>` };
    }
    wrapRanges(x, words.removed, 'del');
    wrapRanges(y, words.added, 'ins');
    deletions += words.removed.length;
    insertions += words.added.length;
    // Same words, other markup (a link's target, a reference now resolved): the block as a whole changed.
    if (words.removed.length === 0 && words.added.length === 0) {
      x.classList.add('diff-markup');
      y.classList.add('diff-markup');
      deletions++;
      insertions++;
    }
    return { type: 'changed', before: x.outerHTML, after: y.outerHTML };
  });
  // Sanitised once more as it leaves for the page: the marks were added to already-clean markup.
  return {
    rows: rows.map((r, i) => ({
      ...r,
      before: r.before === null ? null : sanitizeStoryHtml(r.before),
      after: r.after === null ? null : sanitizeStoryHtml(r.after),
      where: plan[i]!.type === 'removed' ? where(a, plan[i]!.a!, heads[0]!) : where(b, plan[i]!.b!, heads[1]!),
    })),
    insertions,
    deletions,
  };
}
