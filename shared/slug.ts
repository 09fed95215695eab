/** The slug rule of the story format: lower-case words of a–z and 0–9 joined by single hyphens. */
export const SLUG_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
export const SLUG_MAX_LENGTH = 120;

/** Why a slug breaks the rule, or null when it is valid. */
export function slugProblem(slug: string): string | null {
  if (slug.length === 0) return 'the slug is empty';
  if (slug.length > SLUG_MAX_LENGTH) return `the slug is ${slug.length} characters long (at most ${SLUG_MAX_LENGTH})`;
  if (!SLUG_PATTERN.test(slug)) return 'a slug is lower-case letters and digits joined by single hyphens';
  return null;
}

export function isValidSlug(slug: string): boolean {
  return slugProblem(slug) === null;
}

// Dropped from derived slugs, as the published site does ("…Overnight and the Builders…" → "…overnight-builders…").
const STOP_WORDS = new Set([
  'a',
  'an',
  'the',
  'and',
  'or',
  'but',
  'nor',
  'of',
  'to',
  'in',
  'on',
  'at',
  'for',
  'with',
  'by',
  'from',
  'as',
  'into',
  'onto',
  'is',
  'are',
  'was',
  'were',
  'be',
  'been',
  'it',
  'its',
  'that',
  'this',
  'these',
  'those',
  'than',
  'then',
  'so',
  'if',
  'via',
]);

/** Longest word part of a derived slug: the published site's two sample slugs both fit in 49. */
const DERIVED_BASE_MAX = 49;

/** Words of a free phrase, lower-cased and stripped of accents and punctuation. */
export function slugWords(text: string): string[] {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/['’]s\b/g, '')
    .replace(/['’]/g, '')
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 0);
}

/** A slug for a free phrase without the hex suffix ("Open Source AI" → "open-source-ai"). */
export function slugify(text: string, maxLength = SLUG_MAX_LENGTH): string {
  return joinWithin(slugWords(text), maxLength);
}

function joinWithin(words: string[], maxLength: number): string {
  let out = '';
  for (const word of words) {
    const next = out ? `${out}-${word}` : word;
    if (next.length > maxLength) {
      if (!out) out = word.slice(0, maxLength);
      break;
    }
    out = next;
  }
  return out;
}

/** FNV-1a over UTF-16 code units: small, stable and the same in every process. */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/**
 * The slug derived from a title: its words without stop words, cut at a word boundary, then `-`
 * and 4 hex characters. The hex part is a hash of the title (and `nonce`), so the same title always
 * derives the same slug; pass a nonce to get another one when a slug is taken.
 */
export function deriveSlug(title: string, nonce = 0): string {
  const words = slugWords(title);
  const content = words.filter((w) => !STOP_WORDS.has(w));
  const base = joinWithin(content.length > 0 ? content : words, DERIVED_BASE_MAX) || 'story';
  const hex = (fnv1a(nonce === 0 ? title : `${title}\u0000${nonce}`) & 0xffff).toString(16).padStart(4, '0');
  return `${base}-${hex}`;
}
