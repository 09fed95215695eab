import type { Token } from 'markdown-it';
import { EMPTY_CATALOG, indexCatalog } from '../catalog/index.js';
import type { StoryEnv, BodyFacts as RawFacts } from '../markdown/env.js';
import { storyMarkdown } from '../markdown/story-markdown.js';
import { DEFAULT_SITE } from '../site.js';
import type { CitationOccurrence, MalformedReference, ReferenceOccurrence, Story } from '../story/types.js';
import { lineIndexAt, lineStarts } from '../text-util.js';

/**
 * The references, malformed `{{…}}` and citation markers of a body, in file offsets. Read-only:
 * the facts of a story are read once and shared by everyone who asks (readBodyFacts).
 */
export interface BodyFacts {
  readonly references: readonly ReferenceOccurrence[];
  readonly malformed: readonly MalformedReference[];
  readonly citations: readonly CitationOccurrence[];
}

/** The facts last read from each story object, with the body and body start they were read from. */
const known = new WeakMap<Story, { body: string; offset: number; line: number; column: number; facts: BodyFacts }>();

/**
 * Reads the body with the renderer's own parser, so the linter sees exactly what the preview shows
 * (nothing inside code, escapes honoured), and maps what it found back to offsets in the file.
 *
 * Parsing is most of the cost, so the facts are kept per story object: asked again for the same
 * story (lintStory, then whoever wants its references), this answers without parsing again, as
 * long as the story's body and its place in the file are still those the facts were read from.
 */
export function readBodyFacts(story: Story): BodyFacts {
  const at = story.bodyStart;
  const hit = known.get(story);
  if (hit && hit.body === story.body && hit.offset === at.offset && hit.line === at.line && hit.column === at.column) return hit.facts;
  const facts = read(story);
  known.set(story, { body: story.body, offset: at.offset, line: at.line, column: at.column, facts });
  return facts;
}

/**
 * The facts of one top-level block's text read alone, in offsets, lines (0-based) and columns
 * relative to the block's start; `references` are the whole body's link definitions (a `[1]` they
 * define is a link, not a marker). The incremental linter keeps these per block text.
 */
export function readBlockFacts(text: string, references: Record<string, unknown>): BodyFacts {
  return read({ body: text, bodyStart: { offset: 0, line: 0, column: 0 } } as Story, references);
}

function read(story: Story, references?: Record<string, unknown>): BodyFacts {
  const raw: RawFacts = { references: [], citations: [] };
  const env: StoryEnv = { catalog: indexCatalog(EMPTY_CATALOG), site: DEFAULT_SITE, lineOffset: 1, collect: raw, ...(references ? { references } : {}) };
  storyMarkdown().parse(story.body, env);
  const locate = locator(story);
  const facts = { references: [] as ReferenceOccurrence[], malformed: [] as MalformedReference[], citations: [] as CitationOccurrence[] };
  for (const r of raw.references) {
    const at = locate(r.block, r.from);
    const to = locate(r.block, r.to).offset;
    if (r.malformed) {
      facts.malformed.push({
        reason: r.malformed.reason,
        text: r.block.content.slice(r.from, r.to),
        from: at.offset,
        to,
        line: at.line,
        column: at.column,
        ...(r.malformed.partFrom !== undefined
          ? {
              partFrom: locate(r.block, r.malformed.partFrom).offset,
              partTo: locate(r.block, r.malformed.partTo!).offset,
              part: r.block.content.slice(r.malformed.partFrom, r.malformed.partTo),
            }
          : {}),
      });
    } else {
      facts.references.push({
        kind: r.kind!,
        slug: r.slug!,
        label: r.label,
        from: at.offset,
        to,
        line: at.line,
        column: at.column,
        slugFrom: locate(r.block, r.slugFrom!).offset,
        slugTo: locate(r.block, r.slugTo!).offset,
        ...(r.labelFrom !== undefined ? { labelFrom: locate(r.block, r.labelFrom).offset, labelTo: locate(r.block, r.labelTo!).offset } : {}),
      });
    }
  }
  for (const c of raw.citations) {
    const at = locate(c.block, c.from);
    facts.citations.push({ n: c.n, from: at.offset, to: locate(c.block, c.to).offset, line: at.line, column: at.column });
  }
  return Object.freeze({ references: Object.freeze(facts.references), malformed: Object.freeze(facts.malformed), citations: Object.freeze(facts.citations) });
}

interface Located {
  offset: number;
  line: number;
  column: number;
}

/**
 * Maps an offset in a block's inline content to the file. Inline content is the block's lines with
 * their container markers and indentation taken off; each content line is found again in its line.
 */
function locator(story: Story): (block: Token, pos: number) => Located {
  const body = story.body;
  let bodyStarts: number[] | undefined;
  const perBlock = new Map<Token, { starts: number[]; columns: number[] }>();
  return (block, pos) => {
    bodyStarts ??= lineStarts(body);
    let info = perBlock.get(block);
    if (!info) {
      info = { starts: lineStarts(block.content), columns: [] };
      perBlock.set(block, info);
    }
    const k = lineIndexAt(info.starts, pos);
    const bodyLine = Math.min((block.map?.[0] ?? 0) + k, bodyStarts.length - 1);
    let column = info.columns[k];
    if (column === undefined) {
      const lineStart = bodyStarts[bodyLine]!;
      const lineEnd = bodyLine + 1 < bodyStarts.length ? bodyStarts[bodyLine + 1]! - 1 : body.length;
      const lineText = body.slice(lineStart, lineEnd);
      const contentEnd = k + 1 < info.starts.length ? info.starts[k + 1]! - 1 : block.content.length;
      const contentLine = block.content.slice(info.starts[k], contentEnd);
      const found = contentLine ? lineText.indexOf(contentLine) : 0;
      column = found >= 0 ? found : Math.max(0, lineText.length - contentLine.length);
      info.columns[k] = column;
    }
    const inLine = column + (pos - info.starts[k]!);
    const offsetInBody = bodyStarts[bodyLine]! + inLine;
    return {
      offset: story.bodyStart.offset + offsetInBody,
      line: story.bodyStart.line + bodyLine,
      column: (bodyLine === 0 ? story.bodyStart.column : 0) + inLine,
    };
  };
}
