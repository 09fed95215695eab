/**
 * What a story page tells search engines and share cards: description, canonical URL, Open Graph,
 * a Twitter card and schema.org NewsArticle JSON-LD — every value escaped for where it goes.
 */
import type { SiteInfo } from './site-info.js';
import { escapeMarkup, jsonForScript } from './text.js';

export interface ArticleMeta {
  url: string;
  title: string;
  dek?: string;
  section?: string;
  published?: string;
  modified: string;
}

export function articleHead(site: SiteInfo, a: ArticleMeta): string {
  const description = a.dek ?? site.description;
  const meta = (attr: 'name' | 'property', key: string, value: string | undefined) => (value ? `<meta ${attr}="${key}" content="${escapeMarkup(value)}">` : '');
  const ld = {
    '@context': 'https://schema.org',
    '@type': 'NewsArticle',
    headline: a.title,
    ...(a.dek ? { description: a.dek } : {}),
    ...(a.published ? { datePublished: a.published } : {}),
    dateModified: a.modified,
    ...(a.section ? { articleSection: a.section } : {}),
    url: a.url,
    mainEntityOfPage: a.url,
    publisher: { '@type': 'Organization', name: site.name },
  };
  return [
    meta('name', 'description', description),
    `<link rel="canonical" href="${escapeMarkup(a.url)}">`,
    meta('property', 'og:site_name', site.name),
    meta('property', 'og:type', 'article'),
    meta('property', 'og:title', a.title),
    meta('property', 'og:description', description),
    meta('property', 'og:url', a.url),
    meta('property', 'article:published_time', a.published),
    meta('property', 'article:modified_time', a.modified),
    meta('property', 'article:section', a.section),
    meta('name', 'twitter:card', 'summary'),
    meta('name', 'twitter:title', a.title),
    meta('name', 'twitter:description', description),
    `<script type="application/ld+json">${jsonForScript(ld)}</script>`,
  ]
    .filter(Boolean)
    .join('\n');
}
