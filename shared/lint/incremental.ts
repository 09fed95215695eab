import { indexCatalog, type Catalog, type CatalogIndex } from '../catalog/index.js';
import { IncrementalRender, type KnownEdit } from '../render/incremental.js';
import { storyFields } from '../story/fields.js';
import type { CitationOccurrence, MalformedReference, ReferenceOccurrence, Story, StoryFields } from '../story/types.js';
import { readBlockFacts, type BodyFacts } from './body-facts.js';
import { lintStory, type LintOptions } from './lint-story.js';
import { LINT_RULES } from './registry.js';
import type { Diagnostic, Fix } from './types.js';

type Block = { start: number; end: number };

/**
 * The rules whose findings lie in one block and depend on that block alone (and, for
 * `citation-missing`, on which citations the front matter lists), and the others, whose findings lie
 * in the front matter (LINT_RULES' order within each).
 */
const BLOCK_RULES = ['ref-syntax', 'ref-unknown', 'ref-label-mismatch', 'citation-missing'];
const HEAD_RULES = LINT_RULES.map((r) => r.name).filter((n) => !BLOCK_RULES.includes(n));
/** What a block's findings are read against: no front matter, no other text. */
const EMPTY_STORY: Story = {
  format: 'md',
  meta: {},
  body: '',
  bodyStart: { offset: 0, line: 0, column: 0 },
  head: '',
  frontMatter: null,
  frontMatterOffset: 0,
  spans: {},
  notices: [],
};
const NONE: readonly never[] = Object.freeze([]);

/** What is kept for one block shown now: its facts, and both placed where the block was last seen. */
interface Kept {
  rel: BodyFacts;
  /** The block's findings in its own offsets, for the citations known when they were made. */
  diags: readonly Diagnostic[] | null;
  diagsKey: string;
  /** `diags` moved into the file, for the place below. */
  placedDiags: readonly Diagnostic[] | null;
  /** `rel` moved into the file, for the place below. */
  placedFacts: BodyFacts | null;
  /** The place `placed*` were made for: file offset of the block's start, its line, its column shift. */
  base: number;
  line: number;
  column: number;
}

/**
 * The linter for a story being edited (issue 13): what each top-level block holds (references,
 * malformed `{{…}}`, citation markers) is read once per block text and kept, so a keystroke reads
 * one paragraph again. A block's own findings (reference syntax, unknown slugs, labels, markers
 * with no citation) are made once per block and moved with it: blocks before the edit keep the very
 * objects of the last lint, blocks after it get copies moved by the edit. The story-wide rules
 * (citations never cited, the front matter's) read the front matter and the set of citation numbers
 * the body cites, kept as counts updated by the blocks an edit takes out and puts in; they run again
 * only when the front matter or that set changes. Equal to `lintStory` of the same story after
 * every edit (a property test holds it to that). The blocks are markdown-it's top-level blocks,
 * kept by `IncrementalRender` (which says why a block read alone reads as it does in the story).
 */
export class IncrementalLint {
  private readonly blocks = new IncrementalRender({ html: false });
  /** What is kept of each block, in the blocks' order (a block kept across edits keeps its entry). */
  private kept: Kept[] = [];
  /** Facts by block text, for blocks that come back (undo, a paragraph moved). */
  private byText = new Map<string, BodyFacts>();
  private references: Record<string, unknown> | null = null;
  /** How many markers of each citation number the body holds. */
  private cited = new Map<number, number>();
  /** Bumped whenever a number starts or stops being cited. */
  private citedVersion = 0;
  private body: string | null = null;
  private starts: readonly number[] = [0];
  private list: readonly Block[] = [];

  /** Edits told by `edited` since the last sync: from the body synced last to `to`. */
  private told: { from: string; to: string; known: KnownEdit } | null = null;

  /**
   * Tells the linter that body `to` is body `from` changed only between its first `known.prefix`
   * and last `known.suffix` characters (the editor knows it from its transaction), so the next lint
   * need not compare the two bodies to find the edit. Edits told one after another before a lint
   * add up (what all of them left alone is the least of their prefixes and of their suffixes).
   */
  edited(from: string, to: string, known: KnownEdit): void {
    const t = this.told;
    this.told =
      t && t.to === from
        ? { from: t.from, to, known: { prefix: Math.min(t.known.prefix, known.prefix), suffix: Math.min(t.known.suffix, known.suffix) } }
        : { from, to, known };
  }

