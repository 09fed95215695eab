/**
 * Where story PUTs are checked (story-file.ts: build the file, lint it against the catalog, find its
 * references): on the event loop, or in worker threads.
 *
 * The check is most of a PUT's time, all of it CPU: about 0.7 ms for a 5 KB story, and it grows with
 * the story. On the event loop it holds up every other request (public pages, health) for that long;
 * in workers it runs beside the loop, on the machine's other cores. Each worker keeps a copy of the
 * catalog (CatalogReplica) and is brought up to date from the store's change feed before each check,
 * so a check sees the catalog as of the moment it was asked for, as it would on the loop.
 */
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { checkStory, type StoryCheck, type StoryCheckInput } from './story-file.js';
import { CatalogReplica } from './store/live-catalog.js';
import type { CatalogChange, PublishingStore } from './store/store.js';

/** A check stopped at its time or memory limit: the story is refused (422), the worker replaced. */
export class CheckLimitError extends Error {
  constructor(
    readonly limit: 'time' | 'memory',
    message: string,
  ) {
    super(message);
  }
}

/** The time and memory one check may take in a worker. */
export const CHECK_LIMITS = { timeLimitMs: 10_000, memoryMb: 512 } as const;

export interface StoryChecker {
  /** Resolves once checks can start at once (awaited before the server listens). */
  ready(): Promise<void>;
  check(input: StoryCheckInput): Promise<StoryCheck>;
  close(): Promise<void>;
}

/** Checks on the event loop, with the store's own catalog index. */
export class InlineStoryChecker implements StoryChecker {
  constructor(private readonly store: PublishingStore) {}

  async ready(): Promise<void> {}

  async check(input: StoryCheckInput): Promise<StoryCheck> {
    return checkStory(input, (await this.store.catalog()).index);
  }

  async close(): Promise<void> {}
}

type ToWorker = { type: 'catalog'; changes: CatalogChange[] } | { type: 'check'; id: number; input: StoryCheckInput };
type FromWorker = { ready: true } | { id: number; result: StoryCheck } | { id: number; error: string };

/** Marks a worker thread as a story worker in its `workerData`. */
const STORY_WORKER = 'newsdesk-story-worker';

interface Slot {
  worker: Worker;
  pending: Map<number, { resolve: (r: StoryCheck) => void; reject: (e: Error) => void }>;
  /** The change number of the catalog this worker holds. */
  seq: number;
  /** Catalog updates, one after another, so that the worker gets them in feed order. */
  updates: Promise<void>;
  /** Settled when the worker has loaded and listens (or failed to). */
  started: Promise<void>;
  online: boolean;
  /** Checks given to this worker and not answered yet, counted from the moment it is chosen. */
  load: number;
}

/**
 * Checks in `count` worker threads running `file`, a module that calls `runStoryWorkerIfOne()` at
 * its top (the built dist/server/cli.js does). Source files under a TS loader cannot be run in a
 * worker by plain Node: the tests use InlineStoryChecker, the CLI this.
 */
export class WorkerStoryChecker implements StoryChecker {
  private readonly slots: Slot[] = [];
  private nextId = 0;
  private closed = false;

  private readonly timeLimitMs: number;
  private readonly memoryMb: number;

  constructor(
    private readonly store: PublishingStore,
    private readonly file: string | URL,
    count: number,
    limits: { timeLimitMs?: number; memoryMb?: number } = {},
  ) {
    this.timeLimitMs = limits.timeLimitMs ?? CHECK_LIMITS.timeLimitMs;
    this.memoryMb = limits.memoryMb ?? CHECK_LIMITS.memoryMb;
    for (let i = 0; i < count; i++) this.slots.push(this.spawn());
  }

  private spawn(): Slot {
    const worker = new Worker(this.file, {
      workerData: { [STORY_WORKER]: true },
      // A check that needs more than this is refused, not allowed to take the process's memory.
      resourceLimits: { maxOldGenerationSizeMb: this.memoryMb },
    });
    let started!: { resolve: () => void; reject: (e: Error) => void };
    const slot: Slot = {
      worker,
      pending: new Map(),
      seq: 0,
      updates: Promise.resolve(),
      online: false,
      load: 0,
      started: new Promise<void>((resolve, reject) => (started = { resolve, reject })),
    };
    slot.started.catch(() => undefined); // observed by ready(), if anyone asks
    worker.on('message', (m: FromWorker) => {
      if ('ready' in m) {
        slot.online = true;
        return started.resolve();
      }
      const p = slot.pending.get(m.id);
      if (!p) return;
      slot.pending.delete(m.id);
      if ('error' in m) p.reject(new Error(`story check failed: ${m.error}`));
      else p.resolve(m.result);
    });
    worker.on('error', (e: Error & { code?: string }) => {
      started.reject(e);
      const limit = e.code === 'ERR_WORKER_OUT_OF_MEMORY' ? new CheckLimitError('memory', `the story needs more than ${this.memoryMb} MB to check`) : e;
      this.lost(slot, limit);
    });
    worker.on('exit', (code) => {
      const e = new Error(`a story worker stopped (exit code ${code})`);
      started.reject(e);
      this.lost(slot, e);
    });
    // Idle workers must not keep the process alive: the HTTP server does while it is open.
    worker.unref();
    return slot;
  }

