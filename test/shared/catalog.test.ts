import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CatalogError, ENTITY_TYPES, loadCatalog } from '../../shared/index.js';

describe('catalog loading (story-format.md §5)', () => {
  it('loads the bundled sample catalog, which covers every entity type', () => {
    const catalog = loadCatalog(readFileSync(new URL('../../resources/catalog.json', import.meta.url), 'utf8'));
    expect(catalog.entities.size).toBeGreaterThanOrEqual(40);
    expect(catalog.beats.size).toBeGreaterThanOrEqual(8);
    expect(catalog.stories.size).toBeGreaterThanOrEqual(10);
    for (const type of ENTITY_TYPES) expect([...catalog.entities.values()].some((e) => e.type === type)).toBe(true);
  });

  it.each([
    ['not JSON', '{', /^not JSON/],
    ['not an object', '[]', /JSON object/],
    ['a bad type', { entities: [{ slug: 'x', name: 'X', type: 'robot' }] }, /^entities\[0\] \(slug "x"\): type: must be one of person/],
    ['a bad slug', { beats: [{ slug: 'Bad Slug', name: 'B' }] }, /^beats\[0\] \(slug "Bad Slug"\): slug: not a valid slug/],
    ['a missing name', { entities: [{ slug: 'x', type: 'person' }] }, /^entities\[0\] \(slug "x"\): name:/],
    [
      'a duplicate slug',
      {
        beats: [
          { slug: 'a', name: 'A' },
          { slug: 'a', name: 'B' },
        ],
      },
      /^beats\[1\] \(slug "a"\): slug: duplicates beats\[0\]/,
    ],
  ])('names the entry and field of %s', (_, json, message) => {
    try {
      loadCatalog(typeof json === 'string' ? json : JSON.stringify(json));
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(CatalogError);
      expect((e as Error).message).toMatch(message);
      expect((e as Error).message).not.toContain('\n');
    }
  });

  it('finds entities by normalised name or alias', () => {
    const c = loadCatalog({ entities: [{ slug: 'us', name: 'United States', type: 'state', aliases: ['U.S.'] }] });
    expect(c.entitiesForLabel("the U.S.'s")).toEqual([]);
    expect(c.entitiesForLabel("U.S.'s").map((e) => e.slug)).toEqual(['us']);
    expect(c.entitiesForLabel('united   STATES').map((e) => e.slug)).toEqual(['us']);
  });
});
