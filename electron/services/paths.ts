import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder holding the project's package.json (resources/ lives beside it), from source or dist. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate)) {
      try {
        if ((JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string }).name === 'newsdesk-studio') return dir;
      } catch {
        // not ours; keep climbing
      }
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the newsdesk-studio package folder');
    dir = parent;
  }
}

/** The bundled sample catalog. */
export function sampleCatalogPath(): string {
  return join(packageRoot(), 'resources', 'catalog.json');
}

/** The bundled sample stories. */
export function sampleStoriesDir(): string {
  return join(packageRoot(), 'resources', 'stories');
}

/**
 * The studio's data folder: $STUDIO_HOME, else the platform's user-data folder
 * (XDG_DATA_HOME or ~/.local/share on Linux, ~/Library/Application Support on macOS, %APPDATA% on Windows).
 */
export function dataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.STUDIO_HOME) return env.STUDIO_HOME;
  const home = homedir();
  if (process.platform === 'darwin') return join(home, 'Library', 'Application Support', 'Newsdesk Studio');
  if (process.platform === 'win32') return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'Newsdesk Studio');
  return join(env.XDG_DATA_HOME ?? join(home, '.local', 'share'), 'newsdesk-studio');
}

/** The default library file in the data folder. */
export function defaultLibraryPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(dataDir(env), 'library.sqlite');
}

/**
 * Makes `file` the user's alone before the studio writes it: its folder is created 0700 when missing,
 * the file 0600 (SQLite gives its -wal and -shm files the database file's mode), and a file an older
 * version left readable by others is narrowed to 0600. Other users may not read a library, settings
 * or a token (issue 15 #8). No-op on Windows, whose files have no such modes.
 */
export function makePrivateFile(file: string): void {
  if (process.platform === 'win32') return;
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  if (!existsSync(file)) {
    closeSync(openSync(file, 'a', 0o600));
    return;
  }
  const st = statSync(file);
  if (st.isFile() && (st.mode & 0o077) !== 0 && st.uid === process.getuid?.()) chmodSync(file, st.mode & 0o700);
}

/** The studio's own data folder, created 0700 or narrowed to it (it holds the library, settings and token). */
export function privateDataDir(env: NodeJS.ProcessEnv = process.env): string {
  const dir = dataDir(env);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (process.platform !== 'win32' && (statSync(dir).mode & 0o077) !== 0) chmodSync(dir, 0o700);
  return dir;
}
