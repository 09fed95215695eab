// Issue 10, "the writing surface": writing mode by default, the front matter folded behind the form.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { editorText, focused, hasChromium, newStory, results, saved, studioForSuite } from './writing-harness.js';

const { page } = studioForSuite();

const lines = () => page().locator('.cm-line').allInnerTexts();

describe.skipIf(!hasChromium)('the writing surface (issue 10)', () => {
  it('writes in a proportional face on a centred measure, without line numbers, the YAML folded away', async () => {
    await newStory(page());
    await page().keyboard.type('A quiet morning at the docks');
    await page().keyboard.press('Enter');
    await page().keyboard.type('The **harbor** was calm, and {{entity:eu}} officials watched. ');
    await saved(page());

    // Title and body; no YAML line on the screen, though the text keeps it.
    expect((await lines()).some((l) => /^(---|title:|status:)/.test(l))).toBe(false);
    await page().locator('.cm-front-matter-fold button').waitFor();
    expect(await editorText(page())).toMatch(/^---\ntitle: "?A quiet morning at the docks"?\nstatus: draft\n---\n/);
    expect(await page().locator('.cm-lineNumbers').count()).toBe(0);
    // No margin at all (a story without open notes has no notes margin either).
    expect(await page().locator('.cm-gutters').count()).toBe(0);

    const measure = () =>
      page().evaluate(() => {
        const content = document.querySelector('.cm-content') as HTMLElement;
        const scroller = document.querySelector('.cm-scroller') as HTMLElement;
        const s = getComputedStyle(content);
        const c = content.getBoundingClientRect();
        const p = scroller.getBoundingClientRect();
        return {
          font: getComputedStyle(scroller).fontFamily,
          size: parseFloat(s.fontSize),
          lineHeight: parseFloat(getComputedStyle(document.querySelector('.cm-line')!).lineHeight),
          width: c.width,
          left: c.left - p.left,
          right: p.right - c.right,
        };
      });
    // Measured once the layout has settled (fonts loaded, panes sized): a measure taken while the
    // panes are still being laid out on a loaded machine is off by the part not yet settled.
    await page().evaluate(() => document.fonts.ready.then(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))));
    await expect
      .poll(
        async () => {
          const m = await measure();
          return Math.abs(m.left - m.right);
        },
        { timeout: 3000 },
      )
      .toBeLessThan(4);
    const look = await measure();
    expect(look.font).not.toMatch(/mono/i);
    expect(look.font).toMatch(/serif/);
    expect(look.lineHeight / look.size).toBeGreaterThanOrEqual(1.6);
    expect(Math.abs(look.left - look.right)).toBeLessThan(4);
    // Markdown marks and references are still highlighted.
    await page().locator('.cm-ref', { hasText: '{{entity:eu}}' }).waitFor();
    expect(
      await page()
        .locator('.cm-line span', { hasText: 'harbor' })
        .evaluate((el) => getComputedStyle(el).fontWeight),
    ).toBe('700');
    await page().screenshot({ path: join(results, 'writing-mode-1280x720-light.png') });
    await page().keyboard.press('Control+Alt+2');
    await expect.poll(() => page().evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    await page().screenshot({ path: join(results, 'writing-mode-1280x720-dark.png') });
    await page().setViewportSize({ width: 800, height: 600 });
    await page().screenshot({ path: join(results, 'writing-mode-800x600-dark.png') });
    await page().keyboard.press('Control+Alt+1');
    await expect.poll(() => page().evaluate(() => document.documentElement.dataset.theme)).toBe('light');
    await page().screenshot({ path: join(results, 'writing-mode-800x600-light.png') });
    await page().setViewportSize({ width: 1280, height: 720 });
  });

  it('keeps typing out of the folded front matter, shows it on request, and the form stays the place to edit it', async () => {
    await newStory(page());
    await page().keyboard.type('Folded header');
    await page().keyboard.press('Enter');
    await page().keyboard.type('Body.');
    // Ctrl+Home and Backspace cannot reach the YAML.
    await page().keyboard.press('Control+Home');
    await page().keyboard.type('Start: ');
    await page().keyboard.press('Control+Home');
    await page().keyboard.press('Backspace');
    await page().keyboard.press('Backspace');
    await expect.poll(() => editorText(page())).toMatch(/^---\ntitle: "?Folded header"?\nstatus: draft\n---\n\nStart: Body\.\s*$/);

    // The form edits it, folded.
    const title = page().getByRole('textbox', { name: 'Title', exact: true });
    await title.click();
    await page().keyboard.press('End');
    await page().keyboard.type(' (updated)');
    await expect.poll(() => editorText(page())).toMatch(/^---\ntitle: "?Folded header \(updated\)"?\n/);

    // Shown on request (the command's key), then hidden again.
    await page().locator('.cm-content').click();
    await page().keyboard.press('Control+Alt+y');
    await expect.poll(lines).toEqual(expect.arrayContaining(['---', 'status: draft']));
    await page().keyboard.press('Control+Alt+y');
    await expect.poll(async () => (await lines()).includes('---')).toBe(false);
    // ...or from the fold's own button.
    await page().locator('.cm-front-matter-fold button').click();
    await expect.poll(lines).toEqual(expect.arrayContaining(['---', 'status: draft']));
    await page().keyboard.press('Control+Alt+y');
    await saved(page());
  });

  it('continues a list on Enter and ends it on an empty item, as a Markdown editor does', async () => {
    await newStory(page());
    await page().keyboard.type('Lists');
    await page().keyboard.press('Enter');
    await page().keyboard.type('Three ports reopened:');
    await page().keyboard.press('Enter');
    await page().keyboard.press('Enter');
    await page().keyboard.type('- Rotterdam');
    await page().keyboard.press('Enter');
    await page().keyboard.type('Hamburg');
    await page().keyboard.press('Enter');
    // Enter on the empty item ends the list, a second one starts a paragraph; Backspace at a new
    // item's start takes its marker away (the line stays in the item).
    await page().keyboard.press('Enter');
    await page().keyboard.press('Enter');
    await page().keyboard.type('Two did not:');
    await page().keyboard.press('Enter');
    await page().keyboard.press('Enter');
    await page().keyboard.type('1. Antwerp');
    await page().keyboard.press('Enter');
    await page().keyboard.press('Backspace');
    await page().keyboard.type('and Gdansk.');
    await expect
      .poll(() => editorText(page()))
      .toMatch(/\n\nThree ports reopened:\n\n- Rotterdam\n- Hamburg\n\nTwo did not:\n\n1\. Antwerp\n {3}and Gdansk\.\s*$/);
    await saved(page());
  });

  it('brings line numbers back from the settings', async () => {
    await newStory(page());
    await page().keyboard.type('Numbered');
    await page().keyboard.press('Control+,');
    await expect.poll(() => focused(page())).toMatch(/^input:/);
    await page().getByRole('checkbox', { name: 'Line numbers and the problems gutter' }).click();
    await page().getByRole('button', { name: 'Save', exact: true }).click();
    await expect.poll(() => page().locator('dialog[open]').count()).toBe(0);
    await page().locator('.cm-lineNumbers').waitFor();
    // And off again.
    await page().keyboard.press('Control+,');
    await page().getByRole('checkbox', { name: 'Line numbers and the problems gutter' }).click();
    await page().getByRole('button', { name: 'Save', exact: true }).click();
    await expect.poll(() => page().locator('.cm-lineNumbers').count()).toBe(0);
  });
});
