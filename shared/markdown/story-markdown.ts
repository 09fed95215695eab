import MarkdownItCtor, { type MarkdownIt } from 'markdown-it';
import { referencesPlugin } from './references.js';
import { citationsPlugin } from './citations.js';
import { sourceMapPlugin } from './source-map.js';
import { isAllowedUrl } from './safe-links.js';

/**
 * The one markdown-it set-up of the story format: CommonMark, raw HTML shown as text, the URL
 * allow-list, references, citation markers and data-line. Made once; per-document data goes in env.
 */
export function createStoryMarkdown(): MarkdownIt {
  const md = new MarkdownItCtor('commonmark', { html: false, linkify: false, typographer: false });
  md.validateLink = isAllowedUrl;
  md.use(sourceMapPlugin).use(referencesPlugin).use(citationsPlugin);
  return md;
}

let shared: MarkdownIt | undefined;

/** The shared instance. */
export function storyMarkdown(): MarkdownIt {
  return (shared ??= createStoryMarkdown());
}
