import { TARGET_ACTIONS, type EnqueueResult, type StorySync } from '../../shared/api/sync.js';
import type { Diagnostic } from '../../shared/lint/index.js';
import type { OutboxTarget } from '../../shared/protocol/index.js';
import { STORY_ACTIONS, actionFor, describeStorySync } from '../sync/story-sync-text.js';

export interface StorySyncBarProps {
  state: StorySync | null;
  busy: boolean;
  notice: string | null;
  /** What the check before sending found on the last action asked for. */
  checked: { target: OutboxTarget; check: EnqueueResult['check'] } | null;
  onAction(target: OutboxTarget): void;
  onSendAnyway(): void;
  onDismissCheck(): void;
  /** Takes the story's waiting changes out of the outbox. */
  onCancel(): void;
  onResolve(): void;
  onShowProblems(): void;
  onDismissNotice(): void;
  /** Opens review mode (the notice's versions are among the story's revisions). */
  onReview(): void;
}

/**
 * The open story's publishing: its sync state in a few words, the actions the token's role allows
 * (they go to the outbox and work offline), and banners for what needs the person: the backend
 * refused the story (its findings are marked in the text), or the story is in conflict.
 */
export function StorySyncBar({
  state,
  busy,
  notice,
  checked,
  onAction,
  onSendAnyway,
  onDismissCheck,
  onCancel,
  onResolve,
  onShowProblems,
  onDismissNotice,
  onReview,
}: StorySyncBarProps) {
  if (!state) return null;
  const { kind, text } = describeStorySync(state);
  // A change still waiting (queued or paused) can be taken back out of the outbox.
  const waiting = kind === 'queued' || kind === 'paused' ? state.changes.find((c) => c.state !== 'superseded') : undefined;
  return (
    <>
      <div className="toolbar story-sync" role="group" aria-label="Publishing">
        <span className={`sync-state sync-state-${kind}`} data-testid="story-sync-state">
          {text}
        </span>
        {state.conflict && (
          <button type="button" className="sync-alert" onClick={onResolve}>
            Resolve…
          </button>
        )}
        {waiting && (
          <button
            type="button"
            className="link"
            disabled={busy}
            onClick={onCancel}
            aria-label={`Cancel ${TARGET_ACTIONS[waiting.target].toLowerCase()}`}
            title="Take it back out of the outbox: nothing is sent"
          >
            Cancel
          </button>
        )}
        <span className="spacer" />
        {STORY_ACTIONS.filter((a) => state.allowed.includes(a.target)).map((a) => (
          <button key={a.target} type="button" disabled={busy} onClick={() => onAction(a.target)}>
            {a.label}
          </button>
        ))}
      </div>
      {checked && <CheckBanner checked={checked} busy={busy} onSendAnyway={onSendAnyway} onShowProblems={onShowProblems} onDismiss={onDismissCheck} />}
      {state.rejected && (
        <div className="sync-banner rejected" role="alert" data-testid="rejected-banner">
          <strong>The backend refused this story ({actionFor(state.rejected.target).verb}).</strong> {sentence(state.rejected.message)}{' '}
          {state.rejected.diagnostics.length > 0 && (
            <>
              Its findings are marked “Backend:” in the text.{' '}
              <button type="button" className="link" onClick={onShowProblems}>
                Show problems
              </button>
            </>
          )}
          {!!state.rejected.stale?.length && (
            <div data-testid="stale-findings">
              From the backend, before your last edit (the text they were on has changed since):
              <ul className="check-list">
                {state.rejected.stale.slice(0, LISTED).map((d, i) => (
                  <li key={i}>{d.message}</li>
                ))}
                {state.rejected.stale.length > LISTED && <li className="muted">and {state.rejected.stale.length - LISTED} more</li>}
              </ul>
            </div>
          )}
        </div>
      )}
      {state.conflict && (
        <div className="sync-banner conflict" role="alert" data-testid="conflict-banner">
          <strong>This story changed on the backend (v{state.conflict.remoteVersion}) and here.</strong> Nothing is sent or replaced until you choose.{' '}
          <button type="button" className="link" onClick={onResolve}>
            Compare and merge…
          </button>
        </div>
      )}
      {notice && (
        <div className="sync-banner notice" role="status">
          {notice}{' '}
          <button type="button" className="link" onClick={onReview}>
            Review
          </button>
          <button type="button" className="link" onClick={onDismissNotice}>
            Dismiss
          </button>
        </div>
      )}
    </>
  );
}

/** At most this many findings are listed in the banner; the problems panel has them all. */
const LISTED = 5;

/** A backend's message as a sentence of the banner (its own words, a full stop added where it has none). */
const sentence = (m: string | null) => (m ? (/[.!?]$/.test(m) ? m : `${m}.`) : '');

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * The check before sending: errors kept the action out of the outbox (the person fixes them, or
 * sends anyway and the backend refuses it with the same findings), or the action went in with
 * warnings, which are said and do not stop it.
 */
function CheckBanner({
  checked,
  busy,
  onSendAnyway,
  onShowProblems,
  onDismiss,
}: {
  checked: NonNullable<StorySyncBarProps['checked']>;
  busy: boolean;
  onSendAnyway(): void;
  onShowProblems(): void;
  onDismiss(): void;
}) {
  const { check, target } = checked;
  const { verb, label } = actionFor(target);
  const stopped = !check.queued;
  const shown: Diagnostic[] = stopped ? check.errors : check.warnings;
  const more = shown.length - Math.min(shown.length, LISTED);
  return (
    <div className={`sync-banner ${stopped ? 'check-stopped' : 'notice'}`} role={stopped ? 'alert' : 'status'} data-testid="check-banner">
      <strong>
        {stopped
          ? `Not sent: ${plural(check.errors.length, 'problem')} would make the backend refuse this story (${verb}).`
          : `${label.replace(/…$/, '')}: ${plural(check.warnings.length, 'warning')}, not blocking.`}
      </strong>
      <ul className="check-list">
        {shown.slice(0, LISTED).map((d, i) => (
          <li key={i}>
            Line {d.line}: {d.message}
          </li>
        ))}
        {more > 0 && <li className="muted">and {more} more</li>}
      </ul>
      <span className="check-actions">
        <button type="button" className="link" onClick={onShowProblems}>
          Show problems
        </button>
        {stopped && (
          <button type="button" className="link" disabled={busy} onClick={onSendAnyway}>
            Send anyway
          </button>
        )}
        <button type="button" className="link" onClick={onDismiss}>
          Dismiss
        </button>
      </span>
    </div>
  );
}
