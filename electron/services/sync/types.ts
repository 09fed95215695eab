/** What the sync engine's parts share: where stories live, the clock, progress and the results of a push or a pull. */
/**
 * Where the engine reads and writes the person's stories (the library, or memory in tests). `put`
 * says why it writes: a pull's fast-forward, the person's merge of a conflict, or the status (and
 * published date) the backend accepted, written into a text whose content it already holds.
 */
export interface LocalStories {
  get(slug: string): Promise<string | undefined> | string | undefined;
  put(slug: string, text: string, why: 'pull' | 'merge' | 'status'): Promise<void> | void;
}

export class MemoryStories implements LocalStories {
  readonly texts = new Map<string, string>();
  get(slug: string): string | undefined {
    return this.texts.get(slug);
  }
  put(slug: string, text: string): void {
    this.texts.set(slug, text);
  }
}

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
};

export type TokenProvider = () => string | undefined | Promise<string | undefined>;

/** How far a push or a pull has come: changes settled out of those waiting, items pulled so far. */
export interface SyncProgress {
  phase: 'push' | 'pull';
  done: number;
  /** Known for a push (the changes waiting when it started); a pull learns its size as it goes. */
  total: number | null;
}

export interface PushOptions {
  /** Wait for rows in backoff until this many ms have passed (0: one pass over what is due now). Default 60 s. */
  maxWaitMs?: number;
}

export interface PushResult {
  sent: number;
  done: number;
  rejected: number;
  conflicts: number;
  retried: number;
  /** Changes the token's role may not make (403): their story waits, the others go on. */
  forbidden: number;
  paused: boolean;
  /** Rows still queued (in backoff) when push returned. */
  remaining: number;
}

export interface PullResult {
  fastForwarded: string[];
  conflicts: string[];
  catalogChanges: number;
  storiesSeen: number;
  /** Items the backend sent that the studio did not take, and why (one printable line each). */
  skipped: PullSkip[];
  /** Set when the pull stopped at its page limit: the rest comes with the next sync. */
  truncated: string | null;
}

export interface PullSkip {
  kind: 'story' | 'entity' | 'beat' | 'catalog-story';
  slug: string;
  reason: string;
}

/** A message on one line, bounded (errors and logs come from the backend's words). */
export function oneLine(s: string, max = 500): string {
  return s.replace(/\s+/g, ' ').trim().slice(0, max);
}
