import { indexCatalog, type Catalog, type CatalogIndex } from '../catalog/index.js';
import { DEFAULT_SITE, normalizeSite, referenceUrl } from '../site.js';
import { deriveSlug } from '../slug.js';
import { storyFields } from '../story/fields.js';
import type { Story } from '../story/types.js';
import { EXPORT_FOOTER, EXPORT_TITLE, HEAVY_RULE, LIGHT_RULE } from './layout.js';

export interface PlainTextOptions {
  site?: string;
}

/** The plain-text export of a story, in its multi-line form; the beat shows its catalog name. */
export function toPlainText(story: Story, catalog?: Catalog | CatalogIndex, options: PlainTextOptions = {}): string {
  const index = indexCatalog(catalog);
  const site = normalizeSite(options.site ?? DEFAULT_SITE);
  const f = storyFields(story);
  const beat = f.beat ? (index.beats.get(f.beat)?.name ?? f.beat) : '';
  const slug = f.slug ?? (f.title ? deriveSlug(f.title) : '');
  const body = story.body
    .replace(/\r\n?/g, '\n')
    .replace(/^\s*\n/, '')
    .trimEnd();
  return [
    HEAVY_RULE,
    EXPORT_TITLE,
    HEAVY_RULE,
    `Title: ${oneLine(f.title ?? '')}`,
    `Beat: ${oneLine(beat)}`,
    `Published: ${oneLine(f.published ?? '')}`,
    `URL: ${slug ? referenceUrl(site, 'story', slug) : ''}`,
    LIGHT_RULE,
    body,
    LIGHT_RULE,
    ...EXPORT_FOOTER,
    HEAVY_RULE,
    '',
  ].join('\n');
}

function oneLine(value: string): string {
  return value.replace(/\s+/g, ' ').trim();
}
