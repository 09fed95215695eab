const SCHEME = /^([a-z][a-z0-9+.-]*):/i;
const ALLOWED = new Set(['http', 'https', 'mailto']);

/**
 * The URL allow-list of the story format: http, https, mailto, relative paths and #fragments.
 * Control characters and spaces are ignored when reading the scheme, as browsers ignore them.
 */
export function isAllowedUrl(url: string): boolean {
  const squashed = url.replace(/[\u0000-\u0020\u007f-\u009f]/g, '');
  const m = SCHEME.exec(squashed);
  if (!m) return true;
  return ALLOWED.has(m[1]!.toLowerCase());
}

/** Whether a citation URL is an http(s) URL (the `citation-url` rule). */
export function isHttpUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '';
  } catch {
    return false;
  }
}
