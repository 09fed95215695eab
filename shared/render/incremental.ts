import type { Token } from 'markdown-it';
import { indexCatalog, type CatalogIndex } from '../catalog/index.js';
import type { StoryEnv } from '../markdown/env.js';
import { storyMarkdown } from '../markdown/story-markdown.js';
import { normalizeSite } from '../site.js';
import { commonPrefix, commonSuffix, lineIndexAt, lineStarts } from '../text-util.js';
import type { RenderOptions } from './options.js';

/**
 * The body's HTML kept up to date block by block (issue 13): after an edit only the top-level
 * blocks near it are parsed and rendered again; the result is byte for byte `renderMarkdown` of the
 * whole body (a property test holds it to that after random edits).
 *
 * Why that is sound: markdown-it parses top-level blocks one after another, and a top-level block
 * that starts at line L parses the same whatever came before L; only link reference definitions
 * reach across blocks. So the text is parsed again from the start of the block before the one the
 * edit touched, through the edit, until a block starts where an old block started (past the
 * edit): from there on the old blocks are the new ones, moved by the lines the edit added. A window
 * that never meets such a block (an unclosed fence swallowing the rest) grows to the end.
 * Two things are document-wide and handled apart:
 * - link reference definitions: a window whose old or new text holds `]:` (what every definition
 *   has) renders the whole body again, since a definition there may change links anywhere;
 * - citation marker ids (`cite-ref-N`, then `cite-ref-N-2`…): each block remembers the markers it
 *   holds and the counts it was rendered with, and renders again when the counts before it change.
 * `data-line` values are kept relative to the block's first line, so a block moved by an added line
 * is rebuilt from its pieces, not rendered.
 */

interface Block {
  /** Its first line and the line after its last, in the body's lines. */
  start: number;
  end: number;
  /** Its tokens, kept while they may be needed again (markers to renumber, HTML not yet made). */
  tokens: Token[] | null;
  /** The file line its tokens' `data-line` values count from (where its first line was when parsed). */
  tokensLine: number;
  /** Its citation markers' numbers, in order. */
  cites: number[];
  /** Its HTML cut at each `data-line` value: text, line (relative to `start`), text, … */
  parts: Array<string | number> | null;
  /** Its HTML, for the file line it was built at and the marker counts before it. */
  html: string;
  /** Its HTML with `data-line` values counted from its first line (0), for the same marker counts. */
  relative: string | null;
  builtAt: number;
  citeKey: string;
}

const NO_CHANGE = Object.freeze({ at: 0, removed: Object.freeze([]), added: 0 });

/**
 * What the caller knows of an edit (the editor does, from its transaction): how many characters at
 * the start and at the end the new body shares with the body last parsed. Less than the truth is
 * safe (more is parsed again); more is wrong. Without it the two bodies are compared, which on a
 * 1 MB story is a quarter of a keystroke's lint.
 */
export interface KnownEdit {
  prefix: number;
  suffix: number;
}
const DATA_LINE = / data-line="(-?\d+)"/g;

export class IncrementalRender {
  private readonly catalog: CatalogIndex;
  private readonly site: string;
  private text: string | null = null;
  /** Whether `text` holds a \r. */
  private hasCR = false;
  private lineOffset = 1;
  private starts: number[] = [0];
  private blocks: Block[] = [];
  private references: Record<string, unknown> = {};
  /** How many blocks the last update parsed again (for tests and the bench). */
  reparsed = 0;
  /**
   * What the last `parse` changed: the blocks from index `at` that it took out (`removed`) and how
   * many new ones stand in their place; every other block is the one it was (perhaps moved). Null
   * when every block is new (a first or a whole parse).
   */
  lastChange: { at: number; removed: ReadonlyArray<{ start: number; end: number }>; added: number } | null = null;
  /** How many citation markers of each number the body holds, after the last update. */
  citeCount = new Map<number, number>();

  /** `html: false` keeps the blocks only (the linter's use): no tokens are kept for rendering. */
  constructor(options: RenderOptions & { html?: boolean } = {}) {
    this.catalog = indexCatalog(options.catalog);
    this.site = normalizeSite(options.site);
    this.keepTokens = options.html !== false;
  }

  private readonly keepTokens: boolean;

  /** The body's HTML, as `renderMarkdown(body, { lineOffset, catalog, site })` gives it. */
  render(body: string, lineOffset = 1): string {
    this.parse(body, lineOffset);
    return this.assemble();
  }

