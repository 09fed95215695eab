import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, fsyncSync, lstatSync, mkdirSync, openSync, renameSync, unlinkSync, writeSync, type Stats } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { BadInputError } from './bad-input.js';

export interface AtomicWriteOptions {
  /** The file's mode, whatever it had (a private file: 0o600). Default: an existing file's own mode, else the umask's. */
  mode?: number;
  /** Create missing folders, with this mode. */
  mkdir?: number;
}

/** What `st` is, for a one-line refusal, or null for a regular file. */
function notRegular(st: Stats): string | null {
  if (st.isFile()) return null;
  if (st.isSymbolicLink()) return 'is a symbolic link; refusing to replace it (write to its target instead)';
  if (st.isDirectory()) return 'is a directory, not a file';
  const kind = st.isFIFO() ? 'a FIFO' : st.isCharacterDevice() || st.isBlockDevice() ? 'a device node' : st.isSocket() ? 'a socket' : 'special';
  return `is not a regular file (${kind}); refusing to replace it`;
}

/**
 * Writes a file atomically, the one way every writer of files does: a temporary file beside it
 * (flushed to disk), then a rename, so a failed run leaves no partial file and readers never see
 * half of one. What is there and is not a regular file (a symlink, FIFO, device node, socket,
 * folder) is refused with a one-line reason and left as it was; an existing file keeps its mode.
 */
export function writeFileAtomicSync(file: string, content: string | Uint8Array, options: AtomicWriteOptions = {}): void {
  let existing: Stats | undefined;
  try {
    existing = lstatSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new BadInputError(file, `cannot write (${(e as NodeJS.ErrnoException).code})`);
  }
  if (existing) {
    const reason = notRegular(existing);
    if (reason) throw new BadInputError(file, reason);
  }
  const mode = options.mode ?? (existing ? existing.mode & 0o7777 : undefined);
  const dir = dirname(file);
  const tmp = join(dir, `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let fd: number | undefined;
  try {
    if (options.mkdir !== undefined) mkdirSync(dir, { recursive: true, mode: options.mkdir });
    fd = openSync(tmp, 'wx', mode ?? 0o666);
    // The umask narrows the mode a file is created with: set the one asked for, exactly.
    if (mode !== undefined) chmodSync(tmp, mode);
    const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    for (let at = 0; at < bytes.length;) at += writeSync(fd, bytes, at, bytes.length - at);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, file);
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      // never created, or already renamed
    }
    throw new BadInputError(file, `cannot write (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  // The rename is durable once the folder is flushed (where the platform allows opening one).
  try {
    const dfd = openSync(dir, 'r');
    try {
      fsyncSync(dfd);
    } finally {
      closeSync(dfd);
    }
  } catch {
    // not supported here (Windows): the rename itself is still atomic
  }
}

/** writeFileAtomicSync for async callers (the command line): the same checks and steps. */
export async function writeFileAtomic(file: string, content: string | Uint8Array, options?: AtomicWriteOptions): Promise<void> {
  writeFileAtomicSync(file, content, options);
}
