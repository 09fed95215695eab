/**
 * The studio's commands, defined once: the renderer binds each to its key and lists them in the
 * browser host's menu bar, the command palette and the shortcuts help; the Electron main process
 * builds its application menu from the same list and sends the chosen id to the renderer.
 * Pure: no Node, no DOM.
 *
 * Keys are written as CodeMirror writes them ('Mod-Alt-n': Mod is Cmd on macOS, Ctrl elsewhere).
 * None is a key the browser keeps for itself (Ctrl+N, Ctrl+T, Ctrl+W never reach a page), so the
 * same key works in Electron and in the browser host; none is one of CodeMirror's default keys
 * (test/app/commands.test.ts checks both).
 */

export const MENU_GROUPS = ['file', 'edit', 'view', 'publish', 'help'] as const;
export type MenuGroup = (typeof MENU_GROUPS)[number];

/** How each group is titled in a menu bar, the native menu and the shortcuts help. */
export const MENU_TITLES: Record<MenuGroup, string> = { file: 'File', edit: 'Edit', view: 'View', publish: 'Publish', help: 'Help' };

export interface StudioCommand {
  id: string;
  label: string;
  /** Default key binding, CodeMirror style ('Mod-Shift-e', 'F1'). */
  key?: string;
  menu: MenuGroup;
}

export const STUDIO_COMMANDS = [
  { id: 'story.new', label: 'New story', key: 'Mod-Alt-n', menu: 'file' },
  // Saves at once (autosave does it anyway within a second); in the browser host it also keeps
  // Ctrl+S from opening the browser's "Save page as".
  { id: 'story.save', label: 'Save now', key: 'Mod-s', menu: 'file' },
  { id: 'story.import', label: 'Import…', key: 'Mod-o', menu: 'file' },
  { id: 'story.export-md', label: 'Export as .md', key: 'Mod-e', menu: 'file' },
  { id: 'story.export-text', label: 'Export as .txt', key: 'Mod-Shift-e', menu: 'file' },
  { id: 'story.export-html', label: 'Export as .html', key: 'Mod-Alt-e', menu: 'file' },
  { id: 'app.settings', label: 'Settings…', key: 'Mod-,', menu: 'file' },
  { id: 'library.search', label: 'Search library', key: 'Mod-Shift-f', menu: 'edit' },
  // A citation from the keyboard: the marker at the caret, its entry in the front matter, the URL asked.
  { id: 'story.cite', label: 'Add citation', key: 'Mod-Alt-c', menu: 'edit' },
  // Review notes: on the selected text, and from one to the next in the text.
  { id: 'notes.add', label: 'Add note on selection', key: 'Mod-Alt-m', menu: 'edit' },
  { id: 'notes.next', label: 'Next note', key: 'F7', menu: 'edit' },
  { id: 'notes.previous', label: 'Previous note', key: 'Shift-F7', menu: 'edit' },
  { id: 'view.notes', label: 'Notes', key: 'Mod-Alt-Shift-m', menu: 'view' },
  { id: 'view.toggle-library', label: 'Toggle library', key: 'Mod-Alt-l', menu: 'view' },
  { id: 'view.toggle-preview', label: 'Toggle preview', key: 'Mod-Alt-p', menu: 'view' },
  { id: 'view.review', label: 'Review mode', key: 'Mod-Alt-r', menu: 'view' },
  { id: 'view.history', label: 'History', key: 'Mod-Alt-h', menu: 'view' },
  { id: 'view.focus-mode', label: 'Focus mode', key: 'Mod-Alt-f', menu: 'view' },
  { id: 'view.typewriter', label: 'Typewriter scrolling', key: 'Mod-Alt-j', menu: 'view' },
  { id: 'view.front-matter', label: 'Show or hide the front matter (YAML)', key: 'Mod-Alt-y', menu: 'view' },
  { id: 'theme.light', label: 'Theme: light', key: 'Mod-Alt-1', menu: 'view' },
  { id: 'theme.dark', label: 'Theme: dark', key: 'Mod-Alt-2', menu: 'view' },
  { id: 'theme.system', label: 'Theme: system', key: 'Mod-Alt-3', menu: 'view' },
  // Publishing: the story actions go to the outbox (they work offline); the key chords are
  // deliberate ones, Shift added for the two that change what readers see.
  { id: 'sync.now', label: 'Sync now', key: 'Mod-Alt-s', menu: 'publish' },
  { id: 'story.submit', label: 'Submit for review', key: 'Mod-Alt-u', menu: 'publish' },
  { id: 'story.approve', label: 'Approve', key: 'Mod-Alt-a', menu: 'publish' },
  { id: 'story.publish', label: 'Publish', key: 'Mod-Alt-Shift-p', menu: 'publish' },
  { id: 'story.withdraw', label: 'Withdraw…', key: 'Mod-Alt-Shift-w', menu: 'publish' },
  { id: 'story.cancel', label: 'Cancel waiting changes', key: 'Mod-Alt-Shift-x', menu: 'publish' },
  { id: 'app.palette', label: 'Command palette…', key: 'Mod-Shift-p', menu: 'help' },
  { id: 'app.shortcuts', label: 'Keyboard shortcuts', key: 'F1', menu: 'help' },
] as const satisfies readonly StudioCommand[];