  /**
   * Brings the blocks up to date with `body`: each block's first line and the line after its last,
   * the body's line starts, and the link reference definitions (a new object whenever they may
   * have changed).
   */
  parse(
    body: string,
    lineOffset = 1,
    known?: KnownEdit,
  ): { blocks: ReadonlyArray<{ start: number; end: number }>; starts: readonly number[]; references: Record<string, unknown> } {
    // markdown-it reads a lone \r as a line break, which our line starts do not: such text is parsed
    // whole (an edit that brings one in is found by `update`, which reads the edited text only).
    if (this.text === null || (this.hasCR && body !== this.text)) this.full(body, lineOffset);
    else if (body !== this.text) this.update(body, known);
    else this.lastChange = NO_CHANGE;
    // A new first line of the body (the front matter grew) only moves every block.
    this.lineOffset = lineOffset;
    return { blocks: this.blocks, starts: this.starts, references: this.references };
  }

  private env(lineOffset: number, references: Record<string, unknown>): StoryEnv {
    return { catalog: this.catalog, site: this.site, lineOffset, references };
  }

  private full(body: string, lineOffset: number): void {
    this.text = body;
    this.hasCR = body.includes('\r');
    this.lineOffset = lineOffset;
    this.starts = lineStarts(body);
    const env = this.env(lineOffset, {});
    this.blocks = blocksOf(storyMarkdown().parse(body, env), 0, lineOffset, this.keepTokens);
    this.references = env.references as Record<string, unknown>;
    this.reparsed = this.blocks.length;
    this.lastChange = null;
  }

  private update(body: string, known?: KnownEdit): void {
    const old = this.text!;
    const most = Math.min(old.length, body.length);
    const pre = known ? Math.max(0, Math.min(known.prefix, most)) : commonPrefix(old, body);
    const suf = known ? Math.max(0, Math.min(known.suffix, most - pre)) : commonSuffix(old, body, most - pre);
    const oldEnd = old.length - suf;
    const newEnd = body.length - suf;
    const charDelta = body.length - old.length;
    if (body.slice(pre, newEnd).includes('\r')) {
      this.full(body, this.lineOffset);
      return;
    }
    const oldStarts = this.starts;
    const a = lineIndexAt(oldStarts, pre);
    const bOld = lineIndexAt(oldStarts, oldEnd);
    // The new line starts: the old ones before the edit, those of the edited text, the old ones after it moved.
    const starts = oldStarts.slice(0, a + 1);
    for (let i = body.indexOf('\n', oldStarts[a]!); i !== -1 && i < newEnd; i = body.indexOf('\n', i + 1)) if (i + 1 > starts.at(-1)!) starts.push(i + 1);
    for (let k = bOld + 1; k < oldStarts.length; k++) starts.push(oldStarts[k]! + charDelta);
    const lineDelta = starts.length - oldStarts.length;
    this.text = body;
    this.starts = starts;

    const blocks = this.blocks;
    // From the block before the one holding the first edited line (its start is untouched).
    let first = 0;
    while (first + 1 < blocks.length && blocks[first + 1]!.start < a) first++;
    first = Math.max(0, first - 1);
    const from = blocks.length && blocks[first]!.start < a ? blocks[first]!.start : 0;
    if (from === 0) first = 0;
    // To a block that starts after the edit, and one more to check that the parse meets it.
    let next = first;
    while (next < blocks.length && blocks[next]!.start <= bOld) next++;
    for (let extra = 1; ; extra *= 2) {
      const meet = next + extra;
      const toOld = meet < blocks.length ? blocks[meet]!.end : Infinity;
      const to = toOld === Infinity ? starts.length : toOld + lineDelta;
      const window = body.slice(starts[from], to < starts.length ? starts[to] : body.length);
      const oldWindow = old.slice(oldStarts[from], toOld < oldStarts.length ? oldStarts[toOld] : old.length);
      if (window.includes(']:') || oldWindow.includes(']:')) {
        this.full(body, this.lineOffset);
        return;
      }
      const env = this.env(this.lineOffset + from, Object.create(this.references) as Record<string, unknown>);
      const parsed = blocksOf(storyMarkdown().parse(window, env), from, this.lineOffset, this.keepTokens);
      if (meet >= blocks.length || toOld === Infinity) {
        // The window ran to the end: every block from `from` on is new.
        this.reparsed = parsed.length;
        this.lastChange = { at: first, removed: blocks.slice(first), added: parsed.length };
        this.blocks = [...blocks.slice(0, first), ...parsed];
        return;
      }
      const meetAt = blocks[meet]!.start + lineDelta;
      const cut = parsed.findIndex((b) => b.start >= meetAt);
      if (cut !== -1 && parsed[cut]!.start === meetAt) {
        this.reparsed = cut;
        this.lastChange = { at: first, removed: blocks.slice(first, meet), added: cut };
        const moved = blocks.slice(meet);
        if (lineDelta !== 0)
          for (const b of moved) {
            b.start += lineDelta;
            b.end += lineDelta;
          }
        this.blocks = [...blocks.slice(0, first), ...parsed.slice(0, cut), ...moved];
        return;
      }
    }
  }

