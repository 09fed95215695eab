import { useEffect, type ReactNode } from 'react';
import type { Settings } from '../../shared/api/contract.js';
import { commonPrefix, commonSuffix } from '../../shared/index.js';
import type { ProblemCounts } from '../editor/story-lint.js';
import type { SaveState } from '../hooks/use-story-session.js';

const SAVE_LABELS: Record<SaveState, string> = { saved: 'Saved', saving: 'Saving…', dirty: 'Unsaved', error: 'Not saved' };
const WORDS_PER_MINUTE = 230;

export interface StatusBarProps {
  /** Null while no story is open. */
  saveState: SaveState | null;
  words: number;
  /** Words in the selection (0: none selected). */
  selectedWords?: number;
  /** The story's word goal, if one is set. */
  wordGoal?: number;
  /** Errors and warnings of the linter's last answer; 'checking' until the opened story's first; null while no story is open. */
  problems?: ProblemCounts | 'checking' | null;
  onShowProblems?(): void;
  hidden?: boolean;
  /** A passing message ("Saved at 10:42:07"), read out politely, gone after a few seconds. */
  notice?: string | null;
  onNoticeDone?(): void;
  theme: Settings['theme'];
  libraryShown: boolean;
  previewShown: boolean;
  reviewing: boolean;
  canReview: boolean;
  onToggleLibrary(): void;
  onTogglePreview(): void;
  onToggleReview(): void;
  onCycleTheme(): void;
  /**
   * SLOT — sync status. The sync work puts its indicator here (between the story's figures and
   * the view toggles); nothing else in the bar needs to change.
   */
  syncStatus?: ReactNode;
}

/** The bottom bar: save state, word count and reading time, the sync slot, pane toggles and the theme. */
export function StatusBar(p: StatusBarProps) {
  const { notice, onNoticeDone } = p;
  useEffect(() => {
    if (!notice || !onNoticeDone) return;
    const t = setTimeout(onNoticeDone, 4000);
    return () => clearTimeout(t);
  }, [notice, onNoticeDone]);
  return (
    <footer className="status-bar" aria-label="Status" hidden={p.hidden}>
      {p.saveState && (
        <span className={`save-state ${p.saveState}`} data-testid="save-state">
          {SAVE_LABELS[p.saveState]}
        </span>
      )}
      {p.saveState && (
        <span data-testid="word-count">
          {p.selectedWords ? `${grouped(p.selectedWords)} of ` : ''}
          {grouped(p.words)}
          {p.wordGoal ? ` / ${grouped(p.wordGoal)}` : ''} words · {Math.max(1, Math.ceil(p.words / WORDS_PER_MINUTE))} min read
        </span>
      )}
      {/* One button in every state: Preact would match a "checking…" span of another type against
          the bar's later nodes and move them (the live region among them) each time a story opens. */}
      {p.problems && (
        <button
          type="button"
          className={`readiness ${p.problems === 'checking' ? 'checking' : readiness(p.problems) === 'ready' ? 'ready' : 'not-ready'}`}
          data-testid="readiness"
          title="Open the list of problems"
          onClick={p.onShowProblems}
        >
          {p.problems === 'checking' ? 'checking…' : readiness(p.problems)}
        </button>
      )}
      <span role="status" className="notice" data-testid="status-notice">
        {p.notice}
      </span>
      <span className="spacer" />
      {p.syncStatus}
      <button type="button" aria-pressed={p.libraryShown} onClick={p.onToggleLibrary}>
        Library
      </button>
      <button type="button" aria-pressed={p.previewShown} onClick={p.onTogglePreview}>
        Preview
      </button>
      <button type="button" aria-pressed={p.reviewing} disabled={!p.canReview} onClick={p.onToggleReview}>
        Review
      </button>
      <button type="button" onClick={p.onCycleTheme} title="Theme (system → dark → light)">
        Theme: {p.theme}
      </button>
    </footer>
  );
}

/**
 * 12,345: digits grouped in threes, as the (English) interface writes them. Not toLocaleString:
 * its first call loads the locale's number formats, 25-150 ms on the main thread while the first
 * story opens.
 */
export function grouped(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** "2 errors · 1 warning", or "ready" when there is neither. */
export function readiness({ errors, warnings }: ProblemCounts): string {
  const parts = [errors ? `${errors} error${errors === 1 ? '' : 's'}` : '', warnings ? `${warnings} warning${warnings === 1 ? '' : 's'}` : ''].filter(Boolean);
  return parts.length ? parts.join(' · ') : 'ready';
}

/** Words of a story body: runs of non-space holding a letter or a digit. */
export function countWords(body: string): number {
  // One pass (a 10,000-word story is counted on every keystroke): a match is a whole run of
  // non-space, found only when the run has a letter or a digit.
  return body.match(/\S*[\p{L}\p{N}]\S*/gu)?.length ?? 0;
}

const SPACE = /\s/u;

/**
 * `countWords` of a body that is edited a keystroke at a time (issue 13: a regex over a
 * 200,000-word body took ~20 ms a keystroke): the text around the edit, widened to the spaces on
 * either side, is counted again, and the count of the rest is kept.
 */
export class WordCounter {
  private text = '';
  private words = 0;

  count(body: string): number {
    const old = this.text;
    if (body === old) return this.words;
    let pre = commonPrefix(old, body);
    let suf = commonSuffix(old, body, Math.min(old.length, body.length) - pre);
    // A word is a run of non-space: widen the edit to a space (or an end) on both sides.
    while (pre > 0 && !SPACE.test(body[pre - 1]!)) pre--;
    while (suf > 0 && !SPACE.test(body[body.length - suf]!)) suf--;
    this.words += countWords(body.slice(pre, body.length - suf)) - countWords(old.slice(pre, old.length - suf));
    this.text = body;
    return this.words;
  }
}
