import type { CommandId } from '../../shared/api/commands.js';
import type { StorySync, SyncOverview } from '../../shared/api/sync.js';
import type { OutboxTarget } from '../../shared/protocol/index.js';

/** A story action: what it puts in the outbox, its button and its command. */
export interface StoryAction {
  target: OutboxTarget;
  label: string;
  /** The verb in sentences ("may not publish"). */
  verb: string;
  command: CommandId;
}

export const STORY_ACTIONS: readonly StoryAction[] = [
  { target: 'review', label: 'Submit for review', verb: 'submit for review', command: 'story.submit' },
  { target: 'approved', label: 'Approve', verb: 'approve', command: 'story.approve' },
  { target: 'published', label: 'Publish', verb: 'publish', command: 'story.publish' },
  { target: 'withdrawn', label: 'Withdraw…', verb: 'withdraw', command: 'story.withdraw' },
];

export function actionFor(target: OutboxTarget): StoryAction {
  return STORY_ACTIONS.find((a) => a.target === target)!;
}

export type StorySyncKind = 'conflict' | 'rejected' | 'paused' | 'queued' | 'synced' | 'local';

/** One story's sync state in a few words, for its toolbar: the most pressing thing first. */
export function describeStorySync(s: StorySync): { kind: StorySyncKind; text: string } {
  const newest = s.changes[0];
  if (s.conflict) return { kind: 'conflict', text: `In conflict with the backend's v${s.conflict.remoteVersion}` };
  if (s.rejected) return { kind: 'rejected', text: `Rejected by the backend (${actionFor(s.rejected.target).verb})` };
  if (newest?.state === 'paused') return { kind: 'paused', text: `Paused: ${actionFor(newest.target).verb}` };
  if (newest?.state === 'queued' || newest?.state === 'sending') {
    return { kind: 'queued', text: `${newest.state === 'sending' ? 'Sending' : 'Queued'}: ${actionFor(newest.target).verb}${newest.attempts > 1 ? ` (try ${newest.attempts})` : ''}` };
  }
  if (s.remoteVersion !== null) return { kind: 'synced', text: `v${s.remoteVersion} ${s.remoteStatus ?? ''} on the backend`.replace(/\s+on/, ' on') };
  return { kind: 'local', text: 'Not on the backend yet' };
}

/**
 * What in the overview can change one story's sync state: when this changes, the open story's
 * state is read again (not on every poll).
 */
export function storySyncKey(o: SyncOverview | null): string {
  if (!o) return '';
  return JSON.stringify([o.configured, o.role, o.queued, o.rejected, o.conflicts.map((c) => c.slug), o.lastSyncAt, o.paused, o.running, o.lastPulled?.at]);
}

/** "14:03:07" today, else a date and time. */
export function whenSynced(iso: string, now = new Date()): string {
  const d = new Date(iso);
  return d.toDateString() === now.toDateString() ? d.toLocaleTimeString() : d.toLocaleString();
}
