export {
  renderHtml,
  renderCitationsHtml,
  renderMarkdown,
  formatDate,
  type RenderOptions,
  type RenderHtmlOptions,
  type RenderMarkdownOptions,
} from './render-html.js';
export { IncrementalRender, type KnownEdit } from './incremental.js';
export { STORY_STYLESHEET } from './stylesheet.js';
export { recordCatalogReads, catalogFingerprint, type CatalogReads } from './catalog-reads.js';
