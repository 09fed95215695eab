/**
 * What the studio's processes say to each other about sync (publishing-protocol.md, "What the studio
 * does with it"): the overview the status bar shows, one story's sync state, and the inputs of the
 * sync methods of the contract. The token never appears in any of these.
 */
import { z } from 'zod';
import type { Diagnostic } from '../lint/index.js';
import { OUTBOX_TARGETS, PUSH_STATUSES, type OutboxTarget, type Role } from '../protocol/index.js';
import type { SendCheck } from '../protocol/send-check.js';

/** How the token is kept at rest: encrypted by the system, a file only the user may read, the environment, or not at all. */
export type TokenStorage = 'encrypted' | 'plain' | 'env' | 'memory';

export interface SyncProgressInfo {
  phase: 'push' | 'pull';
  done: number;
  total: number | null;
}

/** The studio's sync as the status bar and the settings show it. */
export interface SyncOverview {
  /** A backend address and a token are set. */
  configured: boolean;
  backendUrl: string | null;
  /** Where the token is kept, or null when there is none; `storageNote` says it in a sentence. */
  tokenStorage: TokenStorage | null;
  storageNote: string;
  /** The token's name and role as the backend reports them (null when unknown). */
  who: string | null;
  role: Role | null;
  /**
   * The public site the backend serves its pages at (its whoami answer), null when logged out or
   * when it did not say: while set, the preview and exports link there instead of the site setting.
   */
  site: string | null;
  /** Whether the backend answered the last check; null before the first one. */
  online: boolean | null;
  running: boolean;
  progress: SyncProgressInfo | null;
  /** Why the queue is paused (a 401/403), or null. */
  paused: string | null;
  /** Changes waiting to go out. */
  queued: number;
  /**
   * The stories with a change waiting (by slug, newest change's words: "Publish queued", "Publish
   * paused"), so that the library's list says what is only queued; at most WAITING_LISTED.
   */
  waiting: { slug: string; label: string }[];
  rejected: number;
  conflicts: { slug: string; id: string | null; title: string }[];
  lastSyncAt: string | null;
  lastError: string | null;
  /** Changes whenever the library's catalog copy changes, so that the editor reloads it. */
  catalogStamp: string | null;
  /** Stories the last pull updated here (library ids), so that an open one reloads. */
  lastPulled: { at: string; ids: string[] } | null;
}

/** A change of a story waiting in the outbox, or settled. */
export interface OutboxEntry {
  id: number;
  target: OutboxTarget;
  state: 'queued' | 'sending' | 'done' | 'rejected' | 'conflict' | 'paused' | 'superseded';
  attempts: number;
  lastError: string | null;
  createdAt: string;
}

/** One story's sync state, for its actions and the editor. */
export interface StorySync {
  id: string;
  slug: string;
  /** The backend's version and status as last synced (`withdrawn` included), null when never synced. */
  remoteVersion: number | null;
  remoteStatus: string | null;
  /** The story's text as last synced with the backend (review mode's "since last sync"), null when never synced. */
  syncedText: string | null;
  /** The newest outbox entries of this story, newest first. */
  changes: OutboxEntry[];
  /**
   * The backend refused the newest change: its findings carried onto the story's text as it is now
   * (`diagnostics`; those the local lint makes too are left to it), and those whose words were edited
   * since (`stale`, at their places in the text that was sent: "from the backend, before your last edit").
   */
  rejected: {
    target: OutboxTarget;
    message: string | null;
    diagnostics: Diagnostic[];
    stale?: Diagnostic[];
    /** How many problems the backend found (its errors; all its findings when none is an error). */
    problems?: number;
  } | null;
  conflict: {
    origin: 'push' | 'pull';
    remoteVersion: number;
    remoteStatus: string | null;
    /** The last synced text (null when the story was never synced), the local one, the backend's. */
    baseText: string | null;
    localText: string;
    remoteText: string;
  } | null;
  /** The last clean merge of the backend's changes into this story, until the story changes again. */
  merged: MergeNotice | null;
  /** What the token's role may do with this story (all actions when the role is unknown). */
  allowed: OutboxTarget[];
}

