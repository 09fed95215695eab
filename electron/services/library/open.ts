import type Database from 'better-sqlite3';
import { createRequire } from 'node:module';
import { accessSync, closeSync, constants, existsSync, openSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { makePrivateFile } from '../paths.js';
import { LibraryError, describeSqliteError } from './errors.js';
import { APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION } from './schema.js';

export interface OpenLibraryOptions {
  /** Seed a new library with this catalog file and these sample stories. */
  seed?: { catalogPath: string; storiesDir?: string };
  /** Open without writing (for reading the catalog copy). */
  readonly?: boolean;
}

/** What opening found: the connection, and whether the library was new or needs its search index rebuilt. */
export interface OpenedDatabase {
  db: Database.Database;
  /** The file was missing or empty: a new library (to be seeded). */
  isNew: boolean;
  /** Migrated from a version before full-text search: every story must be indexed. */
  reindex: boolean;
}

const SQLITE_HEADER = 'SQLite format 3\0';

let sqlite: typeof Database | undefined;
/** better-sqlite3, loaded on first use: the command line loads it only when it reads a library. */
function loadSqlite(): typeof Database {
  sqlite ??= createRequire(import.meta.url)('better-sqlite3') as typeof Database;
  return sqlite;
}

/** Checks a file's first bytes before SQLite touches it: a non-SQLite file is refused, never overwritten. */
function checkHeader(file: string): void {
  if (!existsSync(file)) return;
  const stat = statSync(file);
  // `--library ~/newsroom` names a folder: say which file it takes, not the EISDIR of reading it.
  if (stat.isDirectory()) {
    throw new LibraryError(file, 'io', `${file}: is a folder, not a library file; name the file in it (for example ${join(file, 'library.sqlite')})`);
  }
  if (stat.size === 0) return;
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(16);
    readSync(fd, buf, 0, 16, 0);
    if (buf.toString('latin1') !== SQLITE_HEADER) {
      throw new LibraryError(file, 'corrupt', `${file}: not a Newsdesk Studio library (not an SQLite database); it was left untouched`);
    }
  } finally {
    closeSync(fd);
  }
}

const foreign = (file: string) =>
  new LibraryError(file, 'foreign', `${file}: an SQLite file of another program, not a Newsdesk Studio library; it was left untouched`);

/**
 * Opens the library file, refusing locked, read-only, damaged, foreign and newer files with a
 * one-line error and never rewriting them, and brings an older library to this version (in the
 * transaction `migrated` runs in, so a reindex that fails leaves the file as it was).
 */
export function openDatabase(file: string, options: OpenLibraryOptions, migrated: (opened: OpenedDatabase) => void): OpenedDatabase {
  checkHeader(file);
  const isNew = !existsSync(file) || statSync(file).size === 0;
  if (!isNew && !options.readonly) {
    try {
      accessSync(file, constants.W_OK);
    } catch {
      throw new LibraryError(file, 'read-only', `${file}: the library is read-only; nothing was changed`);
    }
  }
  if (isNew && options.readonly) throw new LibraryError(file, 'io', `${file}: no such library`);
  // The user's alone: the folder 0700 when created, the file 0600 (issue 15 #8).
  if (!options.readonly) {
    try {
      makePrivateFile(file);
    } catch {
      if (isNew) throw new LibraryError(file, 'io', `${file}: cannot open the library (missing folder or no permission)`);
    }
  }
  let db: Database.Database;
  try {
    db = new (loadSqlite())(file, { readonly: !!options.readonly, fileMustExist: !!options.readonly, timeout: 2000 });
  } catch (e) {
    throw describeSqliteError(file, e);
  }
  try {
    const version = db.pragma('user_version', { simple: true }) as number;
    const appId = db.pragma('application_id', { simple: true }) as number;
    if (appId !== 0 && appId !== APPLICATION_ID) throw foreign(file);
    if (version > SCHEMA_VERSION) {
      throw new LibraryError(
        file,
        'newer',
        `${file}: written by a newer Newsdesk Studio (library version ${version}; this one reads up to ${SCHEMA_VERSION}); it was left untouched`,
      );
    }
    if (version === 0 && !isNew) {
      const tables = db.prepare(`SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'`).get() as { n: number };
      if (tables.n > 0) throw foreign(file);
    }
    const opened = { db, isNew: version === 0, reindex: version >= 1 && version < 2 };
    if (options.readonly) {
      if (version < 1) throw new LibraryError(file, 'corrupt', `${file}: an empty library`);
      return opened;
    }
    if (db.pragma('journal_mode', { simple: true }) !== 'wal') db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.pragma('synchronous = NORMAL');
    if (version < SCHEMA_VERSION) {
      db.transaction(() => {
        for (let v = version; v < SCHEMA_VERSION; v++) MIGRATIONS[v]!(db);
        db.pragma(`application_id = ${APPLICATION_ID}`);
        db.pragma(`user_version = ${SCHEMA_VERSION}`);
        migrated(opened);
      })();
    }
    return opened;
  } catch (e) {
    db.close();
    throw describeSqliteError(file, e);
  }
}
