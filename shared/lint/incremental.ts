import type { Catalog, CatalogIndex } from '../catalog/index.js';
import { IncrementalRender } from '../render/incremental.js';
import type { Story } from '../story/types.js';
import { readBlockFacts, type BodyFacts } from './body-facts.js';
import { lintStory, type LintOptions } from './lint-story.js';
import type { Diagnostic } from './types.js';

type Block = { start: number; end: number };

/**
 * The linter for a story being edited (issue 13): what each top-level block holds (references,
 * malformed `{{…}}`, citation markers) is read once per block text and kept, so a keystroke reads
 * one paragraph again; the story's facts are the blocks' facts moved to where the blocks now are,
 * and the rules (citations used and missing, the front matter's) run over them as a full lint
 * does. Equal to `lintStory` of the same story after every edit (a property test holds it to that).
 * The blocks are markdown-it's top-level blocks, kept by `IncrementalRender` (which says why a
 * block read alone reads as it does in the story).
 */
export class IncrementalLint {
  private readonly blocks = new IncrementalRender({ html: false });
  /** Facts of the blocks shown now, by block (blocks kept across edits keep their identity). */
  private byBlock = new WeakMap<Block, BodyFacts>();
  /** Facts by block text, for blocks that come back (undo, a paragraph moved). */
  private byText = new Map<string, BodyFacts>();
  private references: Record<string, unknown> | null = null;

  /** The story's body facts, as `readBodyFacts` reads them. */
  facts(story: Story): BodyFacts {
    const { blocks, starts, references } = this.blocks.parse(story.body, 1);
    if (references !== this.references) {
      // Other link definitions can make a `[1]` a link or a marker anywhere: read every block again.
      this.references = references;
      this.byBlock = new WeakMap();
      this.byText.clear();
    }
    const body = story.body;
    const at = story.bodyStart;
    const out = { references: [] as BodyFacts['references'][number][], malformed: [] as BodyFacts['malformed'][number][], citations: [] as BodyFacts['citations'][number][] };
    for (const b of blocks) {
      let rel = this.byBlock.get(b);
      if (!rel) {
        const text = body.slice(starts[b.start] ?? body.length, b.end < starts.length ? starts[b.end] : body.length);
        rel = this.byText.get(text);
        if (!rel) this.byText.set(text, (rel = readBlockFacts(text, references)));
        this.byBlock.set(b, rel);
      }
      if (rel.references.length === 0 && rel.malformed.length === 0 && rel.citations.length === 0) continue;
      const base = at.offset + (starts[b.start] ?? body.length);
      const place = (p: { line: number; column: number }) => ({
        line: at.line + b.start + p.line,
        column: (b.start + p.line === 0 ? at.column : 0) + p.column,
      });
      for (const r of rel.references) {
        out.references.push({
          ...r, ...place(r), from: base + r.from, to: base + r.to, slugFrom: base + r.slugFrom, slugTo: base + r.slugTo,
          ...(r.labelFrom !== undefined ? { labelFrom: base + r.labelFrom, labelTo: base + r.labelTo! } : {}),
        });
      }
      for (const m of rel.malformed) {
        out.malformed.push({
          ...m, ...place(m), from: base + m.from, to: base + m.to,
          ...(m.partFrom !== undefined ? { partFrom: base + m.partFrom, partTo: base + m.partTo! } : {}),
        });
      }
      for (const c of rel.citations) out.citations.push({ ...c, ...place(c), from: base + c.from, to: base + c.to });
    }
    if (this.byText.size > 2 * blocks.length + 64) this.byText.clear();
    return Object.freeze({ references: Object.freeze(out.references), malformed: Object.freeze(out.malformed), citations: Object.freeze(out.citations) });
  }

  /** `lintStory(story, catalog, options)`, with the body's facts read incrementally. */
  lint(story: Story, catalog?: Catalog | CatalogIndex, options: LintOptions = {}): Diagnostic[] {
    return lintStory(story, catalog, { ...options, body: this.facts(story) });
  }
}
