/**
 * Group commit for a SQLite database in WAL mode.
 *
 * `PRAGMA synchronous = FULL` makes every COMMIT fsync the WAL on the calling thread, and
 * better-sqlite3 runs on the event loop: each write then stalls every request for the length of an
 * fsync, one fsync per write. Instead the connection runs with `synchronous = NORMAL` (SQLite still
 * syncs around checkpoints, so the file stays consistent) and a write, once committed, waits here for
 * an fdatasync of the WAL file before it is acknowledged. The fdatasync runs on libuv's thread pool,
 * and every commit made while one runs shares the next: one sync per batch, none on the event loop.
 * An acknowledged write is then on disk exactly as with FULL, which is what FULL adds over NORMAL.
 */
import { open, type FileHandle } from 'node:fs/promises';

export class WalSync {
  private file: Promise<FileHandle> | null = null;
  /** The sync that has not started yet: commits made now are covered by it. */
  private next: Promise<void> | null = null;
  /** The end of the last sync started, so that syncs run one after another. */
  private last: Promise<void> = Promise.resolve();

  constructor(private readonly walPath: string) {}

  /** Resolves once every commit made before this call is on disk. */
  sync(): Promise<void> {
    if (!this.next) {
      const next = this.last.then(() => {
        // From here on, new commits may land after the fdatasync starts: they wait for the one after.
        this.next = null;
        return this.datasync();
      });
      this.next = next;
      this.last = next.catch(() => undefined);
    }
    return this.next;
  }

  private async datasync(): Promise<void> {
    // Opened on first use: the WAL file exists once something has been committed. SQLite keeps it
    // (rewinding, not deleting it) while the database is open, so the handle stays the WAL's.
    this.file ??= open(this.walPath, 'r').catch((e: unknown) => {
      this.file = null;
      throw e;
    });
    await (await this.file).datasync();
  }

  async close(): Promise<void> {
    await this.last;
    const file = this.file;
    this.file = null;
    if (file) await (await file).close();
  }
}