  /** Brings the blocks, their facts and the citation counts up to date with the story's body. */
  private sync(story: Story): void {
    const body = story.body;
    if (body === this.body) return;
    const t = this.told;
    this.told = null;
    const known = t && t.to === body && t.from === this.body ? t.known : undefined;
    const { blocks, starts, references } = this.blocks.parse(body, 1, known);
    let change = this.blocks.lastChange;
    if (references !== this.references) {
      // Other link definitions can make a `[1]` a link or a marker anywhere: read every block again.
      this.references = references;
      this.byText.clear();
      change = null;
    }
    const previous = this.body ?? '';
    const previousLines = this.starts.length;
    this.body = body;
    this.starts = starts;
    this.list = blocks;
    const keep = (b: Block): Kept => {
      const text = body.slice(starts[b.start] ?? body.length, b.end < starts.length ? starts[b.end] : body.length);
      let rel = this.byText.get(text);
      if (!rel) this.byText.set(text, (rel = readBlockFacts(text, references)));
      this.count(rel, 1);
      return { rel, diags: null, diagsKey: '', placedDiags: null, placedFacts: null, base: -1, line: -1, column: -1 };
    };
    const edited = change === null || change.removed.length > 0 || change.added > 0;
    // One edit since the last lint: the findings after it are the last ones, moved by the edit.
    this.pending =
      edited && this.changedFrom === Infinity && change !== null
        ? { at: change.at, removed: change.removed.length, added: change.added, chars: body.length - previous.length, lines: starts.length - previousLines }
        : edited
          ? null
          : this.pending;
    this.changedFrom = Math.min(this.changedFrom, change === null ? 0 : edited ? change.at : Infinity);
    if (change === null) {
      this.cited = new Map();
      this.citedVersion++;
      this.kept = blocks.map(keep);
    } else if (change.removed.length || change.added) {
      const gone = this.kept.splice(change.at, change.removed.length);
      for (const k of gone) this.count(k.rel, -1);
      const added: Kept[] = [];
      for (let i = change.at; i < change.at + change.added; i++) added.push(keep(blocks[i]!));
      this.kept.splice(change.at, 0, ...added);
    }
    if (this.byText.size > 2 * blocks.length + 64) this.byText.clear();
  }

  private count(rel: BodyFacts, by: 1 | -1): void {
    for (const c of rel.citations) {
      const n = (this.cited.get(c.n) ?? 0) + by;
      if (n === 0) this.cited.delete(c.n);
      else this.cited.set(c.n, n);
      if (n === 0 || (n === 1 && by === 1)) this.citedVersion++;
    }
  }

  /** Where a block's facts go in the file: its start's offset, its line, the column its first line moves by. */
  private place(story: Story, b: Block): { base: number; line: number; column: number } {
    const at = story.bodyStart;
    return { base: at.offset + (this.starts[b.start] ?? story.body.length), line: at.line + b.start, column: b.start === 0 ? at.column : 0 };
  }

  /** Block `i`'s place now; what was placed for another place is dropped. */
  private placeKept(story: Story, i: number): Kept {
    const k = this.kept[i]!;
    const { base, line, column } = this.place(story, this.list[i]!);
    if (k.base !== base || k.line !== line || k.column !== column) {
      k.base = base;
      k.line = line;
      k.column = column;
      k.placedDiags = k.placedFacts = null;
    }
    return k;
  }

  /** The story's body facts, as `readBodyFacts` reads them. */
  facts(story: Story): BodyFacts {
    return this.factsBetween(story, 0, Infinity);
  }