  /**
   * The body's top-level blocks as `render` joins them, for a view that keeps one element per block
   * (the preview): each block's HTML with its `data-line` values counted from the block's first
   * line, and that line. A block's `html` stays the same string object for as long as it renders
   * the same, wherever it moves, so comparing with the last answer is mostly comparing pointers.
   */
  renderBlocks(body: string, lineOffset = 1): Array<{ html: string; line: number }> {
    this.parse(body, lineOffset);
    this.refresh();
    return this.blocks.map((b) => ({ html: b.relative!, line: b.start + this.lineOffset }));
  }

  /** Every block's pieces, each made again only where the markers before it changed (or never made). */
  private refresh(): void {
    const md = storyMarkdown();
    const counts = new Map<number, number>();
    for (const b of this.blocks) {
      const key = b.cites.length ? b.cites.map((n) => counts.get(n) ?? 0).join(',') : '';
      if (b.parts === null || key !== b.citeKey) {
        const env = this.env(this.lineOffset, this.references);
        env.citeCount = new Map(counts);
        const html = md.renderer.render(b.tokens!, md.options, env);
        b.parts = partsOf(html, b.tokensLine);
        b.relative = build(b.parts, 0);
        b.html = html;
        b.builtAt = b.tokensLine;
        b.citeKey = key;
        // Tokens are kept only where the markers may need numbering again.
        if (b.cites.length === 0) b.tokens = null;
      }
      for (const n of b.cites) counts.set(n, (counts.get(n) ?? 0) + 1);
    }
    this.citeCount = counts;
  }

  /** The HTML of every block, each made again only where its line or the markers before it changed. */
  private assemble(): string {
    this.refresh();
    const out: string[] = [];
    for (const b of this.blocks) {
      const line = b.start + this.lineOffset;
      if (b.builtAt !== line) {
        b.html = build(b.parts!, line);
        b.builtAt = line;
      }
      out.push(b.html);
    }
    return out.join('');
  }
}

/** The top-level blocks of a token stream, their lines moved by `lineBase`; `data-line` was set from `lineOffset + lineBase`. */
function blocksOf(tokens: Token[], lineBase: number, lineOffset: number, keepTokens: boolean): Block[] {
  const blocks: Block[] = [];
  let open: Token[] | null = null;
  for (const t of tokens) {
    if (open === null) {
      open = [t];
    } else open.push(t);
    if (t.level === 0 && t.nesting !== 1) {
      const map = open[0]!.map ?? [0, 0];
      const cites: number[] = [];
      for (const x of open)
        if (x.type === 'inline' && x.children) for (const c of x.children) if (c.type === 'story_citation') cites.push((c.meta as { n: number }).n);
      const start = map[0] + lineBase;
      blocks.push({
        start,
        end: map[1] + lineBase,
        tokens: keepTokens ? open : null,
        tokensLine: start + lineOffset,
        cites,
        parts: null,
        html: '',
        relative: null,
        builtAt: -1,
        citeKey: '',
      });
      open = null;
    }
  }
  return blocks;
}

/** HTML cut at its `data-line` values, made relative to `base`. */
function partsOf(html: string, base: number): Array<string | number> {
  const parts: Array<string | number> = [];
  let last = 0;
  DATA_LINE.lastIndex = 0;
  for (let m = DATA_LINE.exec(html); m; m = DATA_LINE.exec(html)) {
    const at = m.index + ' data-line="'.length;
    parts.push(html.slice(last, at), Number(m[1]) - base);
    last = at + m[1]!.length;
  }
  parts.push(html.slice(last));
  return parts;
}

function build(parts: ReadonlyArray<string | number>, base: number): string {
  let s = '';
  for (const p of parts) s += typeof p === 'number' ? String(p + base) : p;
  return s;
}
