import type { CommandId } from '../../shared/api/commands.js';
import { storyStanding, type StorySync, type SyncOverview } from '../../shared/api/sync.js';
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

/**
 * One story's sync state in a few words, for its toolbar: the shared standing (`storyStanding`,
 * which the library badge and `studio status` show too: "Publish queued", "Rejected: 3
 * problems"), with the backend's version where the backend holds it.
 */
export function describeStorySync(s: StorySync): { kind: StorySyncKind; text: string } {
  const standing = storyStanding(s);
  const newest = s.changes.find((c) => c.state !== 'superseded');
  switch (standing.kind) {
    case 'backend':
      return { kind: 'synced', text: `v${s.remoteVersion} ${s.remoteStatus ?? ''} on the backend`.replace(/\s+on/, ' on') };
    case 'queued':
      // Sending is still only queued: nothing is true on the backend until it answers.
      return {
        kind: 'queued',
        text: newest?.state === 'sending' ? `${standing.label} (sending${newest.attempts > 1 ? `, try ${newest.attempts}` : ''})` : standing.label,
      };
    default:
      return { kind: standing.kind, text: standing.label };
  }
}

/**
 * The story commands the palette leaves out: actions the token's role may not take on the open
 * story (or any, with none open), and "Cancel waiting changes" while nothing waits.
 */
export function storyCommandsHidden(s: StorySync | null): Set<CommandId> {
  const hidden = new Set<CommandId>(STORY_ACTIONS.filter((a) => !s || !s.allowed.includes(a.target)).map((a) => a.command));
  const standing = s ? storyStanding(s).kind : 'local';
  if (standing !== 'queued' && standing !== 'paused') hidden.add('story.cancel');
  return hidden;
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
