import { indexCatalog, type Catalog, type CatalogIndex } from '../catalog/index.js';
import { lineIndexAt, lineStarts } from '../text-util.js';
import { looksLikePlainText } from '../text-export/layout.js';
import { parsePlainText } from '../text-export/import.js';
import { readFrontMatter, splitFrontMatter, writeFrontMatter } from './front-matter.js';
import type { FrontMatter, Story } from './types.js';

export interface ParseOptions {
  /** Maps a plain-text export's beat name back to its slug. */
  catalog?: Catalog | CatalogIndex;
}

/**
 * Reads a story file or a plain-text export (either form), detected from the content. Never throws:
 * input that cannot be read as a story sets `error` (a one-line reason) on a best-effort story.
 */
export function parseStory(text: string, options: ParseOptions = {}): Story {
  if (looksLikePlainText(text)) return parsePlainText(text, options.catalog ? indexCatalog(options.catalog) : undefined);
  const split = splitFrontMatter(text);
  const starts = split.bodyOffset > 0 ? lineStarts(text.slice(0, split.bodyOffset)) : [0];
  const bodyLineIndex = lineIndexAt(starts, split.bodyOffset);
  const story: Story = {
    format: 'md',
    meta: {},
    body: text.slice(split.bodyOffset),
    bodyStart: { offset: split.bodyOffset, line: bodyLineIndex + 1, column: split.bodyOffset - starts[bodyLineIndex]! },
    head: split.head,
    frontMatter: split.yaml,
    frontMatterOffset: split.yamlOffset,
    spans: split.bodyOffset > 0 ? { '@head': { from: 0, to: split.bodyOffset, line: 1, column: 0 } } : {},
    notices: [],
  };
  if (split.error) story.error = split.error;
  if (split.yaml !== null) {
    const locate = (offset: number) => {
      const i = lineIndexAt(starts, offset);
      return { line: i + 1, column: offset - starts[i]! };
    };
    const fm = readFrontMatter(split.yaml, split.yamlOffset, locate);
    story.meta = fm.meta;
    Object.assign(story.spans, fm.spans);
    if (fm.error) story.error = fm.error;
  }
  return story;
}

/**
 * The canonical story file for a story. An unchanged story comes back byte for byte; a changed front
 * matter rewrites only the changed keys, keeping the others' order and comments.
 */
export function serializeStory(story: Story): string {
  const bom = story.head.startsWith('\uFEFF') ? '\uFEFF' : '';
  // Front matter that could not be read is written back as it was: nothing typed is ever dropped.
  if (story.error && story.format === 'md') return story.head + story.body;
  if (story.frontMatter !== null) {
    const yaml = writeFrontMatter(story.meta, story.frontMatter);
    if (yaml === story.frontMatter) return story.head + story.body;
    const open = story.head.slice(0, story.frontMatterOffset);
    const close = story.head.slice(story.frontMatterOffset + story.frontMatter.length);
    return open + withNewline(yaml) + close + story.body;
  }
  const yaml = writeFrontMatter(story.meta, null);
  const body = story.format === 'text' ? withNewline(story.body) : story.body;
  if (yaml === '') return bom + body;
  return `${bom}---\n${withNewline(yaml)}---\n${body}`;
}

function withNewline(text: string): string {
  return text === '' || text.endsWith('\n') ? text : `${text}\n`;
}

/** A copy of the story with front-matter fields changed (`undefined` removes a key). */
export function updateMeta(story: Story, patch: FrontMatter): Story {
  const meta: FrontMatter = { ...story.meta };
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) delete meta[key];
    else meta[key] = value;
  }
  return { ...story, meta };
}

/** A story made from fields and a body, as a new file would hold them. */
export function createStory(meta: FrontMatter, body: string): Story {
  return parseStory(
    serializeStory({
      format: 'md',
      meta,
      body,
      bodyStart: { offset: 0, line: 1, column: 0 },
      head: '',
      frontMatter: null,
      frontMatterOffset: 0,
      spans: {},
      notices: [],
    }),
  );
}
