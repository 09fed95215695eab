import { editDistance } from '../text-util.js';

/**
 * Finds the known slug nearest to a mistyped one without scanning the whole catalog: slugs are
 * indexed by their character trigrams, candidates come from shared trigrams and the best few are
 * compared by edit distance. Built on first use, since most lints never need it.
 */
export class ClosestSlugIndex {
  private readonly grams = new Map<string, number[]>();

  constructor(private readonly slugs: readonly string[]) {
    slugs.forEach((slug, i) => {
      for (const g of trigrams(slug)) {
        let list = this.grams.get(g);
        if (!list) this.grams.set(g, (list = []));
        if (list[list.length - 1] !== i) list.push(i);
      }
    });
  }

  /** The closest slug within the tolerance (2 edits, or a quarter of the length for long slugs). */
  closest(slug: string): string | null {
    const max = Math.max(2, Math.floor(slug.length / 4));
    const counts = new Map<number, number>();
    for (const g of trigrams(slug)) {
      const list = this.grams.get(g);
      // A trigram shared by a large part of the catalog says little and costs a lot.
      if (!list || list.length > 5000) continue;
      for (const i of list) counts.set(i, (counts.get(i) ?? 0) + 1);
    }
    const ranked = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, 64);
    let best: string | null = null;
    let bestDistance = max + 1;
    for (const [i] of ranked) {
      const candidate = this.slugs[i]!;
      const d = editDistance(slug, candidate, bestDistance - 1);
      if (d < bestDistance) {
        best = candidate;
        bestDistance = d;
      }
    }
    // Hyphen-insensitive match ("openai" for "open-ai") when trigrams found nothing near enough.
    if (best === null) {
      const squashed = slug.replace(/-/g, '');
      best = this.slugs.find((s) => s.replace(/-/g, '') === squashed) ?? null;
    }
    return best;
  }
}

function trigrams(slug: string): Set<string> {
  const s = `^${slug}$`;
  const out = new Set<string>();
  for (let i = 0; i + 3 <= s.length; i++) out.add(s.slice(i, i + 3));
  return out;
}
