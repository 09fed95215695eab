import { indexCatalog, type Catalog, type CatalogIndex } from '../catalog/index.js';
import { IncrementalRender } from '../render/incremental.js';
import type { Story } from '../story/types.js';
import { readBlockFacts, type BodyFacts } from './body-facts.js';
import { lintStory, type LintOptions } from './lint-story.js';
import { LINT_RULES } from './registry.js';
import type { Diagnostic } from './types.js';

type Block = { start: number; end: number };

/** The rules that judge one reference at a time, and the others (LINT_RULES' order within each). */
const BLOCK_RULES = ['ref-syntax', 'ref-unknown', 'ref-label-mismatch'];
const OTHER_RULES = LINT_RULES.map((r) => r.name).filter((n) => !BLOCK_RULES.includes(n));
/** What a block's findings are read against: no front matter, no other text. */
const EMPTY_STORY: Story = {
  format: 'md', meta: {}, body: '', bodyStart: { offset: 0, line: 0, column: 0 }, head: '', frontMatter: null, frontMatterOffset: 0, spans: {}, notices: [],
};

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
    const placed: Array<{ block: Block; rel: BodyFacts; base: number }> = [];
    this.placed = placed;
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
      placed.push({ block: b, rel, base });
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

  /**
   * `lintStory(story, catalog, options)`. The rules that look at one reference at a time (syntax,
   * unknown slug, label) are run once per block and their findings moved with it; the others run
   * over the story as a full lint runs them. Their findings never share a range (a reference is not
   * a marker, and front-matter findings lie in the head), so merging by range gives lintStory's order.
   */
  lint(story: Story, catalog?: Catalog | CatalogIndex, options: LintOptions = {}): Diagnostic[] {
    const facts = this.facts(story);
    if (options.rules || story.error) return lintStory(story, catalog, { ...options, body: facts });
    const index = indexCatalog(catalog);
    if (index !== this.catalog) {
      this.catalog = index;
      this.diagnostics = new WeakMap();
    }
    const local: Diagnostic[] = [];
    const at = story.bodyStart;
    for (const { block: b, rel, base } of this.placed) {
      let found = this.diagnostics.get(rel);
      if (!found) {
        found = lintStory(EMPTY_STORY, index, { rules: BLOCK_RULES, body: rel });
        this.diagnostics.set(rel, found);
      }
      for (const d of found) {
        const move = (x: number) => base + x;
        const fix = d.fix === undefined ? undefined : Array.isArray(d.fix) ? d.fix.map((f) => ({ ...f, from: move(f.from), to: move(f.to) })) : { ...d.fix, from: move(d.fix.from), to: move(d.fix.to) };
        local.push({
          ...d, from: move(d.from), to: move(d.to), line: at.line + b.start + d.line,
          column: (b.start + d.line === 0 ? at.column : 0) + d.column, ...(fix ? { fix } : {}),
        });
      }
    }
    const rest = lintStory(story, index, { rules: OTHER_RULES, body: { references: [], malformed: [], citations: facts.citations } });
    // Both lists are in range order: merge them.
    const out: Diagnostic[] = [];
    let i = 0;
    let j = 0;
    while (i < local.length || j < rest.length) {
      const a = local[i];
      const c = rest[j];
      if (c === undefined || (a !== undefined && (a.from - c.from || a.to - c.to) <= 0)) out.push(local[i++]!);
      else out.push(rest[j++]!);
    }
    return out;
  }

  private catalog: CatalogIndex | null = null;
  /** The block rules' findings in a block's own offsets, by the block's facts. */
  private diagnostics = new WeakMap<BodyFacts, Diagnostic[]>();
  /** The blocks with facts, as the last `facts` placed them. */
  private placed: Array<{ block: Block; rel: BodyFacts; base: number }> = [];
}
