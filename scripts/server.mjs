// `npm run server`: a local publishing backend to point the studio at.
// Builds the server when dist/server/cli.js is missing, then runs
//   studio-server serve --db .studio-data/server.sqlite --catalog resources/catalog.json --port 8787 [extra arguments]
// (the catalog seeds an empty database only; extra arguments come last, so `npm run server -- --port 0`
// or `-- --db other.sqlite` override these), and says how to make a token once it listens.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'dist/server/cli.js');
const extra = process.argv.slice(2);

if (!existsSync(cli)) {
  console.error('server: building dist/server/cli.js (node scripts/build.mjs server)');
  try {
    execFileSync(process.execPath, [join(root, 'scripts/build.mjs'), 'server'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  } catch {
    console.error('server: the build failed (see above)');
    process.exit(1);
  }
}

/** The value of `--name VALUE` or `--name=VALUE` among the extra arguments (the last one wins). */
function option(name, fallback) {
  let value = fallback;
  extra.forEach((arg, i) => {
    if (arg === name && i + 1 < extra.length) value = extra[i + 1];
    else if (arg.startsWith(`${name}=`)) value = arg.slice(name.length + 1);
  });
  return value;
}

const db = join(root, '.studio-data/server.sqlite');
const args = ['serve', '--db', db, '--catalog', join(root, 'resources/catalog.json'), '--port', '8787', ...extra];
const child = spawn(process.execPath, [cli, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });

// The server's stdout goes through as it is; once it says where it listens, add how to use it.
let told = false;
createInterface({ input: child.stdout }).on('line', (line) => {
  process.stdout.write(`${line}\n`);
  const m = /^listening on (\S+)$/.exec(line);
  if (told || !m) return;
  told = true;
  const dbArg = option('--db', db);
  const shown = relative(process.cwd(), dbArg).startsWith('..') ? dbArg : relative(process.cwd(), dbArg) || dbArg;
  process.stdout.write(
    [
      '',
      'Publishing backend for Newsdesk Studio. Create a token (printed once, keep it):',
      `  TOKEN=$(npx studio-server token create --db ${shown} --name alice --role publisher)`,
      'Point the studio at it:',
      `  echo "$TOKEN" | npx studio login --backend ${m[1]}`,
      `Public site: ${m[1]}/   Stop: Ctrl-C`,
      '',
    ].join('\n'),
  );
});

// Ctrl-C reaches the whole process group, the server included; a signal sent to this process alone
// is passed on. Either way this process ends when the server has, with its exit code.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  });
}
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
child.on('error', (e) => {
  console.error(`server: cannot start ${cli}: ${e.message}`);
  process.exit(1);
});
