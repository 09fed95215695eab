import { BrowserWindow, Menu, type MenuItemConstructorOptions, type WebContents } from 'electron';
import { SPELLING_CHOICE_CHANNEL, type SpellingChoice, type SpellingMenu } from '../../shared/api/spelling-menu.js';

/**
 * The native context menu of a misspelt word: the studio's suggestions (the renderer's, which know
 * the catalog), "Add to dictionary", then the editing roles. A choice goes back to the window one
 * way, like a menu command; the renderer applies it if the word is still there.
 */
export function spellingMenuTemplate(menu: SpellingMenu, choose: (choice: SpellingChoice) => void): MenuItemConstructorOptions[] {
  const suggestions: MenuItemConstructorOptions[] = menu.suggestions.length
    ? menu.suggestions.map((s) => ({ label: s, click: () => choose({ word: menu.word, replace: s }) }))
    : [{ label: 'No suggestions', enabled: false }];
  return [
    ...suggestions,
    { type: 'separator' },
    { label: `Add “${menu.word}” to dictionary`, click: () => choose({ word: menu.word, add: true }) },
    { type: 'separator' },
    { role: 'cut' },
    { role: 'copy' },
    { role: 'paste' },
    { type: 'separator' },
    { role: 'selectAll' },
  ];
}

/** Pops the spelling menu up over the window of `contents` (at the pointer), choices sent back to it. */
export function showSpellingMenu(contents: WebContents, menu: SpellingMenu): void {
  const window = BrowserWindow.fromWebContents(contents);
  if (!window) return;
  const template = spellingMenuTemplate(menu, (choice) => {
    if (!contents.isDestroyed()) contents.send(SPELLING_CHOICE_CHANNEL, choice);
  });
  Menu.buildFromTemplate(template).popup({ window });
}
