// `npm run typecheck`: one tsconfig per process, each with only the globals that process has
// (shared/: neither DOM nor Node; renderer/: DOM; electron/ and server/: Node; the root one for
// tests, benchmarks and scripts). Two at a time: this machine has two cores.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const PROJECTS = ['shared/tsconfig.json', 'renderer/tsconfig.json', 'electron/tsconfig.json', 'server/tsconfig.json', 'tsconfig.json'];
const tsc = join(root, 'node_modules/typescript/bin/tsc');

function check(project) {
  return new Promise((done) => {
    const started = Date.now();
    const child = spawn(process.execPath, [tsc, '-p', join(root, project), '--noEmit', '--pretty'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (out += c));
    child.on('close', (code) => {
      process.stdout.write(`${code === 0 ? 'ok  ' : 'FAIL'} ${project} (${((Date.now() - started) / 1000).toFixed(1)} s)\n${out}`);
      done(code === 0);
    });
  });
}

const queue = [...PROJECTS];
let failed = 0;
await Promise.all(
  [0, 1].map(async () => {
    for (let p = queue.shift(); p; p = queue.shift()) if (!(await check(p))) failed++;
  }),
);
if (failed) {
  console.error(`typecheck: ${failed} of ${PROJECTS.length} projects failed`);
  process.exit(1);
}
