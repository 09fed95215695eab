import { normalizeLabel } from './normalize.js';

/** How well a catalog item matches typed letters: 4 exact, 3 prefix, 2 start of a word, 1 anywhere. */
export type LabelScore = 1 | 2 | 3 | 4;

export interface LabelHit<T> {
  item: T;
  score: LabelScore;
}

const GRAM_BUCKETS = 1 << 14;
const WORDS = /[\s\-‐‑–—_/.]+/u;
const SPACE = /\s/u;

function gram(a: number, b: number): number {
  return (Math.imul(a, 0x9e3779b1) ^ b) & (GRAM_BUCKETS - 1);
}

/**
 * Completion search over catalog items by their label and other values (slug, aliases), all
 * compared in `normalizeLabel` form. The best `limit` items are those with the highest score, then
 * in label order: the order a completion list shows.
 *
 * Built once per catalog so that a keystroke costs time in the matches, not in the catalog:
 * - items are put in label order once, so "label order" is an item's position;
 * - every normalised value (score 3, or 4 when equal) and every word after a value's first (score
 *   2) is kept in one sorted array, where a prefix is a binary search and a contiguous range;
 * - for "anywhere" matches (score 1), the items containing each character pair are listed in label
 *   order, so the scan starts from the rarest pair of the query and stops once the list is full.
 */
export class LabelSearch<T> {
  private readonly items: T[];
  private readonly text: string[];
  private readonly keys: string[];
  private readonly keyItem: Int32Array;
  private readonly keyScore: Uint8Array;
  private readonly gramStart: Int32Array;
  private readonly gramItems: Int32Array;
  private readonly stamp: Uint32Array;
  private readonly score: Uint8Array;
  private generation = 0;

  constructor(items: readonly T[], label: (item: T) => string, values: (item: T) => readonly string[]) {
    const labels = items.map(label);
    const order = items.map((_, i) => i).sort((a, b) => labels[a]!.localeCompare(labels[b]!) || a - b);
    this.items = order.map((i) => items[i]!);
    const n = this.items.length;
    this.text = new Array<string>(n);
    const keys: string[] = [];
    const keyItem: number[] = [];
    const keyScore: number[] = [];
    const fulls: string[] = [];
    const words: string[] = [];
    for (let r = 0; r < n; r++) {
      fulls.length = 0;
      words.length = 0;
      for (const v of values(this.items[r]!)) {
        const full = normalizeLabel(v);
        if (!full || fulls.includes(full)) continue;
        fulls.push(full);
        (keys.push(full), keyItem.push(r), keyScore.push(3));
        // Words of labels (slugs' words are, in practice, their name's words).
        if (!SPACE.test(v)) continue;
        const parts = v.split(WORDS);
        for (let w = 1; w < parts.length; w++) {
          const word = normalizeLabel(parts[w]!);
          if (word && !words.includes(word)) (words.push(word), keys.push(word), keyItem.push(r), keyScore.push(2));
        }
      }
      this.text[r] = fulls.length === 1 ? fulls[0]! : fulls.join('\u0001');
    }
    const perm = Array.from(keys.keys()).sort((a, b) => {
      const x = keys[a]!;
      const y = keys[b]!;
      return x < y ? -1 : x > y ? 1 : a - b;
    });
    this.keys = Array.from(perm, (i) => keys[i]!);
    this.keyItem = Int32Array.from(perm, (i) => keyItem[i]!);
    this.keyScore = Uint8Array.from(perm, (i) => keyScore[i]!);
    [this.gramStart, this.gramItems] = this.postings();
    this.stamp = new Uint32Array(n);
    this.score = new Uint8Array(n);
  }

