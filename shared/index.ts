/**
 * The story format of Newsdesk Studio: the one implementation that the editor, the preview, the
 * linter, the command line, the library and the publishing backend all go through.
 * Pure TypeScript: no Node built-ins, no DOM.
 */
export * from './story/index.js';
export * from './catalog/index.js';
export * from './render/index.js';
export * from './lint/index.js';
export * from './text-export/index.js';
export * from './notes/index.js';
export { isAllowedUrl, isHttpUrl } from './markdown/index.js';
export { SLUG_PATTERN, SLUG_MAX_LENGTH, deriveSlug, isValidSlug, slugProblem, slugify } from './slug.js';
export { DEFAULT_SITE, normalizeSite, referenceUrl, siteError, siteProblem } from './site.js';
export * from './merge/index.js';
export { commonPrefix, commonSuffix } from './text-util.js';
export { memoize } from './memo.js';
