import { closeBracketsKeymap, completionKeymap } from '@codemirror/autocomplete';
import { defaultKeymap, historyKeymap, indentWithTab } from '@codemirror/commands';
import { lintKeymap } from '@codemirror/lint';
import { searchKeymap } from '@codemirror/search';
import type { KeyBinding } from '@codemirror/view';
import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it } from 'vitest';
import { STUDIO_COMMANDS, formatKey, isCommandId, matchesKey, parseKey, toAccelerator, type KeyChord } from '../../shared/api/commands.js';
import { menuTemplate } from '../../electron/main/menu.js';

/** A chord as a platform sees it: Mod resolved to Ctrl (Linux, Windows) or Cmd (macOS). */
function concrete(c: KeyChord, mac: boolean): string {
  const key = c.key.length === 1 ? c.key.toLowerCase() : c.key;
  return [c.ctrl || (c.mod && !mac) ? 'C' : '', c.meta || (c.mod && mac) ? 'M' : '', c.alt ? 'A' : '', c.shift ? 'S' : '', key].join('-');
}

/** CodeMirror's key names, any modifier order ("Shift-Mod-k"), read into chords. */
function codemirrorChord(name: string): KeyChord {
  return parseKey(name.replace(/\bc-/g, 'Ctrl-').replace(/\bm-/g, 'Meta-').replace(/\ba-/g, 'Alt-').replace(/\bs-/g, 'Shift-'));
}

const EDITOR_KEYMAPS: readonly KeyBinding[] = [
  ...closeBracketsKeymap,
  ...completionKeymap,
  ...searchKeymap,
  ...historyKeymap,
  ...lintKeymap,
  indentWithTab,
  ...defaultKeymap,
  { key: 'Mod-.' },
];

describe('the command list (shared/api/commands.ts)', () => {
  it('has every command of the issue once, each with a key and a menu', () => {
    const labels = STUDIO_COMMANDS.map((c) => c.label);
    for (const label of [
      'New story',
      'Save now',
      'Import…',
      'Export as .md',
      'Export as .txt',
      'Export as .html',
      'Settings…',
      'Toggle library',
      'Toggle preview',
      'Review mode',
      'Theme: dark',
      'Theme: light',
      'Theme: system',
      'Search library',
      'Keyboard shortcuts',
      'History',
      'Sync now',
      'Submit for review',
      'Approve',
      'Publish',
      'Withdraw…',
    ]) {
      expect(
        labels.filter((l) => l === label),
        label,
      ).toHaveLength(1);
    }
    expect(new Set(STUDIO_COMMANDS.map((c) => c.id)).size).toBe(STUDIO_COMMANDS.length);
    for (const mac of [false, true]) {
      const keys = STUDIO_COMMANDS.map((c) => concrete(parseKey(c.key), mac));
      expect(new Set(keys).size).toBe(keys.length);
    }
    expect(isCommandId('view.review')).toBe(true);
    expect(isCommandId('__proto__')).toBe(false);
    expect(isCommandId(42)).toBe(false);
  });

  it('takes no key CodeMirror binds, nor one the browser keeps for itself', () => {
    const reserved = ['Ctrl-n', 'Ctrl-t', 'Ctrl-w', 'Ctrl-Shift-n', 'Ctrl-Shift-t', 'Ctrl-Shift-w', 'Ctrl-Tab', 'Ctrl-PageUp', 'Ctrl-PageDown', 'Ctrl-q'];
    for (const mac of [false, true]) {
      const taken = new Set<string>();
      for (const b of EDITOR_KEYMAPS) {
        const name = (mac ? b.mac : b.linux) ?? b.key;
        if (name) taken.add(concrete(codemirrorChord(name), mac));
      }
      if (!mac) for (const r of reserved) taken.add(concrete(parseKey(r), false));
      expect(taken.size).toBeGreaterThan(30);
      for (const c of STUDIO_COMMANDS) expect(taken.has(concrete(parseKey(c.key), mac)), `${c.id} ${c.key} (mac: ${mac})`).toBe(false);
    }
  });

  it('reads, formats and converts key bindings', () => {
    expect(parseKey('Mod-Shift-e')).toEqual({ mod: true, ctrl: false, alt: false, shift: true, meta: false, key: 'e' });
    expect(parseKey('Mod-,').key).toBe(',');
    expect(parseKey('F1')).toMatchObject({ mod: false, key: 'F1' });
    expect(() => parseKey('Hyper-x')).toThrow(/unknown modifier Hyper/);
    expect(toAccelerator('Mod-Alt-n')).toBe('CmdOrCtrl+Alt+N');
    expect(toAccelerator('Mod-,')).toBe('CmdOrCtrl+,');
    expect(toAccelerator('F1')).toBe('F1');
    expect(formatKey('Mod-Alt-p', false)).toBe('Ctrl+Alt+P');
    expect(formatKey('Mod-Alt-p', true)).toBe('⌥⌘P');
    expect(formatKey('Mod-Shift-e', true)).toBe('⇧⌘E');
  });

  it('matches key events exactly, by the physical key when Alt changes the character', () => {
    const ev = (key: string, code: string, mods: Partial<Record<'ctrlKey' | 'altKey' | 'shiftKey' | 'metaKey', boolean>> = {}) => ({
      key,
      code,
      ctrlKey: false,
      altKey: false,
      shiftKey: false,
      metaKey: false,
      ...mods,
    });
    expect(matchesKey('Mod-Alt-n', ev('n', 'KeyN', { ctrlKey: true, altKey: true }), false)).toBe(true);
    expect(matchesKey('Mod-Alt-n', ev('˜', 'KeyN', { metaKey: true, altKey: true }), true)).toBe(true);
    expect(matchesKey('Mod-Alt-n', ev('n', 'KeyN', { ctrlKey: true, altKey: true }), true)).toBe(false);
    expect(matchesKey('Mod-Alt-n', ev('N', 'KeyN', { ctrlKey: true, altKey: true, shiftKey: true }), false)).toBe(false);
    expect(matchesKey('Mod-Shift-e', ev('E', 'KeyE', { ctrlKey: true, shiftKey: true }), false)).toBe(true);
    expect(matchesKey('Mod-Alt-2', ev('™', 'Digit2', { metaKey: true, altKey: true }), true)).toBe(true);
    expect(matchesKey('Mod-,', ev(',', 'Comma', { ctrlKey: true }), false)).toBe(true);
    expect(matchesKey('F1', ev('F1', 'F1'), false)).toBe(true);
    expect(matchesKey('F1', ev('F1', 'F1', { ctrlKey: true }), false)).toBe(false);
    expect(matchesKey('Mod-o', ev('o', 'KeyO'), false)).toBe(false);
  });
});

