export { Library, readLibraryCatalog, ftsQuery, type OpenLibraryOptions, type StoryFilter } from './library.js';
export { LibraryError } from './errors.js';
export { SCHEMA_VERSION, APPLICATION_ID } from './schema.js';
