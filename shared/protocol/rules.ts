/**
 * The rules of the publishing protocol (publishing-protocol.md), defined once: the version, the
 * statuses a story can have, the roles and what each may do, the version tags of `ETag`/`If-Match`,
 * and which answers are worth retrying. The backend, the sync engine and the UI all derive from these.
 */

export const PROTOCOL_VERSION = 1;

/** The statuses a PUT may ask for. */
export const PUSH_STATUSES = ['review', 'approved', 'published'] as const;
export type PushStatus = (typeof PUSH_STATUSES)[number];

/** The statuses of a story file in the studio (`draft` never leaves it). */
export const STORY_STATUSES = ['draft', ...PUSH_STATUSES] as const;
export type StoryStatus = (typeof STORY_STATUSES)[number];

/** The statuses a story on the backend can have: a pushed one, or withdrawn (DELETE). */
export const REMOTE_STATUSES = [...PUSH_STATUSES, 'withdrawn'] as const;
export type RemoteStatus = (typeof REMOTE_STATUSES)[number];

/** What a change in the studio's outbox asks of the backend: a status to put, or a withdrawal. */
export const OUTBOX_TARGETS = REMOTE_STATUSES;
export type OutboxTarget = RemoteStatus;

/** Roles, lowest first: each may do what the ones before it may. */
export const ROLES = ['writer', 'editor', 'publisher'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: unknown): value is Role {
  return ROLES.includes(value as Role);
}

export function roleAtLeast(role: Role, needed: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(needed);
}

/** The lowest role that may put a story with this status. */
export function roleForStatus(status: PushStatus): Role {
  return status === 'review' ? 'writer' : status === 'approved' ? 'editor' : 'publisher';
}

/** Whether a backend status is on the public site or was taken off it: a publisher's to change. */
export function isPublicState(status: RemoteStatus): boolean {
  return status === 'published' || status === 'withdrawn';
}

/**
 * The lowest role that may PUT a story going to `target` when the backend holds it as `current`
 * (null: a new story). A published or withdrawn story's public state is a publisher's alone, so any
 * PUT on one needs `publisher` (publishing-protocol.md, roles).
 */
export function roleForPut(current: RemoteStatus | null, target: PushStatus): Role {
  return current !== null && isPublicState(current) ? 'publisher' : roleForStatus(target);
}

/** The lowest role that may carry out an outbox change. */
export function roleForTarget(target: OutboxTarget): Role {
  return target === 'withdrawn' ? 'publisher' : roleForStatus(target);
}

/** Whether a role may carry out an outbox change. */
export function roleAllows(role: Role, target: OutboxTarget): boolean {
  return roleAtLeast(role, roleForTarget(target));
}

/** The role that may create and change catalog entities. */
export const CATALOG_EDIT_ROLE: Role = 'editor';

/** `ETag` / `If-Match` of a story version: `"v<N>"`. */
export function etagFor(version: number): string {
  return `"v${version}"`;
}

/** The version an `If-Match: "v<N>"` names, or null when it is not one. */
export function parseIfMatch(value: string): number | null {
  const m = /^"v([1-9][0-9]{0,14})"$/.exec(value.trim());
  return m ? Number(m[1]) : null;
}

/**
 * Whether an answer is worth sending again later (with backoff, honouring `Retry-After`): a
 * timeout (408), a key still in flight (409), too many requests (429) and every 5xx. Network errors
 * are retried too; every other answer will be the same next time.
 */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || (status >= 500 && status <= 599);
}

/** At most this many diagnostics in a 422, the first by position, with `diagnosticsTotal` the full count. */
export const DIAGNOSTICS_MAX = 200;

/** The longest diagnostic message on the wire (a message quoting hostile text is cut, with "…"). */
export const DIAGNOSTIC_MESSAGE_MAX = 500;

/** The largest answer the backend keeps for an idempotent replay (bytes). */
export const STORED_ANSWER_MAX_BYTES = 256 * 1024;
