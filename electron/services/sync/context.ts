/** What the push and the pull share, handed to them by the engine that runs them. */
import type { BackoffOptions } from './backoff.js';
import type { HttpClient } from './http-client.js';
import type { SyncLock } from './lock.js';
import type { SyncStore } from './outbox.js';
import type { Clock, LocalStories, SyncProgress } from './types.js';

export interface SyncContext {
  store: SyncStore;
  http: HttpClient;
  local: LocalStories;
  clock: Clock;
  random: () => number;
  backoff: BackoffOptions;
  lock: SyncLock;
  pageSize: number;
  /** Pages of one kind (catalog, stories) a pull asks for at most. */
  maxPages: number;
  log: (line: string) => void;
  progress: (p: SyncProgress) => void;
}