  /**
   * For each bucket of characters and character pairs (hashed: a shared bucket only adds
   * candidates), the items whose text has one, each once, in label order: offsets and items.
   */
  private postings(): [Int32Array, Int32Array] {
    const last = new Int32Array(GRAM_BUCKETS).fill(-1);
    const counts = new Int32Array(GRAM_BUCKETS + 1);
    let out: Int32Array | null = null;
    let fill: Int32Array | null = null;
    for (let pass = 0; pass < 2; pass++) {
      for (let r = 0; r < this.text.length; r++) {
        const t = this.text[r]!;
        let prev = 0;
        for (let i = 0; i < t.length; i++) {
          const c = t.charCodeAt(i);
          for (let k = i === 0 ? 1 : 0; k < 2; k++) {
            const b = k === 0 ? gram(prev, c) : gram(0, c);
            if (last[b] === r) continue;
            last[b] = r;
            if (out) out[fill![b]!++] = r;
            else counts[b + 1]!++;
          }
          prev = c;
        }
      }
      if (pass === 0) {
        for (let b = 0; b < GRAM_BUCKETS; b++) counts[b + 1]! += counts[b]!;
        fill = counts.slice(0, GRAM_BUCKETS);
        out = new Int32Array(counts[GRAM_BUCKETS]!);
        last.fill(-1);
      }
    }
    return [counts, out!];
  }

  get size(): number {
    return this.items.length;
  }

  /** The best `limit` items for the typed letters, best first. */
  search(query: string, limit: number): LabelHit<T>[] {
    const n = this.items.length;
    const q = normalizeLabel(query);
    if (!q) return this.items.slice(0, limit).map((item) => ({ item, score: 1 }));
    if (++this.generation === 0xffffffff) (this.stamp.fill(0), (this.generation = 1));
    const gen = this.generation;
    const { stamp, score } = this;

    // Scores 4, 3 and 2: the sorted keys starting with q (those equal to q come first).
    const lo = this.lowerBound(q);
    const hi = this.lowerBound(`${q}\uffff`);
    let exact = lo;
    while (exact < hi && this.keys[exact]!.length === q.length) exact++;
    let best: number[];
    if (hi - lo <= 4 * limit + 256) {
      const touched: number[] = [];
      for (let i = lo; i < hi; i++) {
        const r = this.keyItem[i]!;
        const s = i < exact && this.keyScore[i] === 3 ? 4 : this.keyScore[i]!;
        if (stamp[r] !== gen) ((stamp[r] = gen), (score[r] = s), touched.push(r));
        else if (s > score[r]!) score[r] = s;
      }
      best = touched.sort((a, b) => score[b]! - score[a]! || a - b).slice(0, limit);
    } else {
      // Many matches: marked in place, then one pass in label order keeping the first `limit` of each score.
      for (let i = lo; i < hi; i++) {
        const r = this.keyItem[i]!;
        const s = i < exact && this.keyScore[i] === 3 ? 4 : this.keyScore[i]!;
        if (stamp[r] !== gen) ((stamp[r] = gen), (score[r] = s));
        else if (s > score[r]!) score[r] = s;
      }
      const by: number[][] = [[], [], [], [], []];
      for (let r = 0; r < n; r++) if (stamp[r] === gen && by[score[r]!]!.length < limit) by[score[r]!]!.push(r);
      best = [...by[4]!, ...by[3]!, ...by[2]!].slice(0, limit);
    }

    // Score 1: items containing q, in label order from the rarest character pair, until full.
    if (best.length < limit) {
      let start = 0;
      let end = Infinity;
      for (let i = q.length === 1 ? 0 : 1; i < q.length; i++) {
        const b = i === 0 ? gram(0, q.charCodeAt(0)) : gram(q.charCodeAt(i - 1), q.charCodeAt(i));
        if (this.gramStart[b + 1]! - this.gramStart[b]! < end - start) ((start = this.gramStart[b]!), (end = this.gramStart[b + 1]!));
      }
      for (let i = start; i < end && best.length < limit; i++) {
        const r = this.gramItems[i]!;
        if (stamp[r] !== gen && this.text[r]!.includes(q)) ((stamp[r] = gen), (score[r] = 1), best.push(r));
      }
    }
    return best.map((r) => ({ item: this.items[r]!, score: score[r] as LabelScore }));
  }

  private lowerBound(q: string): number {
    let lo = 0;
    let hi = this.keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.keys[mid]! < q) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
