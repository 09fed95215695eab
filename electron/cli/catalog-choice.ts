import { existsSync } from 'node:fs';
import type { CatalogIndex } from '../../shared/index.js';
import { defaultLibraryPath, sampleCatalogPath } from '../services/paths.js';
import { readCatalogFile } from '../services/story-files.js';

/** Reads the catalog copy a library holds, or null when it has none (provided by the library service). */
export type LibraryCatalogReader = (libraryPath: string) => Promise<CatalogIndex | null>;

let libraryReader: LibraryCatalogReader | undefined;

/** Lets the library service say how to read its catalog copy without the CLI depending on SQLite at load. */
export function setLibraryCatalogReader(reader: LibraryCatalogReader): void {
  libraryReader = reader;
}

/**
 * The catalog a command uses: `--catalog FILE`, else the studio library's copy, else the bundled
 * sample catalog.
 */
export async function chooseCatalog(option: string | undefined): Promise<CatalogIndex> {
  if (option) return readCatalogFile(option);
  const library = defaultLibraryPath();
  if (libraryReader && existsSync(library)) {
    const fromLibrary = await libraryReader(library);
    if (fromLibrary) return fromLibrary;
  }
  return readCatalogFile(sampleCatalogPath());
}
