/** LocalStories over the studio's library: the engine reads and writes the person's stories by slug. */
import type { Library } from '../library/index.js';
import type { LocalStories } from './engine.js';

export class LibraryStories implements LocalStories {
  /** `onPulled` hears of the library revision each fast-forward wrote; `onStatus` of each accepted status written in. */
  constructor(
    private readonly library: Library,
    private readonly onPulled?: (slug: string, revision: number) => void,
    private readonly onStatus?: (slug: string) => void,
  ) {}

  get(slug: string): string | undefined {
    return this.library.storyBySlug(slug)?.text;
  }

  put(slug: string, text: string, why: 'pull' | 'merge' | 'status'): void {
    const rec = this.library.putBySlug(slug, text);
    if (why === 'pull') this.onPulled?.(slug, rec.revision);
    if (why === 'status') this.onStatus?.(slug);
  }
}