  /**
   * The facts of the blocks that hold file offsets `from`..`to` (and perhaps a few more around
   * them): what the editor marks in the part of a long story on screen, found by binary search.
   */
  factsBetween(story: Story, from: number, to: number): BodyFacts {
    this.sync(story);
    const out = { references: [] as ReferenceOccurrence[], malformed: [] as MalformedReference[], citations: [] as CitationOccurrence[] };
    const at = story.bodyStart.offset;
    // The last block starting at or before `from`, and the first starting after `to`.
    const startOf = (i: number) => at + (this.starts[this.list[i]!.start] ?? story.body.length);
    let lo = 0;
    let hi = this.list.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (startOf(mid) <= from) lo = mid;
      else hi = mid - 1;
    }
    for (let i = lo; i < this.list.length && startOf(i) <= to; i++) {
      const k = this.kept[i]!;
      const rel = k.rel;
      if (rel.references.length === 0 && rel.malformed.length === 0 && rel.citations.length === 0) continue;
      const { base, line, column } = this.placeKept(story, i);
      k.placedFacts ??= placeFacts(rel, base, line, column);
      for (const r of k.placedFacts.references) out.references.push(r);
      for (const m of k.placedFacts.malformed) out.malformed.push(m);
      for (const c of k.placedFacts.citations) out.citations.push(c);
    }
    return Object.freeze({ references: Object.freeze(out.references), malformed: Object.freeze(out.malformed), citations: Object.freeze(out.citations) });
  }

  /**
   * `lintStory(story, catalog, options)`. The block rules' findings are kept per block and moved
   * with it; the front matter's are kept while the front matter and the set of numbers cited stay
   * the same. Their findings never share a range (block findings lie in the body, the others in
   * the head), so merging by range gives lintStory's order.
   */
  lint(story: Story, catalog?: Catalog | CatalogIndex, options: LintOptions = {}): Diagnostic[] {
    if (options.rules || story.error) return lintStory(story, catalog, { ...options, body: this.facts(story) });
    this.sync(story);
    const index = indexCatalog(catalog);
    if (index !== this.catalog) {
      this.catalog = index;
      this.diagnostics = new WeakMap();
      this.headKey = null;
      // Findings made against the other catalog: the blocks make theirs again.
      for (const k of this.kept) k.diags = k.placedDiags = null;
      this.changedFrom = 0;
      this.pending = null;
    }
    const headKey = `${story.format}\0${story.bodyStart.offset}\0${story.head}`;
    if (headKey !== this.headKey) {
      this.headKey = headKey;
      this.fields = storyFields(story);
      this.knownKey = this.fields.citations
        .map((c) => c.n)
        .sort((x, y) => x - y)
        .join(',');
      this.headDiags = null;
      this.changedFrom = 0;
      this.pending = null;
    }
    const fields = this.fields!;
    if (this.headDiags === null || this.headVersion !== this.citedVersion) {
      // citation-unused reads only which numbers are cited.
      const citations = [...this.cited.keys()].map((n) => ({ n, from: 0, to: 0, line: 0, column: 0 }));
      this.headDiags = lintStory(story, index, { rules: HEAD_RULES, fields, body: { references: NONE, malformed: NONE, citations } });
      this.headVersion = this.citedVersion;
    }
    // The blocks before the first one an edit changed since the last lint are where they were, with
    // the findings they had: that part of the last answer is kept as it is.
    const from = Math.min(this.changedFrom, this.list.length);
    const local = this.local.slice(0, this.localAt[from] ?? this.local.length);
    this.changedFrom = Infinity;
    // After one edit, the blocks past it are the last answer's findings moved by the edit's
    // characters and lines (copied from that flat list, not gathered block by block again).
    const edit = story.bodyStart.column === 0 ? this.pending : null;
    this.pending = null;
    const until = edit ? edit.at + edit.added : this.list.length;
    const oldAt = this.localAt;
    if (edit) this.localAt = oldAt.slice(0, from);
    for (let i = from; i < until; i++) {
      this.localAt[i] = local.length;
      const k = this.kept[i]!;
      const rel = k.rel;
      if (rel.references.length === 0 && rel.malformed.length === 0 && rel.citations.length === 0) continue;
      // Only markers read the front matter's citations.
      const key = rel.citations.length ? this.knownKey : '';
      if (k.diags === null || k.diagsKey !== key) {
        let byKey = this.diagnostics.get(rel);
        if (!byKey) this.diagnostics.set(rel, (byKey = new Map()));
        let found = byKey.get(key);
        if (!found) byKey.set(key, (found = lintStory(EMPTY_STORY, index, { rules: BLOCK_RULES, fields, body: rel })));
        k.diags = found;
        k.diagsKey = key;
        k.placedDiags = null;
      }
      if (k.diags.length === 0) continue;
      const { base, line, column } = this.placeKept(story, i);
      k.placedDiags ??= placeDiagnostics(k.diags, base, line, column);
      for (const d of k.placedDiags) local.push(d);
    }
    if (edit) {
      const oldEnd = edit.at + edit.removed;
      const oldFrom = oldAt[oldEnd] ?? this.local.length;
      const shift = local.length - oldFrom;
      const oldBlocks = this.list.length - edit.added + edit.removed;
      for (let j = oldEnd; j < oldBlocks; j++) this.localAt.push(oldAt[j]! + shift);
      const old = this.local;
      for (let j = oldFrom; j < old.length; j++) local.push(moveDiagnostic(old[j]!, edit.chars, edit.lines));
    }
    this.localAt.length = this.list.length;
    this.local = local;
    const rest = this.headDiags;
    // A copy: the kept answer is not the caller's to change.
    if (rest.length === 0) return local.slice();
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
  /** The block rules' findings in a block's own offsets, by the block's facts and the citations known. */
  private diagnostics = new WeakMap<BodyFacts, Map<string, Diagnostic[]>>();
  /** The front matter the fields and its findings were read from. */
  private headKey: string | null = null;
  private fields: StoryFields | null = null;
  /** The citation numbers the front matter lists. */
  private knownKey = '';
  private headDiags: Diagnostic[] | null = null;
  private headVersion = -1;
  /** The block findings of the last lint, in file order, and where each block's start in it. */
  private local: Diagnostic[] = [];
  private localAt: number[] = [];
  /** The first block an edit changed since the last lint (0: all; Infinity: none). */
  private changedFrom = 0;
  /** The one edit since the last lint, if only one: its blocks, and the characters and lines it added. */
  private pending: { at: number; removed: number; added: number; chars: number; lines: number } | null = null;
}

