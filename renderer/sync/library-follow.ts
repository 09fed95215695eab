/**
 * Following the library when something other than this editor writes the open story (the sync
 * service's fast-forward of a pull, its status write, a merge; the command line): by revisions,
 * which the library numbers in the order they were written (ids grow across all stories).
 */

/**
 * Which revisions of the open story this editor has seen (loaded, saved by it, taken in, or merely
 * noticed), and the newest one its text is written from: its saves carry that as `baseRevision`, so
 * that the library can tell a save that never saw a pulled text from one that did.
 */
export class SeenRevisions {
  private floor = 0;
  private readonly ids = new Set<number>();
  /** Revisions this editor's own saves wrote: only these can have written over someone else's text. */
  private readonly own = new Set<number>();
  /** The newest revision the editor's text includes. */
  base = 0;

  /** A story was opened at revision `latest`: everything up to it is what the editor shows. */
  reset(latest: number): void {
    this.floor = latest;
    this.base = latest;
    this.ids.clear();
    this.own.clear();
  }

  /** A revision the editor knows of, whose text it does not (necessarily) hold. */
  add(id: number): void {
    this.ids.add(id);
  }

  /** A revision whose text the editor now holds (its own save, or the library's text taken in). */
  adopt(id: number): void {
    this.ids.add(id);
    this.base = Math.max(this.base, id);
  }

  /** A revision this editor's own save wrote. */
  saved(id: number): void {
    this.own.add(id);
    this.adopt(id);
  }

  /** Whether this editor's own save wrote the revision. */
  savedBy(id: number): boolean {
    return this.own.has(id);
  }

  has(id: number): boolean {
    return id <= this.floor || this.ids.has(id);
  }
}

export type FollowDecision =
  /** Nothing was written by anyone else, or it is what the editor shows already. */
  | 'none'
  /** Someone else's text is the newest and the editor has nothing unsaved: show it. */
  | 'apply'
  /** Someone else's text arrived while the person typed (unsaved, or saved over it already): say so, replace nothing. */
  | 'notice';

export interface FollowInput {
  /** The story's revision ids (any order). */
  revisions: readonly number[];
  /** The library's text now. */
  libraryText: string;
  editorText: string;
  unsaved: boolean;
}

/** What to do about revisions the editor has not seen; marks them seen. */
export function followLibrary(seen: SeenRevisions, i: FollowInput): FollowDecision {
  const unknown = i.revisions.filter((id) => !seen.has(id));
  if (unknown.length === 0) return 'none';
  // The editor's own save came after someone else's text: the autosave wrote over it. A newer
  // revision the editor merely took in (the service's merge it showed) includes the older text.
  const savedOver = unknown.some((u) => i.revisions.some((id) => id > u && seen.savedBy(id)));
  // Someone else wrote last, after every save of this editor: the service's merge of what the
  // editor saved (it never writes a pull over unsent saved text), so nothing of the person's is lost.
  const newest = Math.max(...i.revisions);
  const theirsLast = unknown.includes(newest);
  for (const id of unknown) seen.add(id);
  if (i.editorText === i.libraryText) return savedOver ? 'notice' : 'none';
  if (savedOver && !theirsLast) return 'notice';
  return i.unsaved ? 'notice' : 'apply';
}
