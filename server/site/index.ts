/** The public site's pieces beyond the pages themselves: share metadata, feeds, sitemaps, robots.txt. */
export { articleHead, type ArticleMeta } from './article-meta.js';
export { atomFeed, jsonFeed, newsSitemap, robotsTxt, sitemap, type FeedEntry, type SitemapBeat } from './feeds.js';
export { escapeMarkup, jsonForScript, withoutControls } from './text.js';

/** The site's own name and description (`serve --site-name`, `--site-description`). */
export interface SiteInfo {
  name: string;
  description: string;
}

export const DEFAULT_SITE_INFO: SiteInfo = { name: 'Newsdesk', description: 'News, as our newsroom publishes it.' };
