import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runWithCodeCache } from './code-cache.js';

// `node dist/host/main.js`: runs the browser host's bundle (host.cjs, built from main.ts) with
// V8's code cache beside it. The cache is written once the host has started and served its first
// page, so the functions a start runs are in it too; then only when the bundle or Node changed.
const here = dirname(fileURLToPath(import.meta.url));
const run = runWithCodeCache(join(here, 'host.cjs'), join(here, 'host.cjs.cache'));
if (!run.accepted) setTimeout(() => run.save(), 3000).unref();
