import type { SpellReply, SpellRequest } from './protocol.js';

/** The dictionary's two files, fetched from the host when spelling first runs. */
export type DictionaryLoader = () => Promise<{ aff: string; dic: string }>;

/** How far apart two words are (Damerau–Levenshtein, adjacent swaps included), up to `max` + 1. */
export function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const prev2: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prev2[j - 2]! + 1);
      row.push(d);
      best = Math.min(best, d);
    }
    if (best > max) return max + 1;
    prev2.splice(0, prev2.length, ...prev);
    prev = row;
  }
  return prev[b.length]!;
}

/**
 * The page's side of spelling: a cache of answers (a keystroke checks only words it has not seen),
 * the catalog's words, and the worker that holds the Hunspell checker, started on first use.
 */
export class SpellChecker {
  private worker: Worker | null = null;
  private ready: Promise<void> | null = null;
  private readonly known = new Map<string, boolean>();
  private readonly suggestions = new Map<string, string[]>();
  private readonly waiting = new Map<number, (reply: SpellReply) => void>();
  private seq = 0;
  /** Catalog names and aliases, word by word, and the person's own words. */
  private extra = new Set<string>();
  private extraLower = new Map<string, string>();
  private extraKey = '';

  constructor(private readonly load: DictionaryLoader) {}

  /** The words known besides the dictionary; answers change, so the cache goes. */
  setWords(words: Iterable<string>): void {
    const next = [...new Set(words)].sort();
    const key = next.join('\n');
    if (key === this.extraKey) return;
    this.extraKey = key;
    this.extra = new Set(next);
    this.extraLower = new Map(next.map((w) => [w.toLowerCase(), w]));
    this.known.clear();
    this.suggestions.clear();
    this.worker?.postMessage({ type: 'words', words: next } satisfies SpellRequest);
  }

  /** Whether a word is spelt right, if known already (undefined: not asked yet). */
  isKnown(word: string): boolean | undefined {
    if (this.extra.has(word)) return true;
    return this.known.get(word);
  }

  /** Asks about the words not answered yet (starting the worker the first time). */
  async check(words: string[]): Promise<void> {
    const ask = [...new Set(words.filter((w) => this.isKnown(w) === undefined))];
    if (ask.length === 0) return;
    await this.start();
    const reply = await this.request({ type: 'check', id: ++this.seq, words: ask });
    if (reply.type !== 'checked') return;
    const unknown = new Set(reply.unknown);
    for (const w of ask) this.known.set(w, !unknown.has(w));
  }

  /** Suggestions for a misspelt word: a catalog name it nearly is first (“Karpaty” → “Karpathy”), then the dictionary's. */
  async suggest(word: string): Promise<string[]> {
    const cached = this.suggestions.get(word);
    if (cached) return cached;
    await this.start();
    const reply = await this.request({ type: 'suggest', id: ++this.seq, word });
    const fromDictionary = reply.type === 'suggested' ? reply.suggestions : [];
    const list = [...new Set([...this.catalogNearMisses(word), ...fromDictionary])].slice(0, 5);
    this.suggestions.set(word, list);
    return list;
  }

  private catalogNearMisses(word: string): string[] {
    const lower = word.toLowerCase();
    const max = word.length <= 4 ? 1 : 2;
    const found: Array<[number, string]> = [];
    for (const [l, w] of this.extraLower) {
      if (Math.abs(l.length - lower.length) > max || l[0] !== lower[0]) continue;
      const d = editDistance(lower, l, max);
      if (d <= max) found.push([d, w]);
    }
    return found
      .sort((a, b) => a[0] - b[0])
      .slice(0, 3)
      .map(([, w]) => w);
  }

  private start(): Promise<void> {
    this.ready ??= (async () => {
      const { aff, dic } = await this.load();
      const worker = new Worker(new URL('./spell.worker.ts', import.meta.url), { type: 'module' });
      worker.onmessage = (e: MessageEvent<SpellReply>) => {
        const m = e.data;
        const id = m.type === 'checked' || m.type === 'suggested' ? m.id : 0;
        const done = this.waiting.get(id);
        this.waiting.delete(id);
        done?.(m);
      };
      this.worker = worker;
      await this.request({ type: 'load', aff, dic, words: [...this.extra] }, 0);
    })();
    return this.ready;
  }

  private request(message: SpellRequest, id = 'id' in message ? message.id : 0): Promise<SpellReply> {
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.worker!.postMessage(message);
    });
  }

  destroy(): void {
    this.worker?.terminate();
    this.worker = null;
    this.ready = null;
  }
}