export type CommandId = (typeof STUDIO_COMMANDS)[number]['id'];

const BY_ID = new Map<string, StudioCommand>(STUDIO_COMMANDS.map((c) => [c.id, c]));

/** Whether a value names a command (ids cross a process boundary: check before trusting). */
export function isCommandId(value: unknown): value is CommandId {
  return typeof value === 'string' && BY_ID.has(value);
}

export function commandById(id: CommandId): StudioCommand {
  return BY_ID.get(id)!;
}

/** A key binding taken apart. */
export interface KeyChord {
  mod: boolean;
  ctrl: boolean;
  alt: boolean;
  shift: boolean;
  meta: boolean;
  /** The key itself: a single character (lower case) or a key name ('F1', 'Enter'). */
  key: string;
}

/** Reads 'Mod-Shift-e' into its modifiers and key. */
export function parseKey(binding: string): KeyChord {
  const parts = binding.split(/-(?!$)/);
  const key = parts.pop()!;
  const chord: KeyChord = { mod: false, ctrl: false, alt: false, shift: false, meta: false, key: key.length === 1 ? key.toLowerCase() : key };
  for (const p of parts) {
    if (p === 'Mod') chord.mod = true;
    else if (p === 'Ctrl') chord.ctrl = true;
    else if (p === 'Alt') chord.alt = true;
    else if (p === 'Shift') chord.shift = true;
    else if (p === 'Meta' || p === 'Cmd') chord.meta = true;
    else throw new Error(`unknown modifier ${p} in key ${binding}`);
  }
  return chord;
}

/** An Electron accelerator for a key binding ('Mod-Alt-n' → 'CmdOrCtrl+Alt+N'). */
export function toAccelerator(binding: string): string {
  const c = parseKey(binding);
  const parts: string[] = [];
  if (c.mod) parts.push('CmdOrCtrl');
  if (c.ctrl) parts.push('Ctrl');
  if (c.meta) parts.push('Cmd');
  if (c.alt) parts.push('Alt');
  if (c.shift) parts.push('Shift');
  parts.push(c.key.length === 1 ? c.key.toUpperCase() : c.key);
  return parts.join('+');
}

/** How a binding reads to a person: 'Ctrl+Alt+N', or '⌘⌥N' on macOS. */
export function formatKey(binding: string, mac: boolean): string {
  const c = parseKey(binding);
  const key = c.key.length === 1 ? c.key.toUpperCase() : c.key;
  if (mac) {
    return `${c.ctrl ? '⌃' : ''}${c.alt ? '⌥' : ''}${c.shift ? '⇧' : ''}${c.mod || c.meta ? '⌘' : ''}${key}`;
  }
  return [c.mod || c.ctrl ? 'Ctrl' : '', c.meta ? 'Meta' : '', c.alt ? 'Alt' : '', c.shift ? 'Shift' : '', key].filter(Boolean).join('+');
}

/** The parts of a keyboard event a binding is matched against (a DOM KeyboardEvent has them all). */
export interface KeyInput {
  key: string;
  code: string;
  ctrlKey: boolean;
  altKey: boolean;
  shiftKey: boolean;
  metaKey: boolean;
}

/**
 * Whether a key event is the binding. Modifiers must match exactly. With Alt or Shift held the
 * character a key types differs by layout and platform (Option-N is '˜' on a Mac), so the physical
 * key (`code`) decides for letters and digits then, as it does for CodeMirror.
 */
export function matchesKey(binding: string, e: KeyInput, mac: boolean): boolean {
  const c = parseKey(binding);
  const ctrl = c.ctrl || (c.mod && !mac);
  const meta = c.meta || (c.mod && mac);
  if (e.ctrlKey !== ctrl || e.metaKey !== meta || e.altKey !== c.alt || e.shiftKey !== c.shift) return false;
  if (e.key.toLowerCase() === c.key.toLowerCase()) return true;
  if (/^[a-z]$/.test(c.key)) return e.code === `Key${c.key.toUpperCase()}`;
  if (/^[0-9]$/.test(c.key)) return e.code === `Digit${c.key}`;
  if (c.key === ',') return e.code === 'Comma';
  return false;
}
