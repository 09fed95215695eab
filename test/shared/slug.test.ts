import { describe, expect, it } from 'vitest';
import { deriveSlug, isValidSlug, slugProblem } from '../../shared/index.js';

describe('slugs', () => {
  it("derives the published site's slugs from their titles (hex aside)", () => {
    expect(deriveSlug('The Open-Source Moat Drained Overnight and the Builders Barely Noticed')).toMatch(
      /^open-source-moat-drained-overnight-builders-[0-9a-f]{4}$/,
    );
    expect(deriveSlug('Gemma 4 Dropped and the Open-Source Crowd Stopped Arguing')).toMatch(/^gemma-4-dropped-open-source-crowd-stopped-arguing-[0-9a-f]{4}$/);
  });

  it('is stable for a title and different with a nonce', () => {
    expect(deriveSlug('Same Title')).toBe(deriveSlug('Same Title'));
    expect(deriveSlug('Same Title', 1)).not.toBe(deriveSlug('Same Title'));
  });

  it('handles accents, punctuation and titles of stop words only', () => {
    expect(deriveSlug('Ça va, Zürich?')).toMatch(/^ca-va-zurich-[0-9a-f]{4}$/);
    expect(deriveSlug('The And Of')).toMatch(/^the-and-of-[0-9a-f]{4}$/);
    expect(deriveSlug('!!!')).toMatch(/^story-[0-9a-f]{4}$/);
    expect(isValidSlug(deriveSlug('x'.repeat(500)))).toBe(true);
  });

  it('applies the slug rule', () => {
    expect(isValidSlug('a-b-1')).toBe(true);
    for (const bad of ['', 'A', 'a--b', '-a', 'a-', 'a_b', 'a b', 'é', 'a'.repeat(121)]) expect(slugProblem(bad)).not.toBeNull();
    expect(isValidSlug('a'.repeat(120))).toBe(true);
  });
});
