export * from './schema.js';
export { CatalogIndex, EMPTY_CATALOG, indexCatalog } from './catalog-index.js';
export { CatalogError, loadCatalog, parseCatalog } from './load.js';
export { normalizeLabel } from './normalize.js';
