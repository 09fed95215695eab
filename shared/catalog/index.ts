export * from './schema.js';
export { CatalogIndex, EMPTY_CATALOG, indexCatalog, type CatalogItem } from './catalog-index.js';
export type { LabelHit, LabelScore } from './label-search.js';
export { CatalogError, loadCatalog, parseCatalog } from './load.js';
export { normalizeLabel } from './normalize.js';