/**
 * The answer to a Submit / Approve / Publish: the story's sync state, and what the check before
 * sending found. `queued` false: its errors kept the change out of the outbox (the person may
 * send anyway with `force`).
 */
export interface EnqueueResult extends StorySync {
  check: SendCheck & { queued: boolean };
}

/**
 * The backend's changes and the person's did not overlap, so the sync merged them by itself: what
 * came in, said in words, and the texts to see it in review mode. Both originals are also in the
 * story's revision history.
 */
export interface MergeNotice {
  at: string;
  /** The backend's version merged in. */
  remoteVersion: number;
  /** "The desk changed paragraph 3." */
  summary: string;
  changes: { side: 'local' | 'remote' | 'both'; description: string; paragraph: number | null; line: number }[];
  /** The person's text before the merge, the backend's, and the merge. */
  localText: string;
  remoteText: string;
  mergedText: string;
}

/**
 * Where a story stands with the backend: its status there (`backend`: "Published", "In review"),
 * or what is only waiting (`queued`: "Publish queued"), refused (`rejected`: "Rejected: 3
 * problems"), held (`paused`, `conflict`), or never sent (`local`).
 */
export interface SyncStanding {
  kind: 'local' | 'queued' | 'paused' | 'rejected' | 'conflict' | 'backend';
  label: string;
}

/** At most this many stories are named in the overview's `waiting` (the count is `queued`). */
export const WAITING_LISTED = 1000;

/** Each outbox target as the action a person asked for. */
export const TARGET_ACTIONS: Record<OutboxTarget, string> = { review: 'Submit', approved: 'Approve', published: 'Publish', withdrawn: 'Withdrawal' };

/** Each backend status as a person reads it. */
const REMOTE_LABELS: Record<string, string> = { review: 'In review', approved: 'Approved', published: 'Published', withdrawn: 'Withdrawn' };

/**
 * The one rule for a story's standing, which every view (the app, `studio status`) shows: a
 * conflict first, then the newest change (waiting, paused or refused), then the backend's status as
 * last synced; a story never sent is local.
 */
export function storyStanding(s: Pick<StorySync, 'changes' | 'rejected' | 'conflict' | 'remoteStatus' | 'remoteVersion'>): SyncStanding {
  const newest = s.changes.find((c) => c.state !== 'superseded');
  if (s.conflict) return { kind: 'conflict', label: `In conflict with the backend's v${s.conflict.remoteVersion}` };
  if (newest && (newest.state === 'queued' || newest.state === 'sending')) return { kind: 'queued', label: `${TARGET_ACTIONS[newest.target]} queued` };
  if (newest?.state === 'paused') return { kind: 'paused', label: `${TARGET_ACTIONS[newest.target]} paused` };
  if (s.rejected) {
    const errors = s.rejected.diagnostics.filter((d) => d.severity === 'error').length;
    const n = s.rejected.problems ?? (errors || s.rejected.diagnostics.length);
    return { kind: 'rejected', label: n > 0 ? `Rejected: ${n} problem${n === 1 ? '' : 's'}` : 'Rejected' };
  }
  if (s.remoteStatus) return { kind: 'backend', label: REMOTE_LABELS[s.remoteStatus] ?? s.remoteStatus };
  return { kind: 'local', label: 'Not on the backend yet' };
}

export const syncLoginInput = z.object({
  backendUrl: z
    .string()
    .url()
    .max(2000)
    .refine((u) => /^https?:\/\//i.test(u), 'must be an http(s) URL'),
  token: z.string().min(1).max(4096),
});

export const syncEnqueueInput = z.object({
  id: z.string().min(1).max(200),
  action: z.enum(OUTBOX_TARGETS),
  /** Send even though the check before sending found errors (the backend will refuse it and say why). */
  force: z.boolean().optional(),
});

export const syncCancelInput = z.object({ id: z.string().min(1).max(200) });

export const syncResolveInput = z.object({
  id: z.string().min(1).max(200),
  text: z.string().max(5_000_000),
  status: z.enum(PUSH_STATUSES).optional(),
});
