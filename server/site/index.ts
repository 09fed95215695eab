/** The public site's pieces beyond the pages themselves: share metadata, feeds, sitemaps, robots.txt. */
export { articleHead, type ArticleMeta } from './article-meta.js';
export { atomFeed, jsonFeed, newsSitemap, robotsTxt, sitemap, type FeedEntry, type SitemapBeat } from './feeds.js';
export { escapeMarkup, jsonForScript, withoutControls } from './text.js';
export { DEFAULT_SITE_INFO, type SiteInfo } from './site-info.js';