/** A block's facts moved to the file: offsets by `base`, lines by `line`, its first line's columns by `column`. */
function placeFacts(rel: BodyFacts, base: number, line: number, column: number): BodyFacts {
  const place = (p: { line: number; column: number }) => ({ line: line + p.line, column: (p.line === 0 ? column : 0) + p.column });
  return {
    references: rel.references.map((r) => ({
      ...r,
      ...place(r),
      from: base + r.from,
      to: base + r.to,
      slugFrom: base + r.slugFrom,
      slugTo: base + r.slugTo,
      ...(r.labelFrom !== undefined ? { labelFrom: base + r.labelFrom, labelTo: base + r.labelTo! } : {}),
    })),
    malformed: rel.malformed.map((m) => ({
      ...m,
      ...place(m),
      from: base + m.from,
      to: base + m.to,
      ...(m.partFrom !== undefined ? { partFrom: base + m.partFrom, partTo: base + m.partTo! } : {}),
    })),
    citations: rel.citations.map((c) => ({ ...c, ...place(c), from: base + c.from, to: base + c.to })),
  };
}

/** A finding moved by `chars` characters and `lines` lines (one past an edit: its column stays). */
function moveDiagnostic(d: Diagnostic, chars: number, lines: number): Diagnostic {
  const moveFix = (f: Fix): Fix => ({ from: f.from + chars, to: f.to + chars, insert: f.insert, title: f.title });
  const moved: Diagnostic = {
    rule: d.rule,
    severity: d.severity,
    message: d.message,
    line: d.line + lines,
    column: d.column,
    from: d.from + chars,
    to: d.to + chars,
  };
  if (d.fix !== undefined) moved.fix = Array.isArray(d.fix) ? d.fix.map(moveFix) : moveFix(d.fix);
  return moved;
}

/** A block's findings moved to the file, as `placeFacts` moves its facts. */
function placeDiagnostics(found: readonly Diagnostic[], base: number, line: number, column: number): Diagnostic[] {
  const move = (x: number) => base + x;
  const moveFix = (f: Fix): Fix => ({ from: move(f.from), to: move(f.to), insert: f.insert, title: f.title });
  return found.map((d) => {
    // Written out, in lintStory's order of keys: a spread of each finding costs most of a keystroke.
    const moved: Diagnostic = {
      rule: d.rule,
      severity: d.severity,
      message: d.message,
      line: line + d.line,
      column: (d.line === 0 ? column : 0) + d.column,
      from: move(d.from),
      to: move(d.to),
    };
    if (d.fix !== undefined) moved.fix = Array.isArray(d.fix) ? d.fix.map(moveFix) : moveFix(d.fix);
    return moved;
  });
}
