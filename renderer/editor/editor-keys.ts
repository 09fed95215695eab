/**
 * The editor's own keys worth knowing, for the shortcuts help (the bindings themselves are
 * CodeMirror's keymaps and ours in story-lint.ts; this list only names them).
 */
export const EDITOR_KEYS = [
  { key: 'Mod-b', label: 'Bold (**…**)' },
  { key: 'Mod-i', label: 'Italic (*…*)' },
  { key: 'Ctrl-Space', label: 'Complete a reference or citation' },
  { key: 'Mod-.', label: 'Apply the quick fix at the cursor' },
  { key: 'Mod-Shift-m', label: 'Open the list of problems' },
  { key: 'F8', label: 'Go to the next problem' },
  { key: 'Mod-f', label: 'Find and replace' },
  { key: 'Mod-z', label: 'Undo' },
  { key: 'Mod-Shift-z', label: 'Redo' },
] as const;