  /**
   * A worker died: its checks fail (the requests answer 500 and may be retried) and a new one takes
   * its place, unless it died before it was ready (a new one would only die the same way).
   */
  private lost(slot: Slot, error: Error): void {
    for (const p of slot.pending.values()) p.reject(error);
    slot.pending.clear();
    const i = this.slots.indexOf(slot);
    if (i < 0 || this.closed) return;
    if (slot.online) this.slots[i] = this.spawn();
    else this.slots.splice(i, 1);
  }

  /** Every worker loaded, and given the catalog: the first checks do not wait for either. */
  async ready(): Promise<void> {
    await Promise.all(
      this.slots.map(async (slot) => {
        await slot.started;
        await this.update(slot);
      }),
    );
  }

  async check(input: StoryCheckInput): Promise<StoryCheck> {
    if (this.closed) throw new Error('the story checker is closed');
    let slot = this.slots[0];
    if (!slot) throw new Error('no story worker is running');
    for (const s of this.slots) if (s.load < slot.load) slot = s;
    const chosen = slot;
    chosen.load++;
    try {
      await this.update(chosen);
      const id = ++this.nextId;
      // The limit counts the check alone, not the start of a worker that has just replaced another.
      await chosen.started;
      return await new Promise<StoryCheck>((resolve, reject) => {
        // Past the limit the worker is stopped (a check cannot be interrupted otherwise) and replaced;
        // its other checks fail as for a crash, and may be retried.
        const timer = setTimeout(() => {
          chosen.pending.delete(id);
          reject(new CheckLimitError('time', `the story took longer than ${formatSeconds(this.timeLimitMs)} to check`));
          // Its place goes to a new worker at once, so that no later check is given to this one.
          const i = this.slots.indexOf(chosen);
          if (i >= 0 && !this.closed) this.slots[i] = this.spawn();
          void chosen.worker.terminate();
        }, this.timeLimitMs);
        const settle =
          <T>(f: (v: T) => void) =>
          (v: T) => {
            clearTimeout(timer);
            f(v);
          };
        chosen.pending.set(id, { resolve: settle(resolve), reject: settle(reject) });
        chosen.worker.postMessage({ type: 'check', id, input } satisfies ToWorker);
      });
    } finally {
      chosen.load--;
    }
  }

  /** Queues a catalog update of the worker behind the ones already queued, and waits for it. */
  private update(slot: Slot): Promise<void> {
    const done = slot.updates.then(() => this.bringUpToDate(slot));
    slot.updates = done.catch(() => undefined);
    return done;
  }

  /** Sends the worker the catalog changes it has not seen (all of them, to a new worker). */
  private async bringUpToDate(slot: Slot): Promise<void> {
    const { version } = await this.store.catalog();
    const recent = slot.seq < version ? this.store.recentCatalogChanges?.(slot.seq, version) : null;
    if (recent) {
      slot.worker.postMessage({ type: 'catalog', changes: recent } satisfies ToWorker);
      slot.seq = version;
      return;
    }
    while (slot.seq < version) {
      const page = await this.store.catalogChanges(slot.seq, 5000);
      if (page.items.length) slot.worker.postMessage({ type: 'catalog', changes: page.items } satisfies ToWorker);
      slot.seq = Number(page.cursor);
      if (!page.hasMore) break;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}

function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}

/** In a story worker thread: answers checks until the thread ends, and returns true; elsewhere false. */
export function runStoryWorkerIfOne(): boolean {
  if (isMainThread || !parentPort || (workerData as Record<string, unknown> | null)?.[STORY_WORKER] !== true) return false;
  const port = parentPort;
  const catalog = new CatalogReplica();
  port.on('message', (m: ToWorker) => {
    if (m.type === 'catalog') {
      catalog.apply(m.changes);
      return;
    }
    let answer: FromWorker;
    try {
      answer = { id: m.id, result: checkStory(m.input, catalog.index) };
    } catch (e) {
      answer = { id: m.id, error: (e as Error).message?.split('\n')[0] ?? String(e) };
    }
    port.postMessage(answer);
  });
  port.postMessage({ ready: true } satisfies FromWorker);
  return true;
}
