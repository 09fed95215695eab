/**
 * The catalog index the server lints and renders with, kept current in memory.
 *
 * Entities and beats change rarely (an editor's PUT) and the whole index is rebuilt then. Published
 * stories change with every publication, and rebuilding the index for each would make a publication
 * cost time in the size of the catalog (and reading it back from the database, more still). So the
 * store adds and removes catalog stories in place, through the index's public `stories` map.
 */
import { CatalogIndex, type Beat, type Catalog, type CatalogStory, type Entity, type ReferenceKind } from '../../shared/index.js';
import type { CatalogChange } from './store.js';

export class LiveCatalogIndex extends CatalogIndex {
  /** "Did you mean" over story slugs, built on demand and dropped when the stories change. */
  private storySuggestions: CatalogIndex | null = null;

  constructor(data: Catalog) {
    // A copy: the store changes `stories` in place and must not touch the caller's arrays.
    super({ entities: data.entities, beats: data.beats, stories: [...data.stories] });
  }

  /** Puts (or replaces) a catalog story. */
  setStory(story: CatalogStory): void {
    const list = this.data.stories;
    if (this.stories.has(story.slug)) list[list.findIndex((s) => s.slug === story.slug)] = story;
    else list.push(story);
    this.stories.set(story.slug, story);
    this.storySuggestions = null;
  }

  /** Removes a catalog story (a story that stopped being published). */
  removeStory(slug: string): void {
    if (!this.stories.delete(slug)) return;
    const list = this.data.stories;
    list.splice(
      list.findIndex((s) => s.slug === slug),
      1,
    );
    this.storySuggestions = null;
  }

  override closestSlug(kind: ReferenceKind, slug: string): string | null {
    // The parent caches its suggestion index per kind for good; story slugs here move, so theirs is ours.
    if (kind !== 'story') return super.closestSlug(kind, slug);
    this.storySuggestions ??= new CatalogIndex({ entities: [], beats: [], stories: [...this.stories.values()] });
    return this.storySuggestions.closestSlug('story', slug);
  }
}

/**
 * A copy of the catalog kept from the store's change feed (`catalogChanges`), as a story worker
 * holds it: changes are applied in feed order, and an index is rebuilt only when entities or beats
 * changed. Applying a change again is harmless.
 */
export class CatalogReplica {
  private readonly entities = new Map<string, Entity>();
  private readonly beats = new Map<string, Beat>();
  private readonly stories = new Map<string, CatalogStory>();
  index = new LiveCatalogIndex({ entities: [], beats: [], stories: [] });

  apply(changes: readonly CatalogChange[]): void {
    let rebuild = false;
    for (const c of changes) {
      const map: Map<string, unknown> = c.kind === 'entity' ? this.entities : c.kind === 'beat' ? this.beats : this.stories;
      if (c.deleted) map.delete(c.slug);
      else map.set(c.slug, c.data);
      if (c.kind !== 'story') rebuild = true;
      else if (!rebuild) {
        if (c.deleted) this.index.removeStory(c.slug);
        else this.index.setStory(c.data as CatalogStory);
      }
    }
    if (rebuild) {
      this.index = new LiveCatalogIndex({ entities: [...this.entities.values()], beats: [...this.beats.values()], stories: [...this.stories.values()] });
    }
  }
}
