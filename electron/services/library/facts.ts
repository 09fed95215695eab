import { deriveSlug, parseStory, renderMarkdown, storyFields, type CatalogIndex } from '../../../shared/index.js';

/** The facts a story's text gives the library's columns, read through the shared story core. */
export function factsOf(text: string, catalog?: CatalogIndex) {
  const story = parseStory(text, { catalog });
  const f = storyFields(story);
  return {
    story,
    title: f.title ?? '',
    dek: f.dek ?? '',
    beat: f.beat ?? '',
    status: f.status ?? 'draft',
    slug: f.slug ?? (f.title ? deriveSlug(f.title) : ''),
    body: searchableText(story.body, catalog),
  };
}

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };

/**
 * The body as a reader sees it, for the search index: rendered by the shared core (so references
 * read as their labels or catalog names, markup is gone), tags dropped, blocks on their own lines.
 */
function searchableText(body: string, catalog?: CatalogIndex): string {
  const html = renderMarkdown(body, { catalog });
  return html
    .replace(/<\/(p|li|h[1-6]|blockquote|pre|tr)>/g, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&(amp|lt|gt|quot|#39);/g, (m) => ENTITIES[m] ?? m)
    .replace(/[ \t]+/g, ' ')
    .replace(/\n\s*\n+/g, '\n')
    .trim();
}
