import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { createHandlers, settingsFile, watchHostEvents } from '../services/api-handlers.js';
import { SyncService } from '../services/sync-service/index.js';
import { credentialsPath, EnvOverrideVault, FileVault } from '../services/vault/index.js';
import { Library } from '../services/library/index.js';
import { defaultLibraryPath, privateDataDir, packageRoot, sampleCatalogPath, sampleStoriesDir } from '../services/paths.js';
import { HostArgsError, parseHostArgs, type HostArgs } from './args.js';
import { startHost } from './server.js';

// `npm start` without Electron: the same renderer and services over an authenticated loopback transport.
async function main(): Promise<void> {
  let args: HostArgs;
  try {
    args = parseHostArgs(process.argv.slice(2), process.env);
  } catch (e) {
    if (!(e instanceof HostArgsError)) throw e;
    console.error(`studio: ${e.message}`);
    process.exit(2);
  }
  const { port } = args;
  // The default data folder is the user's alone (0700); a library named on the command line keeps its folder.
  if (!args.library) privateDataDir();
  const libraryPath = args.library ?? defaultLibraryPath();
  let lib: Library;
  try {
    lib = Library.open(libraryPath, { seed: { catalogPath: sampleCatalogPath(), storiesDir: sampleStoriesDir() } });
  } catch (e) {
    console.error(`studio: ${(e as Error).message}`);
    process.exit(2);
  }
  // The browser host has no system keyring: the token lives in a file only this user may read,
  // beside the library (or comes from STUDIO_TOKEN), and the settings say so.
  const vault = new EnvOverrideVault(new FileVault(credentialsPath(dirname(libraryPath))));
  const sync = new SyncService({
    library: lib,
    vault,
    storageNote: (storage) =>
      storage === 'plain'
        ? 'The browser host has no encrypted storage: the token is kept in a file only your user may read (mode 0600), beside the library.'
        : storage === 'env'
          ? 'The token comes from STUDIO_TOKEN and is not stored.'
          : 'The token is kept in memory only.',
  });
  sync.start();
  const host = await startHost({
    handlers: createHandlers(lib, settingsFile(libraryPath, lib), sync),
    staticDir: join(packageRoot(), 'dist', 'renderer'),
    port,
    events: (emit) => watchHostEvents(sync, emit),
  });
  // One-time addresses only (issue 15 #8): the opener's command line (readable in /proc/*/cmdline)
  // and this output carry a code that works once, never the secret. The printed one lasts 10 minutes.
  console.log(`Newsdesk Studio is running at ${host.openUrl(10 * 60_000)}`);
  console.log(`Library: ${libraryPath}`);
  const noOpen = !args.open;
  const hasDisplay = process.platform === 'darwin' || process.platform === 'win32' || !!process.env.DISPLAY || !!process.env.WAYLAND_DISPLAY;
  if (!noOpen && hasDisplay) {
    const opener = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
    const child = spawn(opener, [host.openUrl()], { stdio: 'ignore', detached: true });
    child.on('error', () => console.log('(could not open a browser; open the address above)'));
    child.unref();
  }
  const stop = () => {
    sync.stop();
    host
      .close()
      .then(() => sync.idle())
      .finally(() => {
        lib.close();
        process.exit(0);
      });
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

void main();
