import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchWithCodeCache } from '../services/code-cache.js';

// `studio` (dist/cli/studio.js): runs the command line's bundle (studio.cjs, built from main.ts)
// with V8's code cache beside it (studio.cjs.cache). Loading its ~150 package files one by one
// was most of every command's start (issue 13; figures in docs/decisions.md).
launchWithCodeCache(join(dirname(fileURLToPath(import.meta.url)), 'studio.cjs'));
