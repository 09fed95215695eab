// Issue 10, "spelling that knows the catalog": nspell + dictionary-en in a worker, the catalog's names known.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { editorText, hasChromium, newStory, results, saved, studioForSuite } from './writing-harness.js';

const { page } = studioForSuite();

const misspelt = () => page().locator('.cm-misspelled').allInnerTexts();

describe.skipIf(!hasChromium)('spelling (issue 10)', () => {
  it('underlines misspellings (not names from the catalog, slugs, code or URLs) and fixes one with the catalog’s spelling', async () => {
    await newStory(page());
    await page().keyboard.type('Spelling check');
    await page().keyboard.press('Enter');
    await page().keyboard.type('Karpaty said the wrold was ready, as {{entity:andrej-karpathy|Karpathy}} and the European Union agreed. ');
    await page().keyboard.type('See `qzxwvt` and https://example.org/qzxwvu for the reciept.');
    await expect.poll(misspelt, { timeout: 15_000 }).toEqual(['Karpaty', 'wrold', 'reciept']);

    // The tooltip offers the catalog's spelling first.
    await page().locator('.cm-misspelled', { hasText: 'Karpaty' }).hover();
    const tip = page().locator('.cm-tooltip-lint');
    await tip.waitFor();
    const actions = await tip.locator('.cm-diagnosticAction').allInnerTexts();
    expect(actions[0]).toBe('Karpathy');
    expect(actions).toContain('Add to dictionary');
    await page().screenshot({ path: join(results, 'writing-spelling-1280x720-light.png') });
    await page().keyboard.press('Control+Alt+2');
    await expect.poll(() => page().evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    await page().locator('.cm-misspelled', { hasText: 'wrold' }).hover();
    await page().locator('.cm-misspelled', { hasText: 'Karpaty' }).hover();
    await tip.waitFor();
    await page().screenshot({ path: join(results, 'writing-spelling-1280x720-dark.png') });
    await page().keyboard.press('Control+Alt+1');

    // Ctrl+. in the word takes the first suggestion.
    await page().locator('.cm-misspelled', { hasText: 'Karpaty' }).click();
    await page().keyboard.press('Control+.');
    await expect.poll(() => editorText(page())).toContain('\nKarpathy said the wrold');
    // Smart punctuation, on by default: curly quotes and a dash in prose, never in code or a reference.
    await page().keyboard.press('Control+End');
    await page().keyboard.type(' She said "it\'s done" -- then `a "b"` and {{entity:eu|"EU"}}.');
    await expect.poll(() => editorText(page())).toContain(' She said \u201cit\u2019s done\u201d \u2014 then `a "b"` and {{entity:eu|"EU"}}.');
    await expect.poll(misspelt, { timeout: 10_000 }).toEqual(['wrold', 'reciept']);
    await saved(page());
  });

  it('keeps "add to dictionary" in the settings, and a word removed there is underlined again', async () => {
    await newStory(page());
    await page().keyboard.type('Dictionary words');
    await page().keyboard.press('Enter');
    await page().keyboard.type('Our stringer filed from Zyxtown today.');
    await expect.poll(misspelt, { timeout: 15_000 }).toEqual(['Zyxtown']);
    await page().locator('.cm-misspelled', { hasText: 'Zyxtown' }).hover();
    await page().locator('.cm-tooltip-lint .cm-diagnosticAction', { hasText: 'Add to dictionary' }).click();
    await expect.poll(misspelt, { timeout: 10_000 }).toEqual([]);

    await page().keyboard.press('Control+,');
    const dialog = page().getByTestId('settings-dialog');
    await dialog.getByRole('list', { name: 'Added to the dictionary' }).getByText('Zyxtown').waitFor();
    await dialog.getByRole('button', { name: 'Remove Zyxtown from the dictionary' }).click();
    await dialog.getByRole('button', { name: 'Save', exact: true }).click();
    await expect.poll(() => page().locator('dialog[open]').count()).toBe(0);
    expect(await page().evaluate(() => window.studio!.getSettings({}).then((s) => s.dictionary))).toEqual([]);
    await expect.poll(misspelt, { timeout: 10_000 }).toEqual(['Zyxtown']);
    await page().locator('.cm-content').click();
    await page().keyboard.press('End');
    await page().keyboard.type(' Zyxtown again.');
    await expect.poll(misspelt, { timeout: 10_000 }).toEqual(['Zyxtown', 'Zyxtown']);
  });

  it('right-click on a misspelt word in the browser host opens the studio’s own menu: a suggestion by keyboard, "Add to dictionary" by mouse', async () => {
    await newStory(page());
    await page().keyboard.type('Menu of suggestions');
    await page().keyboard.press('Enter');
    await page().keyboard.type('The wrold met Qwzrtown today.');
    await expect.poll(misspelt, { timeout: 15_000 }).toEqual(['wrold', 'Qwzrtown']);
    const menu = page().getByTestId('context-menu');
    // A word spelt right keeps the browser's own menu.
    await page()
      .locator('.cm-line', { hasText: 'met' })
      .click({ button: 'right', position: { x: 4, y: 8 } });
    expect(await menu.count()).toBe(0);

    await page().locator('.cm-misspelled', { hasText: 'wrold' }).click({ button: 'right' });
    await expect.poll(() => menu.getAttribute('aria-label')).toBe('Spelling of “wrold”');
    const items = await menu.getByRole('menuitem').allInnerTexts();
    expect(items).toContain('world');
    expect(items.at(-1)).toBe('Add to dictionary');
    await page().screenshot({ path: join(results, 'writing-spelling-menu-1280x720-light.png') });
    // In the dark theme too (switched by its key, with the menu closed and opened again).
    await page().keyboard.press('Escape');
    await page().keyboard.press('Control+Alt+2');
    await expect.poll(() => page().evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    await page().locator('.cm-misspelled', { hasText: 'wrold' }).click({ button: 'right' });
    await menu.waitFor();
    await page().screenshot({ path: join(results, 'writing-spelling-menu-1280x720-dark.png') });
    await page().keyboard.press('Escape');
    await page().setViewportSize({ width: 800, height: 600 });
    await page().locator('.cm-misspelled', { hasText: 'wrold' }).click({ button: 'right' });
    await menu.waitFor();
    await page().screenshot({ path: join(results, 'writing-spelling-menu-800x600-dark.png') });
    await page().keyboard.press('Escape');
    await page().setViewportSize({ width: 1280, height: 720 });
    await page().keyboard.press('Control+Alt+1');
    await expect.poll(() => page().evaluate(() => document.documentElement.dataset.theme)).toBe('light');
    await page().locator('.cm-misspelled', { hasText: 'wrold' }).click({ button: 'right' });
    await menu.waitFor();
    // The keyboard starts on the first item; Down and Up move, Enter chooses.
    const target = items.indexOf('world');
    for (let i = 0; i < target; i++) await page().keyboard.press('ArrowDown');
    await expect.poll(() => page().evaluate(() => document.activeElement?.textContent)).toBe('world');
    await page().keyboard.press('Enter');
    await expect.poll(() => editorText(page())).toContain('\nThe world met Qwzrtown today.');
    expect(await menu.count()).toBe(0);
    // The caret is back in the story, after the word put right: typing goes on there.
    await page().keyboard.type(',');
    await expect.poll(() => editorText(page())).toContain('\nThe world, met Qwzrtown today.');

    await page().locator('.cm-misspelled', { hasText: 'Qwzrtown' }).click({ button: 'right' });
    await menu.getByRole('menuitem', { name: 'Add to dictionary' }).click();
    await expect.poll(misspelt, { timeout: 10_000 }).toEqual([]);
    expect(await page().evaluate(() => window.studio!.getSettings({}).then((s) => s.dictionary))).toContain('Qwzrtown');
    // Escape closes the menu without a change.
    await page().keyboard.type(' Zqxvown.');
    await expect.poll(misspelt, { timeout: 10_000 }).toEqual(['Zqxvown']);
    const before = await editorText(page());
    await page().locator('.cm-misspelled', { hasText: 'Zqxvown' }).click({ button: 'right' });
    await menu.waitFor();
    await page().keyboard.press('Escape');
    expect(await menu.count()).toBe(0);
    expect(await editorText(page())).toBe(before);
    await saved(page());
  });

  it('right-click on a misspelt word asks the host for a menu of the studio’s suggestions (Electron’s), and applies the choice', async () => {
    // Electron's preload and main process, stood in for: the page's API gains the two methods the
    // preload adds; the request is recorded, and the choice is what the native menu would send.
    // (The native menu itself is main-process code, unit-tested against a fake electron.)
    await page().addInitScript(() => {
      type Fake = { showSpellingMenu(m: unknown): Promise<void>; onSpellingChoice(l: (c: unknown) => void): () => void };
      const w = window as unknown as { __menus: unknown[]; __choose?: (c: unknown) => void; __studio?: unknown };
      w.__menus = [];
      Object.defineProperty(window, 'studio', {
        configurable: true,
        get: () => w.__studio,
        set: (api: Fake) => {
          api.showSpellingMenu = async (m) => void w.__menus.push(m);
          api.onSpellingChoice = (l) => ((w.__choose = l), () => (w.__choose = undefined));
          w.__studio = api;
        },
      });
    });
    await page().reload();
    await page().locator('.story-list .story-item').first().waitFor();
    await newStory(page());
    await page().keyboard.type('Context menu');
    await page().keyboard.press('Enter');
    await page().keyboard.type('Karpaty filed the story from Brussels.');
    await expect.poll(misspelt, { timeout: 15_000 }).toEqual(['Karpaty']);
    const menus = () => page().evaluate(() => (window as unknown as { __menus: Array<{ word: string; suggestions: string[] }> }).__menus);
    // A right-click on a word spelt right leaves the menu to the host (none asked for).
    const story = await page()
      .locator('.cm-line', { hasText: 'filed the story' })
      .evaluate((line) => {
        const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
        for (let n = walker.nextNode(); n; n = walker.nextNode()) {
          const i = n.textContent!.indexOf('story');
          if (i < 0) continue;
          const r = document.createRange();
          r.setStart(n, i + 1);
          r.setEnd(n, i + 4);
          const b = r.getBoundingClientRect();
          return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
        }
        throw new Error('no "story" in the line');
      });
    await page().mouse.click(story.x, story.y, { button: 'right' });
    await page().locator('.cm-misspelled', { hasText: 'Karpaty' }).click({ button: 'right' });
    await expect.poll(menus).toHaveLength(1);
    const [menu] = await menus();
    expect(menu!.word).toBe('Karpaty');
    expect(menu!.suggestions[0]).toBe('Karpathy');
    await page().evaluate(() => (window as unknown as { __choose: (c: unknown) => void }).__choose({ word: 'Karpaty', replace: 'Karpathy' }));
    await expect.poll(() => editorText(page())).toContain('\nKarpathy filed the story from Brussels.');
    await expect.poll(misspelt, { timeout: 10_000 }).toEqual([]);
    await saved(page());
  });
});
