// `npm run bench`: every benchmark in bench/ (files named *-bench.mjs), one after another, in one run.
import { readdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const dir = join(dirname(fileURLToPath(import.meta.url)), '..', 'bench');
const only = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((f) => f.endsWith('-bench.mjs') && (only.length === 0 || only.some((o) => f.includes(o))))
  .sort();
console.log(`# Newsdesk Studio benchmarks (${new Date().toISOString()}, Node ${process.version})`);
let failed = 0;
for (const f of files) {
  const mod = await import(pathToFileURL(join(dir, f)).href);
  if (typeof mod.run !== 'function') continue;
  try {
    await mod.run();
  } catch (e) {
    failed++;
    console.error(`bench ${f} failed: ${e.message}`);
  }
}
process.exitCode = failed ? 1 : 0;
