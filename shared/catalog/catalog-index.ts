import type { Beat, Catalog, CatalogStory, Entity, ReferenceKind } from './schema.js';
import { normalizeLabel } from './normalize.js';
import { ClosestSlugIndex } from './closest.js';
import { LabelSearch, type LabelHit } from './label-search.js';

/** A catalog item as completion offers it. */
export type CatalogItem = Entity | Beat | CatalogStory;

/**
 * A catalog indexed once for lookups by slug, by normalised entity name or alias, and by beat name,
 * so that rendering and linting a story cost time in the story, not in the catalog.
 */
export class CatalogIndex {
  readonly entities = new Map<string, Entity>();
  readonly beats = new Map<string, Beat>();
  readonly stories = new Map<string, CatalogStory>();
  private readonly entitiesByLabel = new Map<string, Entity[]>();
  private readonly beatsByName = new Map<string, Beat>();
  private closestIndexes = new Map<ReferenceKind, ClosestSlugIndex>();
  private labelSearches = new Map<ReferenceKind, LabelSearch<CatalogItem>>();

  constructor(readonly data: Catalog) {
    for (const e of data.entities) {
      this.entities.set(e.slug, e);
      const labels = new Set([e.name, ...(e.aliases ?? [])].map(normalizeLabel));
      for (const label of labels) {
        const list = this.entitiesByLabel.get(label);
        if (list) list.push(e);
        else this.entitiesByLabel.set(label, [e]);
      }
    }
    for (const b of data.beats) {
      this.beats.set(b.slug, b);
      this.beatsByName.set(b.name.trim().toLowerCase(), b);
    }
    for (const s of data.stories) this.stories.set(s.slug, s);
  }

  /** Whether the catalog knows `slug` for that kind of reference. */
  has(kind: ReferenceKind, slug: string): boolean {
    return this.map(kind).has(slug);
  }

  /** The visible name of a catalog item: an entity's or beat's name, a story's title. */
  displayName(kind: ReferenceKind, slug: string): string | undefined {
    if (kind === 'entity') return this.entities.get(slug)?.name;
    if (kind === 'beat') return this.beats.get(slug)?.name;
    return this.stories.get(slug)?.title;
  }

  /** Entities whose name or alias matches the label (normalised). */
  entitiesForLabel(label: string): readonly Entity[] {
    return this.entitiesByLabel.get(normalizeLabel(label)) ?? [];
  }

  /** Whether an entity's name or one of its aliases matches the label (normalised). */
  labelMatches(entity: Entity, label: string): boolean {
    return this.entitiesForLabel(label).includes(entity);
  }

  /** The beat whose display name is `name`, case-insensitive. */
  beatByName(name: string): Beat | undefined {
    return this.beatsByName.get(name.trim().toLowerCase());
  }

  /** The known slug closest to an unknown one, when one is close. */
  closestSlug(kind: ReferenceKind, slug: string): string | null {
    let index = this.closestIndexes.get(kind);
    if (!index) {
      index = new ClosestSlugIndex([...this.map(kind).keys()]);
      this.closestIndexes.set(kind, index);
    }
    return index.closest(slug);
  }

  /**
   * The catalog items best matching typed letters (normalised; by name, alias or slug for
   * entities, name or slug for beats, title or slug for stories): best score first, then by name.
   * The search index of a kind is built on first use.
   */
  search(kind: ReferenceKind, query: string, limit: number): LabelHit<CatalogItem>[] {
    let index = this.labelSearches.get(kind);
    if (!index) {
      index =
        kind === 'entity'
          ? new LabelSearch<CatalogItem>(
              [...this.entities.values()],
              (e) => (e as Entity).name,
              (e) => [(e as Entity).name, e.slug, ...((e as Entity).aliases ?? [])],
            )
          : kind === 'beat'
            ? new LabelSearch<CatalogItem>(
                [...this.beats.values()],
                (b) => (b as Beat).name,
                (b) => [(b as Beat).name, b.slug],
              )
            : new LabelSearch<CatalogItem>(
                [...this.stories.values()],
                (s) => (s as CatalogStory).title,
                (s) => [(s as CatalogStory).title, s.slug],
              );
      this.labelSearches.set(kind, index);
    }
    return index.search(query, limit);
  }

  private map(kind: ReferenceKind): Map<string, unknown> {
    return kind === 'entity' ? this.entities : kind === 'beat' ? this.beats : this.stories;
  }
}

/** A catalog with nothing in it: every reference is then unresolved. */
export const EMPTY_CATALOG: Catalog = { entities: [], beats: [], stories: [] };

const indexes = new WeakMap<Catalog, CatalogIndex>();

/** The index of a catalog, built once per catalog object. */
export function indexCatalog(catalog: Catalog | CatalogIndex | undefined): CatalogIndex {
  if (!catalog) catalog = EMPTY_CATALOG;
  if (catalog instanceof CatalogIndex) return catalog;
  let index = indexes.get(catalog);
  if (!index) indexes.set(catalog, (index = new CatalogIndex(catalog)));
  return index;
}
