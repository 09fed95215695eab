export { Library, readLibraryCatalog } from './library.js';
export type { OpenLibraryOptions } from './open.js';
export type { StoryFilter } from './stories.js';
export { ftsQuery } from './search.js';
export { LibraryError } from './errors.js';
export { SCHEMA_VERSION, APPLICATION_ID } from './schema.js';
