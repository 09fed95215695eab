import type { StorySync } from '../../shared/api/sync.js';
import type { OutboxTarget } from '../../shared/protocol/index.js';
import { STORY_ACTIONS, actionFor, describeStorySync } from '../sync/story-sync-text.js';

export interface StorySyncBarProps {
  state: StorySync | null;
  busy: boolean;
  notice: string | null;
  onAction(target: OutboxTarget): void;
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
export function StorySyncBar({ state, busy, notice, onAction, onResolve, onShowProblems, onDismissNotice, onReview }: StorySyncBarProps) {
  if (!state) return null;
  const { kind, text } = describeStorySync(state);
  return (
    <>
      <div className="toolbar story-sync" role="group" aria-label="Publishing">
        <span className={`sync-state sync-state-${kind}`} data-testid="story-sync-state">{text}</span>
        {state.conflict && <button type="button" className="sync-alert" onClick={onResolve}>Resolve…</button>}
        <span className="spacer" />
        {STORY_ACTIONS.filter((a) => state.allowed.includes(a.target)).map((a) => (
          <button key={a.target} type="button" disabled={busy} onClick={() => onAction(a.target)}>{a.label}</button>
        ))}
      </div>
      {state.rejected && (
        <div className="sync-banner rejected" role="alert" data-testid="rejected-banner">
          <strong>The backend refused this story ({actionFor(state.rejected.target).verb}).</strong>{' '}
          {state.rejected.message ?? ''}{' '}
          {state.rejected.diagnostics.length > 0 && (
            <>Its findings are marked “Backend:” in the text. <button type="button" className="link" onClick={onShowProblems}>Show problems</button></>
          )}
        </div>
      )}
      {state.conflict && (
        <div className="sync-banner conflict" role="alert" data-testid="conflict-banner">
          <strong>This story changed on the backend (v{state.conflict.remoteVersion}) and here.</strong> Nothing is sent or replaced until you choose.{' '}
          <button type="button" className="link" onClick={onResolve}>Compare and merge…</button>
        </div>
      )}
      {notice && (
        <div className="sync-banner notice" role="status">
          {notice} <button type="button" className="link" onClick={onReview}>Review</button>
          <button type="button" className="link" onClick={onDismissNotice}>Dismiss</button>
        </div>
      )}
    </>
  );
}
