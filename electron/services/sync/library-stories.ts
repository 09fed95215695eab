/** LocalStories over the studio's library: the engine reads and writes the person's stories by slug. */
import type { Library } from '../library/index.js';
import type { LocalStories } from './engine.js';

export class LibraryStories implements LocalStories {
  constructor(private readonly library: Library) {}

  get(slug: string): string | undefined {
    return this.library.storyBySlug(slug)?.text;
  }

  put(slug: string, text: string): void {
    this.library.putBySlug(slug, text);
  }
}
