// `npm start`: the Electron app where an Electron binary exists, otherwise the loopback browser host
// (the same renderer and services over an authenticated localhost transport).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const args = process.argv.slice(2);

function electronBinary() {
  if (process.env.STUDIO_BROWSER === '1' || args.includes('--browser')) return null;
  // electron 45 downloads its binary lazily on the first require('electron') and throws when it
  // cannot: ask in a child process so that the download's noise and failure stay out of the way.
  const probe = spawnSync(
    process.execPath,
    ['-e', `try { process.stdout.write('\\n' + require(${JSON.stringify(require.resolve('electron'))})) } catch { process.exit(3) }`],
    {
      encoding: 'utf8',
      timeout: 180_000,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  if (probe.status !== 0) return null;
  const path = probe.stdout.split('\n').pop()?.trim();
  return path && existsSync(path) ? path : null;
}

const need = (file) => {
  if (!existsSync(join(root, file))) {
    console.error(`studio: ${file} is missing: run \`npm run build\` first`);
    process.exit(2);
  }
};

const electron = electronBinary();
let child;
if (electron) {
  need('dist/electron/main.js');
  child = spawn(electron, [join(root, 'dist/electron/main.js'), ...args], { stdio: 'inherit' });
} else {
  need('dist/host/main.js');
  need('dist/renderer/index.html');
  console.log('No Electron binary here: starting the browser host.');
  child = spawn(process.execPath, [join(root, 'dist/host/main.js'), ...args.filter((a) => a !== '--browser')], { stdio: 'inherit' });
}
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
