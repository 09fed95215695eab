// `npm test`: typecheck, lint, formatting (Prettier: `npm run format` fixes it), import rules, then every vitest suite (unit, property, CLI and server
// integration, end-to-end in Chromium where it is installed). Stops at the first failing step.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const bin = (name) => `node_modules/.bin/${name}`;
const dirs = ['shared', 'electron', 'renderer', 'server', 'test', 'bench', 'scripts'].filter((d) => existsSync(d));
const steps = [
  ['build', process.execPath, ['scripts/build.mjs']],
  ['typecheck', process.execPath, ['scripts/typecheck.mjs']],
  ['lint', bin('eslint'), ['--max-warnings', '0', ...dirs]],
  ['format', bin('prettier'), ['--check', '--log-level', 'warn', ...dirs]],
  ['import rules', bin('depcruise'), ['--config', '.dependency-cruiser.cjs', ...dirs]],
  ['tests', bin('vitest'), ['run', ...process.argv.slice(2)]],
];
for (const [name, cmd, args] of steps) {
  const started = Date.now();
  console.log(`\n== ${name}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`npm test: ${name} failed (exit ${r.status ?? r.signal})`);
    process.exit(r.status || 1);
  }
  console.log(`== ${name}: ok in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
