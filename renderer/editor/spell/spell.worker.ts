// The spelling worker: builds the Hunspell checker (nspell over dictionary-en, ~1.5 s) away from
// the page's thread, then answers which words are unknown and what to suggest for one.
import nspell from 'nspell';
import type { SpellReply, SpellRequest } from './protocol.js';

interface WorkerScope {
  postMessage(message: SpellReply): void;
  onmessage: ((e: MessageEvent<SpellRequest>) => void) | null;
}
const scope = self as unknown as WorkerScope;
let spell: ReturnType<typeof nspell> | null = null;
/** Words nspell was told about (catalog names, the person's dictionary): kept to tell apart from a new set. */
let added = new Set<string>();

scope.onmessage = (e) => {
  const m = e.data;
  if (m.type === 'load') {
    spell = nspell({ aff: m.aff, dic: m.dic });
    added = new Set();
    for (const w of m.words) spell.add(w);
    added = new Set(m.words);
    scope.postMessage({ type: 'ready' });
  } else if (m.type === 'words') {
    if (!spell) return;
    for (const w of m.words) if (!added.has(w)) (spell.add(w), added.add(w));
    const next = new Set(m.words);
    for (const w of added) if (!next.has(w)) (spell.remove(w), added.delete(w));
    scope.postMessage({ type: 'ready' });
  } else if (m.type === 'check') {
    if (!spell) return;
    const s = spell;
    scope.postMessage({ type: 'checked', id: m.id, unknown: m.words.filter((w) => !s.correct(w)) });
  } else if (m.type === 'suggest') {
    if (!spell) return;
    scope.postMessage({ type: 'suggested', id: m.id, word: m.word, suggestions: spell.suggest(m.word).slice(0, 6) });
  }
};
