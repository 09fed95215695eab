import type { CatalogIndex, ReferenceKind } from '../catalog/index.js';

/**
 * The catalog facts one render read: the visible name (or none) of every item its references point
 * at. A page also shows every beat (the site's header lists them, the story's section is one), so
 * `catalogFingerprint` always adds the beats.
 */
export type CatalogReads = ReadonlyMap<string, { kind: ReferenceKind; slug: string }>;

/**
 * A view of `index` that notes every item a render asks the name of (the only thing the renderer
 * asks of it besides the beats). The public site renders a page once through it and keeps the page
 * for as long as the catalog gives the same fingerprint for those reads: a publication elsewhere on
 * the site, which moves the catalog's version, then leaves the page alone.
 */
export function recordCatalogReads(index: CatalogIndex): { index: CatalogIndex; reads: CatalogReads } {
  const reads = new Map<string, { kind: ReferenceKind; slug: string }>();
  const displayName = (kind: ReferenceKind, slug: string): string | undefined => {
    const key = `${kind}:${slug}`;
    if (!reads.has(key)) reads.set(key, { kind, slug });
    return index.displayName(kind, slug);
  };
  // A proxy, not a copy: building an index costs time in the catalog's size; this costs nothing.
  const view = new Proxy(index, {
    get(target, prop) {
      if (prop === 'displayName') return displayName;
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { index: view, reads };
}

/**
 * What the catalog says now about what a render read, plus the beats, as one string: two catalogs
 * with the same fingerprint for a render's reads render that story byte for byte alike. Linear in
 * the reads and the beats, never in the rest of the catalog.
 */
export function catalogFingerprint(index: CatalogIndex, reads: CatalogReads): string {
  const parts: string[] = [];
  for (const b of index.beats.values()) parts.push(`b\u0000${b.slug}\u0000${b.name}`);
  for (const { kind, slug } of reads.values()) parts.push(`${kind}\u0000${slug}\u0000${index.displayName(kind, slug) ?? '\u0001'}`);
  return parts.join('\u0002');
}
