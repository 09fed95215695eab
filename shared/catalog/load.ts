import type { z } from 'zod';
import { catalogSchema, type Catalog } from './schema.js';
import { CatalogIndex } from './catalog-index.js';

/** A catalog that does not validate; the message names the entry and the field. */
export class CatalogError extends Error {
  override name = 'CatalogError';
}

/**
 * Validates a catalog (a JSON string or parsed JSON) and indexes it. Throws a CatalogError whose
 * one-line message names the first bad entry and field ("entities[3] (slug "x"): type: must be …").
 */
export function loadCatalog(json: unknown): CatalogIndex {
  return new CatalogIndex(parseCatalog(json));
}

/** Validates a catalog without indexing it. */
export function parseCatalog(json: unknown): Catalog {
  let value = json;
  if (typeof json === 'string') {
    try {
      value = JSON.parse(json);
    } catch (e) {
      throw new CatalogError(`not JSON: ${(e as Error).message}`);
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CatalogError('a catalog is a JSON object with entities, beats and stories');
  }
  const result = catalogSchema.safeParse(value);
  if (!result.success) throw new CatalogError(describeIssues(value, result.error.issues));
  const catalog = result.data;
  for (const kind of ['entities', 'beats', 'stories'] as const) {
    const seen = new Map<string, number>();
    catalog[kind].forEach((item, i) => {
      const first = seen.get(item.slug);
      if (first !== undefined) {
        throw new CatalogError(`${kind}[${i}] (slug "${item.slug}"): slug: duplicates ${kind}[${first}]`);
      }
      seen.set(item.slug, i);
    });
  }
  return catalog;
}

function describeIssues(value: unknown, issues: readonly z.core.$ZodIssue[]): string {
  const first = issues[0]!;
  const path = first.path;
  let where = '';
  let field = path.map(String).join('.');
  if (path.length >= 2 && typeof path[1] === 'number') {
    const entry = (value as Record<string, unknown[]>)[path[0] as string]?.[path[1]] as { slug?: unknown } | undefined;
    const slug = entry && typeof entry === 'object' && typeof entry.slug === 'string' ? ` (slug "${entry.slug}")` : '';
    where = `${String(path[0])}[${path[1]}]${slug}`;
    field = path.slice(2).map(String).join('.') || '(entry)';
  } else {
    where = path.length ? String(path[0]) : 'catalog';
    field = path.slice(1).map(String).join('.') || '(value)';
  }
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
  const message = first.code === 'invalid_type' && /received undefined/.test(first.message) ? 'is required' : first.message;
  return `${where}: ${field}: ${message}${more}`;
}
