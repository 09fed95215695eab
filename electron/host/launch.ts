import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchWithCodeCache } from '../services/code-cache.js';

// `node dist/host/main.js`: runs the browser host's bundle (host.cjs, built from main.ts) with
// V8's code cache beside it (host.cjs.cache).
launchWithCodeCache(join(dirname(fileURLToPath(import.meta.url)), 'host.cjs'));
