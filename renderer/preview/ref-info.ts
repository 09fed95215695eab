import type { CatalogIndex } from '../../shared/index.js';

/** What a reference's card shows: the catalog's entry for it, or that the catalog has none. */
export interface RefInfo {
  resolved: boolean;
  kind: string;
  heading: string;
  lines: string[];
}

function day(iso: string | undefined): string | null {
  if (!iso) return null;
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleDateString('en', { year: 'numeric', month: 'long', day: 'numeric', timeZone: 'UTC' });
}

/** The catalog entry behind a rendered reference (`data-kind`, `data-slug`). */
export function refInfo(kind: string, slug: string, catalog: CatalogIndex): RefInfo {
  if (kind === 'entity') {
    const e = catalog.entities.get(slug);
    if (e) {
      return {
        resolved: true,
        kind,
        heading: e.name,
        lines: [`${e.type} · ${e.slug}`, ...(e.aliases?.length ? [`Also: ${e.aliases.join(', ')}`] : [])],
      };
    }
  } else if (kind === 'beat') {
    const b = catalog.beats.get(slug);
    if (b) return { resolved: true, kind, heading: b.name, lines: [`beat · ${b.slug}`] };
  } else if (kind === 'story') {
    const s = catalog.stories.get(slug);
    if (s) {
      const beat = s.beat ? (catalog.beats.get(s.beat)?.name ?? s.beat) : null;
      const date = day(s.published);
      return { resolved: true, kind, heading: s.title, lines: [[date, beat].filter(Boolean).join(' · ') || `story · ${s.slug}`] };
    }
  }
  return {
    resolved: false,
    kind,
    heading: 'Not in the catalog',
    lines: [`${kind} · ${slug}`, 'This reference does not resolve: check the slug or update the catalog.'],
  };
}
