import { setLibraryCatalogReader } from './catalog-choice.js';
import { runStudio } from './studio.js';
import { readLibraryCatalog } from '../services/library/library.js';

// Without --catalog, commands read the studio library's catalog copy (SQLite is loaded only then).
setLibraryCatalogReader(readLibraryCatalog);

// Exit only once stdout has drained, so that piped output is never cut short.
runStudio(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
