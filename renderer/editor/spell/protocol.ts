/** Messages between the page and the spelling worker. */
export type SpellRequest =
  | { type: 'load'; aff: string; dic: string; words: string[] }
  /** The extra known words now (catalog names and aliases, the person's dictionary). */
  | { type: 'words'; words: string[] }
  | { type: 'check'; id: number; words: string[] }
  | { type: 'suggest'; id: number; word: string };

export type SpellReply =
  { type: 'ready' } | { type: 'checked'; id: number; unknown: string[] } | { type: 'suggested'; id: number; word: string; suggestions: string[] };
