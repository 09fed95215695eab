import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runWithCodeCache } from './code-cache.js';

// `node dist/host/main.js`: runs the browser host's bundle (host.cjs, built from main.ts) with
// V8's code cache beside it. The cache is written 3 s into a start that had none (the functions a
// start and a first page run are compiled by then, so they are in it), or as the host stops if
// that comes first; then only when the bundle or Node changed.
const here = dirname(fileURLToPath(import.meta.url));
const run = runWithCodeCache(join(here, 'host.cjs'), join(here, 'host.cjs.cache'));
if (!run.accepted) {
  let saved = false;
  const save = () => {
    if (saved) return;
    saved = true;
    run.save();
  };
  setTimeout(save, 3000).unref();
  // A stop (Ctrl+C, SIGTERM) ends in process.exit; a start that failed (exit 2) is not worth keeping.
  process.once('exit', (code) => code === 0 && save());
}
