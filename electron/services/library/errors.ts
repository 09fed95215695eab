/** A library file that cannot be used; the message is one line and names the file. */
export class LibraryError extends Error {
  override name = 'LibraryError';
  constructor(
    readonly file: string,
    readonly reason: 'locked' | 'read-only' | 'corrupt' | 'newer' | 'foreign' | 'io',
    message: string,
  ) {
    super(message);
  }
}

/** Turns an SQLite error into a one-line LibraryError naming the file. */
export function describeSqliteError(file: string, e: unknown): Error {
  if (e instanceof LibraryError) return e;
  const code = (e as { code?: string }).code ?? '';
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new LibraryError(file, 'locked', `${file}: the library is locked by another program; close it and try again`);
  }
  if (code.startsWith('SQLITE_READONLY') || code === 'EACCES' || code === 'EROFS') {
    return new LibraryError(file, 'read-only', `${file}: the library is read-only; nothing was changed`);
  }
  if (code.startsWith('SQLITE_NOTADB') || code.startsWith('SQLITE_CORRUPT')) {
    return new LibraryError(file, 'corrupt', `${file}: not a readable Newsdesk Studio library (the file is damaged or not SQLite); it was left untouched`);
  }
  if (code.startsWith('SQLITE_CANTOPEN')) {
    return new LibraryError(file, 'io', `${file}: cannot open the library (missing folder or no permission)`);
  }
  return e instanceof Error ? e : new Error(String(e));
}
