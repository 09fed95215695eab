/**
 * A studio as the sync model tests run it: the app's own sync service on a real library file, behind
 * a network the test turns off, or kills in the middle of a sync (a crash) and opens again.
 */
import { join } from 'node:path';
import { Library } from '../../../electron/services/library/index.js';
import { sampleCatalogPath } from '../../../electron/services/paths.js';
import { SyncService } from '../../../electron/services/sync-service/index.js';
import { MemoryVault } from '../../../electron/services/vault/index.js';

/** Accepted note PUTs, as the wire saw them: note id → Idempotency-Keys the backend answered 2xx. */
export type Accepted = Map<string, Set<string>>;

/** The network as a studio sees it: on, off, or dying after k more requests (a crash). */
export class Network {
  offline = false;
  crashAfter: number | null = null;
  dead = false;
  constructor(
    private readonly target: string,
    private readonly watch: { accepted?: Accepted; onCrashAfterAccept?: () => void } = {},
  ) {}

  readonly fetch: typeof globalThis.fetch = async (input, init) => {
    if (this.offline || this.dead) throw new TypeError('fetch failed');
    const url = String(input).replace(/^http:\/\/studio-backend\.test/, this.target);
    const res = await globalThis.fetch(url, init);
    const note = /\/notes\/([a-z0-9-]+)$/.exec(new URL(url).pathname)?.[1];
    if (this.watch.accepted && init?.method === 'PUT' && note && res.status < 300) {
      const key = new Headers(init.headers).get('idempotency-key')!;
      if (!this.watch.accepted.has(note)) this.watch.accepted.set(note, new Set());
      this.watch.accepted.get(note)!.add(key);
    }
    if (this.crashAfter !== null && --this.crashAfter < 0) {
      // The backend took the request; the studio dies before it reads the answer.
      await res.arrayBuffer();
      this.dead = true;
      if (init?.method === 'PUT' && res.status < 300) this.watch.onCrashAfterAccept?.();
      throw new TypeError('fetch failed');
    }
    return res;
  };
}

export interface Studio {
  dir: string;
  vault: MemoryVault;
  net: Network;
  library: Library;
  sync: SyncService;
}

/** A studio on the library file in `dir` (opened again after a crash with `reopen`). */
export function newStudio(dir: string, net: Network): Studio {
  const s = { dir, vault: new MemoryVault(), net } as Studio;
  reopen(s);
  return s;
}

export function reopen(s: Studio): void {
  s.library = Library.open(join(s.dir, 'library.sqlite'), { seed: { catalogPath: sampleCatalogPath() } });
  s.sync = new SyncService({
    library: s.library,
    vault: s.vault,
    fetch: s.net.fetch,
    intervalMs: 0,
    healthRetryMs: 0,
    engine: { backoff: { baseMs: 1, capMs: 4 }, timeoutMs: 5_000 },
  });
}

/** A sync that dies after `after` more requests; the process is gone, and a new one opens the same file. */
export async function crashDuringSync(s: Studio, after: number): Promise<void> {
  s.net.crashAfter = after;
  await s.sync.run();
  // Its connection closes without any goodbye.
  s.library.close();
  s.net.crashAfter = null;
  s.net.dead = false;
  reopen(s);
}
