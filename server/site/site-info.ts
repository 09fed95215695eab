/** The site's own name and description (`serve --site-name`, `--site-description`). */
export interface SiteInfo {
  name: string;
  description: string;
}

export const DEFAULT_SITE_INFO: SiteInfo = { name: 'Newsdesk', description: 'News, as our newsroom publishes it.' };
