/** The public site that reference links and story URLs point at, unless a setting says otherwise. */
export const DEFAULT_SITE = 'https://aidran.ai';

/**
 * A site setting as the renderer uses it: an http(s) URL without a trailing slash.
 * Throws a one-line error for anything else, since a bad site would make every link wrong.
 */
export function normalizeSite(site: string | undefined): string {
  if (site === undefined || site === '') return DEFAULT_SITE;
  let url: URL;
  try {
    url = new URL(site);
  } catch {
    throw new Error(`the site "${site}" is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`the site "${site}" is not an http(s) URL`);
  if (url.search || url.hash) throw new Error(`the site "${site}" has a query or fragment`);
  return url.href.replace(/\/+$/, '');
}

/** Where a catalog item lives on the site. */
export function referenceUrl(site: string, kind: 'entity' | 'beat' | 'story', slug: string): string {
  const folder = kind === 'entity' ? 'entities' : kind === 'beat' ? 'beats' : 'stories';
  return `${site}/${folder}/${slug}`;
}
