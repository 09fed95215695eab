/**
 * The spelling context menu of the Electron host, typed once for the renderer, the preload and the
 * main process. The renderer knows the misspelt word under the pointer and the studio's own
 * suggestions (dictionary and catalog, the ones its lint tooltip offers); it asks the main process
 * for a native menu of them (`SPELLING_MENU_CHANNEL`, invoke), and the main process sends the
 * person's choice back one way (`SPELLING_CHOICE_CHANNEL`), as it does with menu commands.
 * Everything crossing the boundary is read again on the other side. Pure: no Node, no DOM.
 */
export const SPELLING_MENU_CHANNEL = 'studio:spelling-menu';
export const SPELLING_CHOICE_CHANNEL = 'studio:spelling-choice';

/** What the menu offers for one word. */
export interface SpellingMenu {
  word: string;
  suggestions: string[];
}

/** What the person chose: a suggestion in place of the word, or the word added to the dictionary. */
export type SpellingChoice = { word: string; replace: string } | { word: string; add: true };

const MAX_SUGGESTIONS = 10;
const MAX_WORD = 100;
const isWord = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= MAX_WORD && !/[\n\r]/.test(v);

/** A menu request as sent, or null when it is not one (a word and at most ten suggestions). */
export function readSpellingMenu(value: unknown): SpellingMenu | null {
  if (typeof value !== 'object' || value === null) return null;
  const { word, suggestions } = value as Record<string, unknown>;
  if (!isWord(word) || !Array.isArray(suggestions) || suggestions.length > MAX_SUGGESTIONS || !suggestions.every(isWord)) return null;
  return { word, suggestions: [...suggestions] };
}

/** A choice as sent, or null when it is not one. */
export function readSpellingChoice(value: unknown): SpellingChoice | null {
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  if (!isWord(v.word)) return null;
  if (isWord(v.replace) && !('add' in v)) return { word: v.word, replace: v.replace };
  if (v.add === true && !('replace' in v)) return { word: v.word, add: true };
  return null;
}