describe('the Electron application menu (electron/main/menu.ts)', () => {
  const sent: string[] = [];
  const template = menuTemplate((id) => sent.push(id), 'linux');
  const menu = (label: string) => template.find((m) => m.label === label)?.submenu as MenuItemConstructorOptions[];
  const labels = (label: string) =>
    menu(label)
      .filter((i) => i.label)
      .map((i) => i.label);

  it('has File, Edit, View, Publish and Help built from the shared list', () => {
    expect(labels('File')).toEqual(['New story', 'Save now', 'Import…', 'Export as .md', 'Export as .txt', 'Export as .html', 'Settings…']);
    expect(menu('Edit').map((i) => i.role ?? i.label)).toEqual(expect.arrayContaining(['undo', 'redo', 'cut', 'copy', 'paste', 'selectAll', 'Search library']));
    expect(labels('View')).toEqual(
      expect.arrayContaining(['Toggle library', 'Toggle preview', 'Review mode', 'History', 'Theme: light', 'Theme: dark', 'Theme: system']),
    );
    expect(labels('Publish')).toEqual(['Sync now', 'Submit for review', 'Approve', 'Publish', 'Withdraw…', 'Cancel waiting changes']);
    expect(template.find((m) => m.role === 'help')?.submenu).toEqual(
      expect.arrayContaining([expect.objectContaining({ label: 'Keyboard shortcuts', accelerator: 'F1' })]),
    );
    const all = template.flatMap((m) => (Array.isArray(m.submenu) ? m.submenu : [])).filter((i) => i.id);
    expect(all.map((i) => i.id).sort()).toEqual(STUDIO_COMMANDS.map((c) => c.id).sort());
  });

  it('shows each command’s key without registering it (the renderer’s keymap runs it) and sends its id', () => {
    const item = menu('View').find((i) => i.label === 'Review mode')!;
    expect(item.accelerator).toBe('CmdOrCtrl+Alt+R');
    expect(item.registerAccelerator).toBe(false);
    (item.click as () => void)();
    expect(sent).toEqual(['view.review']);
  });

  it('quits from File on Linux and Windows and has the app menu on macOS', () => {
    expect(menu('File').some((i) => i.role === 'quit')).toBe(true);
    expect(menuTemplate(() => undefined, 'darwin')[0]).toEqual({ role: 'appMenu' });
  });
});
