/** The public site that reference links and story URLs point at, unless a setting says otherwise. */
export const DEFAULT_SITE = 'https://aidran.ai';

/**
 * Why a site address cannot be used, or null when it can: the one rule of the site setting, used by
 * the renderer, the settings dialog, the contract's schema and the settings store.
 */
export function siteProblem(site: string): 'not a URL' | 'not an http(s) URL' | 'has a query or fragment' | null {
  let url: URL;
  try {
    url = new URL(site);
  } catch {
    return 'not a URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'not an http(s) URL';
  if (url.search || url.hash) return 'has a query or fragment';
  return null;
}

/** The one-line reason a site address cannot be used, naming it, or null when it can. */
export function siteError(site: string): string | null {
  const problem = siteProblem(site);
  if (!problem) return null;
  return `the site "${site}" ${problem === 'has a query or fragment' ? problem : `is ${problem}`}`;
}

/**
 * A site setting as the renderer uses it: an http(s) URL without a trailing slash.
 * Throws a one-line error for anything else, since a bad site would make every link wrong.
 */
export function normalizeSite(site: string | undefined): string {
  if (site === undefined || site === '') return DEFAULT_SITE;
  const error = siteError(site);
  if (error) throw new Error(error);
  return new URL(site).href.replace(/\/+$/, '');
}

/** Where a catalog item lives on the site. */
export function referenceUrl(site: string, kind: 'entity' | 'beat' | 'story', slug: string): string {
  const folder = kind === 'entity' ? 'entities' : kind === 'beat' ? 'beats' : 'stories';
  return `${site}/${folder}/${slug}`;
}
