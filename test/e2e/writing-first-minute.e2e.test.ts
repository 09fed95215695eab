// Issue 10, "what a new user met": the first minute with the studio, typed as a person types.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { editorText, focused, hasChromium, newStory, results, saved, studioForSuite } from './writing-harness.js';

const { studio, page } = studioForSuite();

const body = async () => {
  const text = await editorText(page());
  return text.slice(text.indexOf('\n---\n', 3) + 5).replace(/^\n+/, '');
};
/** The caret's offset in the editor's text. */
const caret = () =>
  page().evaluate(() => {
    const content = document.querySelector('.cm-content') as HTMLElement & {
      cmTile?: { root?: { view?: { state: { selection: { main: { head: number } } } } } };
    };
    return content.cmTile!.root!.view!.state.selection.main.head;
  });

describe.skipIf(!hasChromium)('the first minute (issue 10, items 1-6)', () => {
  it('#1 a new story puts the caret in the title; Enter goes on to the body; the front matter stays whole', async () => {
    await newStory(page());
    await page().keyboard.type('My headline');
    await page().keyboard.press('Enter');
    await page().keyboard.type('The first line of the story.');
    await expect.poll(() => editorText(page())).toMatch(/^---\ntitle: "?My headline"?\n(.*\n)*---\n\nThe first line of the story\.\s*$/);
    expect(await editorText(page())).not.toContain('My headline---');
    await expect.poll(() => page().getByRole('textbox', { name: 'Title', exact: true }).inputValue()).toBe('My headline');
    await saved(page());

    // The same from the keyboard: Ctrl+Alt+N, wherever the focus was.
    await page().keyboard.press('Control+Alt+n');
    await expect.poll(() => page().getByRole('textbox', { name: 'Title', exact: true }).inputValue()).toBe('Untitled story');
    await expect.poll(() => focused(page())).toBe('input:Title');
    await page().keyboard.type('Second headline');
    await page().keyboard.press('Enter');
    await page().keyboard.type('Body two.');
    await expect.poll(() => editorText(page())).toMatch(/^---\ntitle: "?Second headline"?\n(.*\n)*---\n\nBody two\.\s*$/);
    await expect.poll(() => page().locator('.story-list li.selected').textContent()).toContain('Second headline');
  });

  it('#1 typing straight after Ctrl+Alt+N, before the new story is there, loses no letter: the title, then after Enter the body', async () => {
    // No wait between the shortcut and the letters: a person does not wait for the field.
    await page().keyboard.press('Control+Alt+n');
    await page().keyboard.type('Ferry delays on the north line');
    await page().keyboard.press('Enter');
    await page().keyboard.type('The ferry ran late all week.');
    await expect.poll(() => page().getByRole('textbox', { name: 'Title', exact: true }).inputValue()).toBe('Ferry delays on the north line');
    // The whole title shows in its field at 1280×720 with three panes (it was cut to "Ferry delays on the").
    const title = page().getByRole('textbox', { name: 'Title', exact: true });
    expect(await title.evaluate((e) => e.scrollWidth <= e.clientWidth)).toBe(true);
    await expect.poll(() => body()).toMatch(/^The ferry ran late all week\.\s*$/);
    await expect.poll(() => focused(page())).toBe('editor');
    await saved(page());
    await expect.poll(() => page().locator('.story-list li.selected').textContent()).toContain('Ferry delays on the north line');
    // And typing goes on where the caret is.
    await page().keyboard.type(' Tickets cost twice as much.');
    await expect.poll(() => body()).toMatch(/^The ferry ran late all week\. Tickets cost twice as much\.\s*$/);
  });

  it('#2 the palette, settings and shortcuts open on their first field; "dark" + Enter switches the theme', async () => {
    await page().keyboard.press('Control+Shift+P');
    await expect.poll(() => focused(page())).toBe('input:Command');
    await page().keyboard.type('dark');
    await page().keyboard.press('Enter');
    await expect.poll(() => page().evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    await expect.poll(() => page().locator('dialog[open]').count()).toBe(0);

    await page().keyboard.press('Control+,');
    await expect.poll(() => focused(page())).toMatch(/^input:/);
    expect(await page().evaluate(() => (document.activeElement as HTMLInputElement).name)).toBe('site');
    await page().keyboard.press('Escape');

    await page().keyboard.press('F1');
    await expect.poll(() => focused(page())).toBe('input:Find a shortcut');
    await page().keyboard.type('bold');
    const rows = page().getByTestId('shortcuts-dialog').locator('tbody tr');
    await expect.poll(() => rows.allTextContents()).toEqual(['Bold (**…**)Ctrl+B']);
    await page().keyboard.press('Escape');
    await page().keyboard.press('Control+Alt+1');
    await expect.poll(() => page().evaluate(() => document.documentElement.dataset.theme)).toBe('light');
  });

  it('#3 accepting a reference completion leaves the caret after the closing braces, with no extra braces', async () => {
    await newStory(page());
    await page().keyboard.press('Enter');
    await page().keyboard.type('The {{');
    const popup = page().locator('.cm-tooltip-autocomplete');
    await popup.locator('li', { hasText: 'entity:' }).waitFor();
    await page().keyboard.type('ent');
    await page().keyboard.press('Enter');
    await expect.poll(body).toMatch(/^The \{\{entity:(\}\})?\s*$/);
    await page().keyboard.type('eu');
    const option = popup.locator('li').first();
    await expect.poll(() => option.textContent()).toMatch(/^European Union/);
    await expect.poll(() => option.getAttribute('aria-selected')).toBe('true');
    await page().keyboard.press('Enter');
    await page().keyboard.type(' said');
    await expect.poll(body).toMatch(/^The \{\{entity:eu\}\} said\s*$/);

    // A label after `|`, then on: still after the braces, none doubled.
    await page().keyboard.type(' with {{entity:eu|');
    await popup.locator('li', { hasText: 'EU' }).first().waitFor();
    await page().keyboard.press('ArrowDown');
    await page().keyboard.press('Enter');
    await page().keyboard.type(' today.');
    await expect.poll(body).toMatch(/^The \{\{entity:eu\}\} said with \{\{entity:eu\|(EU|European Union)\}\} today\.\s*$/);
    expect(await body()).not.toContain('}}}');
    await expect.poll(() => page().getByTestId('preview').locator('a.ref-entity[data-slug="eu"]').count()).toBe(2);
  });

  it('#3 Enter straight after the letters, before the list has caught up, takes the reference too', async () => {
    await newStory(page());
    await page().keyboard.press('Enter');
    // No wait between the letters and Enter: a writer who knows the slug types straight through.
    await page().keyboard.type('Then {{entity:eu');
    await page().keyboard.press('Enter');
    await page().keyboard.type(' said so. And {{ent');
    await page().keyboard.press('Enter');
    await page().keyboard.type('eu');
    await page().keyboard.press('Enter');
    await page().keyboard.type(' agreed.');
    await expect.poll(body).toMatch(/^Then \{\{entity:eu\}\} said so\. And \{\{entity:eu\}\} agreed\.\s*$/);
    // Outside a reference Enter is still a new line.
    await page().keyboard.press('Enter');
    await page().keyboard.type('Next line.');
    await expect.poll(body).toMatch(/agreed\.\nNext line\.\s*$/);
    await expect.poll(() => page().getByTestId('preview').locator('a.ref-entity[data-slug="eu"]').count()).toBe(2);
  });

  it('#4 Ctrl+S saves now and says so; Ctrl+B / Ctrl+I wrap in Markdown emphasis; F10 and Alt reach the menu bar', async () => {
    await newStory(page());
    await page().keyboard.press('Enter');
    await page().keyboard.type('Plain words here');
    await page().keyboard.press('Control+s');
    await expect.poll(() => page().getByTestId('status-notice').textContent()).toMatch(/^Saved at /);
    expect(await page().getByTestId('save-state').textContent()).toBe('Saved');

    for (let i = 0; i < 4; i++) await page().keyboard.press('Shift+ArrowLeft');
    await page().keyboard.press('Control+b');
    await expect.poll(body).toMatch(/^Plain words \*\*here\*\*\s*$/);
    await page().keyboard.press('Control+b');
    await expect.poll(body).toMatch(/^Plain words here\s*$/);
    await page().keyboard.press('End');
    await page().keyboard.type(' and ');
    await page().keyboard.press('Control+i');
    await page().keyboard.type('there');
    await expect.poll(body).toMatch(/^Plain words here and \*there\*\s*$/);
    await saved(page());

    await page().keyboard.press('F10');
    await expect.poll(() => focused(page())).toBe('button:File');
    await page().keyboard.press('ArrowRight');
    await expect.poll(() => focused(page())).toBe('button:Edit');
    await page().keyboard.press('Escape');
    await expect.poll(() => focused(page())).toBe('editor');
    await page().keyboard.press('Alt');
    await expect.poll(() => focused(page())).toBe('button:File');
    await page().keyboard.press('ArrowDown');
    await expect.poll(() => focused(page())).toMatch(/^button:New story/);
    await page().keyboard.press('Escape');
    await page().keyboard.press('Escape');
    await expect.poll(() => focused(page())).toBe('editor');
  });

  it('#5 reopens the last story on start, with its caret and its scroll', async () => {
    await newStory(page());
    await page().keyboard.type('Where was I');
    await page().keyboard.press('Enter');
    for (let i = 1; i <= 30; i++) {
      await page().keyboard.type(`Paragraph ${i}.`);
      await page().keyboard.press('Enter');
      await page().keyboard.press('Enter');
    }
    // Back up to paragraph 21, a few characters in.
    for (let i = 0; i < 20; i++) await page().keyboard.press('ArrowUp');
    await page().keyboard.press('Home');
    for (let i = 0; i < 4; i++) await page().keyboard.press('ArrowRight');
    const at = await caret();
    const text = await editorText(page());
    expect(text.slice(at - 4, at + 10)).toMatch(/^Para/);
    const line = text.slice(text.lastIndexOf('\n', at) + 1, text.indexOf('\n', at));
    await saved(page());
    // Wait for the place to be kept (the settings the host holds), then restart.
    await expect.poll(() => page().evaluate(() => window.studio!.getSettings({}).then((s) => s.lastStory?.head)), { timeout: 5000 }).toBe(at);
    await studio().restart();

    await expect.poll(() => page().getByRole('textbox', { name: 'Title', exact: true }).inputValue()).toBe('Where was I');
    await expect.poll(caret).toBe(at);
    expect(await focused(page())).toBe('editor');
    const shown = await page()
      .locator('.cm-line', { hasText: new RegExp(`^${line.replace('.', '\\.')}$`) })
      .boundingBox();
    const scroller = await page().locator('.cm-scroller').boundingBox();
    expect(shown && scroller && shown.y >= scroller.y && shown.y + shown.height <= scroller.y + scroller.height).toBe(true);
    // Typing goes where the caret was.
    await page().keyboard.type('~');
    await expect.poll(() => editorText(page())).toContain(`${line.slice(0, 4)}~${line.slice(4)}`);
  });

  for (const size of [
    { width: 1280, height: 720 },
    { width: 1024, height: 640 },
    { width: 800, height: 600 },
  ]) {
    it(`#6 at ${size.width}×${size.height} nothing is clipped and the story bar keeps to one line`, async () => {
      await page().setViewportSize(size);
      await page().keyboard.press('Control+Alt+n');
      await expect.poll(() => focused(page())).toBe('input:Title');
      await expect.poll(() => page().getByRole('textbox', { name: 'Title', exact: true }).inputValue()).toBe('Untitled story');
      await page().keyboard.type(`Layout at ${size.width}`);
      await page().keyboard.press('Enter');
      await page().keyboard.type('Some body text for the layout.');
      await saved(page());
      await page().screenshot({ path: join(results, `writing-layout-${size.width}x${size.height}-light.png`) });
      await page().keyboard.press('Control+Alt+2');
      await expect.poll(() => page().evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
      await page().screenshot({ path: join(results, `writing-layout-${size.width}x${size.height}-dark.png`) });
      await page().keyboard.press('Control+Alt+1');
      const clipped = await page().evaluate(() => {
        const out: string[] = [];
        const view = { left: 0, top: 0, right: window.innerWidth, bottom: window.innerHeight };
        for (const el of document.querySelectorAll<HTMLElement>('.app button, .app select, .app input, .app [role=status], .app .story-sync-bar *')) {
          const r = el.getBoundingClientRect();
          if (r.width === 0 && r.height === 0) continue;
          const boxes = [view];
          for (let a = el.parentElement; a; a = a.parentElement) {
            const s = getComputedStyle(a);
            if (s.overflowX !== 'visible' || s.overflowY !== 'visible') boxes.push(a.getBoundingClientRect());
          }
          // A list that scrolls may hide a row below its fold: that is scrolling, not clipping.
          const inList = !!el.closest('.story-list, .cm-editor, .preview-scroll, .palette-list');
          const cut = boxes.some((b) => r.left < b.left - 1 || r.right > b.right + 1 || (!inList && (r.top < b.top - 1 || r.bottom > b.bottom + 1)));
          if (cut) out.push(`${el.tagName.toLowerCase()} "${(el.getAttribute('aria-label') ?? el.textContent ?? '').trim().slice(0, 30)}"`);
        }
        // A line of text cut short at its foot (a squeezed row) is clipped too.
        for (const el of document.querySelectorAll<HTMLElement>('.story-item .title, .story-item .meta')) {
          if (el.scrollHeight > el.clientHeight + 1) out.push(`row text "${(el.textContent ?? '').trim().slice(0, 30)}" cut at its foot`);
        }
        return out;
      });
      expect(clipped).toEqual([]);
      const bar = page().locator('.story-sync');
      // One line: every visible part of the bar centred on the same row.
      const centres = await bar.evaluate((el) =>
        [...el.children]
          .map((c) => c.getBoundingClientRect())
          .filter((r) => r.height > 0)
          .map((r) => r.top + r.height / 2),
      );
      if (size.width >= 1280) expect(Math.max(...centres) - Math.min(...centres)).toBeLessThan(6);
      // Narrow: the editor and one side pane (the preview here), each wide enough to use.
      const panes = await page()
        .locator('.panes > .pane:not([hidden])')
        .evaluateAll((els) => els.map((e) => `${e.getAttribute('aria-label')}:${Math.round(e.getBoundingClientRect().width)}`));
      if (size.width < 1100) expect(panes.map((p) => p.split(':')[0])).toEqual(['Editor', 'Preview']);
      for (const p of panes) expect(Number(p.split(':')[1]), p).toBeGreaterThanOrEqual(220);
      // The library comes back on request, and the preview then yields to it.
      if (size.width < 1100) {
        await page().keyboard.press('Control+Alt+l');
        await expect
          .poll(() =>
            page()
              .locator('.panes > .pane:not([hidden])')
              .evaluateAll((els) => els.map((e) => e.getAttribute('aria-label'))),
          )
          .toEqual(['Library', 'Editor']);
        expect(await page().getByRole('button', { name: 'Preview', exact: true }).getAttribute('aria-pressed')).toBe('false');
        await page().keyboard.press('Control+Alt+p');
        await expect
          .poll(() =>
            page()
              .locator('.panes > .pane:not([hidden])')
              .evaluateAll((els) => els.map((e) => e.getAttribute('aria-label'))),
          )
          .toEqual(['Editor', 'Preview']);
      }
      await page().setViewportSize({ width: 1280, height: 720 });
    });
  }
});
