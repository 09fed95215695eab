import { indexCatalog, type CatalogIndex } from '../catalog/index.js';
import type { StoryEnv } from '../markdown/env.js';
import { storyMarkdown } from '../markdown/story-markdown.js';
import { normalizeSite, referenceUrl } from '../site.js';
import { storyFields } from '../story/fields.js';
import type { Citation, Story } from '../story/types.js';
import { escapeHtml } from '../text-util.js';
import type { IncrementalRender } from './incremental.js';
import type { RenderOptions } from './options.js';
import { renderCitationList } from './citation-list.js';
import { STORY_STYLESHEET } from './stylesheet.js';

export type { RenderOptions } from './options.js';

export interface RenderMarkdownOptions extends RenderOptions {
  /** The file line of the body's first line (1 for a body on its own). */
  lineOffset?: number;
  /** Citations to list after the body (none when left out). */
  citations?: readonly Citation[];
}

/** Body HTML: references, citation markers, data-line from `lineOffset` (1 unless set). */
export function renderMarkdown(body: string, options: RenderMarkdownOptions = {}): string {
  const env: StoryEnv = {
    catalog: indexCatalog(options.catalog),
    site: normalizeSite(options.site),
    lineOffset: options.lineOffset ?? 1,
  };
  const md = storyMarkdown();
  const tokens = md.parse(body, env);
  let html = md.renderer.render(tokens, md.options, env);
  if (options.citations) {
    const markers = env.citeCount ? [...env.citeCount.keys()] : [];
    const last = env.lineOffset + Math.max(0, body.split('\n').length - 1);
    html += renderCitationList(options.citations, markers, { list: last, item: () => last });
  }
  return html;
}

export interface RenderHtmlOptions extends RenderOptions {
  /** A whole page: title, dek, beat, date, body and citations, with a stylesheet. */
  standalone?: boolean;
  /**
   * The body rendered through this, kept from one call to the next (the preview's): an edit
   * renders again only the blocks it touched. Made for the same catalog and site.
   */
  incremental?: IncrementalRender;
}

/** A story's HTML (the preview, the export and the public page): the body, then its citations. */
export function renderHtml(story: Story, options: RenderHtmlOptions = {}): string {
  const catalog = indexCatalog(options.catalog);
  const site = normalizeSite(options.site);
  let body: string;
  let markers: Iterable<number>;
  if (options.incremental) {
    body = options.incremental.render(story.body, story.bodyStart.line);
    markers = options.incremental.citeCount.keys();
  } else {
    const env: StoryEnv = { catalog, site, lineOffset: story.bodyStart.line };
    const md = storyMarkdown();
    body = md.renderer.render(md.parse(story.body, env), md.options, env);
    markers = env.citeCount?.keys() ?? [];
  }
  const citations = renderCitationsHtml(story, markers);
  if (!options.standalone) return body + citations;
  return standalonePage(story, { body, citations, catalog, site, lineOf: sourceLines(story) });
}

/**
 * What `renderHtml` puts after the body: the story's citations that `markers` (the numbers the
 * body cites) cite. The preview shows it after the body's blocks (`IncrementalRender.renderBlocks`).
 */
export function renderCitationsHtml(story: Story, markers: Iterable<number>): string {
  const lineOf = sourceLines(story);
  return renderCitationList(storyFields(story).citations, markers, {
    list: lineOf('@key:citations'),
    item: (n) => lineOf(`citations.${citationIndex(story, n)}`, '@key:citations'),
  });
}

/** The position of citation N in the front matter's list (-1 when it has none). */
function citationIndex(story: Story, n: number): number {
  const list = Array.isArray(story.meta.citations) ? (story.meta.citations as { n?: unknown }[]) : [];
  return list.findIndex((c) => typeof c === 'object' && c !== null && Number(c.n) === n);
}

/** The 1-based file line of a front-matter value (or of a fallback key), for data-line. */
function sourceLines(story: Story): (key: string, fallback?: string) => number {
  return (key, fallback) => (story.spans[key] ?? (fallback ? story.spans[fallback] : undefined))?.line ?? 1;
}

interface PageParts {
  body: string;
  citations: string;
  catalog: CatalogIndex;
  site: string;
  lineOf: (key: string, fallback?: string) => number;
}

function standalonePage(story: Story, p: PageParts): string {
  const f = storyFields(story);
  const title = escapeHtml(f.title ?? 'Untitled story');
  const beatName = f.beat ? (p.catalog.beats.get(f.beat)?.name ?? f.beat) : undefined;
  const beat = beatName
    ? p.catalog.beats.has(f.beat!)
      ? `<a class="ref ref-beat" href="${escapeHtml(referenceUrl(p.site, 'beat', f.beat!))}" data-kind="beat" data-slug="${escapeHtml(f.beat!)}">${escapeHtml(beatName)}</a>`
      : `<span class="ref ref-unresolved" data-kind="beat" data-slug="${escapeHtml(f.beat!)}">${escapeHtml(beatName)}</span>`
    : '';
  const date = f.published ? `<time datetime="${escapeHtml(f.published)}">${escapeHtml(formatDate(f.published))}</time>` : '';
  const meta = [beat, date].filter(Boolean).join(' · ');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>${STORY_STYLESHEET}</style>
</head>
<body>
<article class="story">
<header data-line="${p.lineOf('@head')}">
<h1 data-line="${p.lineOf('title')}">${title}</h1>
${f.dek ? `<p class="dek" data-line="${p.lineOf('dek')}">${escapeHtml(f.dek)}</p>\n` : ''}${meta ? `<p class="story-meta" data-line="${p.lineOf('beat')}">${meta}</p>\n` : ''}</header>
<div class="story-body" data-line="${story.bodyStart.line}">
${p.body}</div>
${p.citations}</article>
</body>
</html>
`;
}

/** "6 April 2026" for an ISO date; anything else as written. */
export function formatDate(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const months = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
  return `${d.getUTCDate()} ${months[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
}
