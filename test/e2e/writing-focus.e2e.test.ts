// Issue 10: focus mode, typewriter scrolling, the selection's word count and goal, the readiness summary.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { editorText, focused, hasChromium, newStory, results, saved, studioForSuite } from './writing-harness.js';

const { studio, page } = studioForSuite();

/** Records every text the readiness summary shows, from the page's first frame (`window.readinessSeen`). */
const RECORD_READINESS = `window.readinessSeen = [];
new MutationObserver(() => {
  const text = document.querySelector('[data-testid=readiness]')?.textContent ?? null;
  const seen = window.readinessSeen;
  if (text !== null && seen[seen.length - 1] !== text) seen.push(text);
}).observe(document, { subtree: true, childList: true, characterData: true });`;
const readinessSeen = () => page().evaluate(() => (window as unknown as { readinessSeen: string[] }).readinessSeen);
const visible = (selector: string) =>
  page()
    .locator(selector)
    .evaluateAll((els) => els.filter((e) => (e as HTMLElement).offsetParent !== null).length);

describe.skipIf(!hasChromium)('focus, typewriter, counts and readiness (issue 10)', () => {
  it('focus mode hides everything but the editor and emphasises the current paragraph', async () => {
    await newStory(page());
    await page().keyboard.type('Focus test');
    await page().keyboard.press('Enter');
    await page().keyboard.type('First paragraph, dimmed later.');
    await page().keyboard.press('Enter');
    await page().keyboard.press('Enter');
    await page().keyboard.type('Second paragraph, the one being written.');
    await page().keyboard.press('Control+Alt+f');
    await expect.poll(() => visible('.library, .preview, .menubar, .status-bar, .meta-form')).toBe(0);
    const dimmed = page().locator('.cm-line.cm-dimmed');
    await expect.poll(() => dimmed.allInnerTexts()).toContain('First paragraph, dimmed later.');
    expect(await page().locator('.cm-line:not(.cm-dimmed)', { hasText: 'Second paragraph' }).count()).toBe(1);
    // Typing goes on, in the story.
    await page().keyboard.type(' More.');
    await expect.poll(() => editorText(page())).toContain('the one being written. More.');
    await page().screenshot({ path: join(results, 'writing-focus-1280x720-light.png') });
    await page().keyboard.press('Control+Alt+2');
    await expect.poll(() => page().evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    await page().screenshot({ path: join(results, 'writing-focus-1280x720-dark.png') });
    await page().setViewportSize({ width: 800, height: 600 });
    await page().screenshot({ path: join(results, 'writing-focus-800x600-dark.png') });
    await page().keyboard.press('Control+Alt+1');
    await page().screenshot({ path: join(results, 'writing-focus-800x600-light.png') });
    await page().setViewportSize({ width: 1280, height: 720 });
    // The way out is on the screen too.
    await page()
      .getByRole('button', { name: /^Exit focus mode/ })
      .click();
    await expect.poll(() => visible('.library, .preview, .status-bar, .meta-form')).toBe(4);
    expect(await dimmed.count()).toBe(0);
    await saved(page());
  });

  it('typewriter scrolling keeps the caret in the middle of the pane', async () => {
    await newStory(page());
    await page().keyboard.type('Typewriter');
    await page().keyboard.press('Enter');
    await page().keyboard.press('Control+Alt+j');
    for (let i = 1; i <= 30; i++) {
      await page().keyboard.type(`Line ${i}.`);
      await page().keyboard.press('Enter');
    }
    const where = await page().evaluate(() => {
      const cursor = document.querySelector('.cm-cursor, .cm-cursor-primary') as HTMLElement | null;
      const scroller = (document.querySelector('.cm-scroller') as HTMLElement).getBoundingClientRect();
      const r = (cursor ?? (document.querySelector('.cm-activeLine') as HTMLElement)).getBoundingClientRect();
      return (r.top + r.height / 2 - scroller.top) / scroller.height;
    });
    expect(where).toBeGreaterThan(0.35);
    expect(where).toBeLessThan(0.65);
    await page().keyboard.press('Control+Alt+j');
    await saved(page());
  });

  it('counts the selection’s words beside the story’s, with the goal, and sums up readiness', async () => {
    await newStory(page());
    await page().keyboard.type('Counting');
    await page().keyboard.press('Enter');
    await page().keyboard.type('One two three four five six seven.');
    await expect.poll(() => page().getByTestId('word-count').textContent()).toMatch(/^7 words/);
    // From the end: the full stop, then seven, six and five.
    for (let i = 0; i < 4; i++) await page().keyboard.press('Control+Shift+ArrowLeft');
    await expect.poll(() => page().getByTestId('word-count').textContent()).toMatch(/^3 of 7 words/);
    await page().keyboard.press('End');

    await page().keyboard.press('Control+,');
    await page().getByRole('spinbutton', { name: 'Word goal (0: none)' }).click({ clickCount: 3 });
    await page().keyboard.type('500');
    await page().getByRole('button', { name: 'Save', exact: true }).click();
    await expect.poll(() => page().getByTestId('word-count').textContent()).toMatch(/^7 \/ 500 words/);

    // An unknown entity is an error: the summary says so, and opens the list of problems.
    await page().keyboard.type(' Ask {{entity:');
    await page().keyboard.press('Escape');
    await page().keyboard.type('nobody-we-know}} today.');
    const readiness = page().getByTestId('readiness');
    // The reference is marked first; the summary follows after a pause in typing.
    await expect.poll(() => page().locator('.cm-lintRange-error', { hasText: 'nobody-we-know' }).count(), { timeout: 10_000 }).toBeGreaterThan(0);
    const errorsShown = async () => Number(/(\d+) error/.exec((await readiness.textContent()) ?? '')?.[1] ?? 0);
    await expect.poll(errorsShown, { timeout: 5000 }).toBeGreaterThanOrEqual(1);
    expect(await readiness.textContent()).toMatch(/^\d+ errors?( · \d+ warnings?)?$/);
    await readiness.click();
    await page().locator('.cm-panel-lint').waitFor();
    // The summary and the list it opens count the same errors.
    await expect.poll(async () => (await page().locator('.cm-panel-lint li.cm-diagnostic-error').count()) - (await errorsShown()), { timeout: 5000 }).toBe(0);
    expect(await page().locator('.cm-panel-lint li.cm-diagnostic-error', { hasText: 'nobody-we-know' }).count()).toBe(1);
    await page().keyboard.press('Escape');
    await saved(page());
  });

  it('says "checking…", never "ready" nor the last story’s counts, until the story just opened is linted', async () => {
    await newStory(page());
    await page().keyboard.type('Readiness at a restart');
    await page().keyboard.press('Enter');
    // No beat chosen: one error, which the summary must never hide behind a "ready".
    await page().keyboard.type('One paragraph, and no beat chosen.');
    await expect.poll(() => page().getByTestId('readiness').textContent(), { timeout: 5000 }).toBe('1 error');
    await saved(page());

    studio().initScripts.push(RECORD_READINESS);
    await studio().restart();
    // A key typed (and taken back) as soon as the story is there: still no "ready" before its lint.
    await expect.poll(() => focused(page())).toBe('editor');
    await page().keyboard.type('X');
    await page().keyboard.press('Backspace');
    await expect.poll(() => page().getByTestId('readiness').textContent(), { timeout: 5000 }).toBe('1 error');
    expect(await readinessSeen()).toEqual(['checking…', '1 error']);

    // Another story opened with the mouse: its own counts come after a "checking…", not ours. The
    // bar's parts stay the same nodes meanwhile (the live region that reads "Saved at…" among them).
    // The record starts from what the summary says now (this story's "1 error").
    await page().evaluate(() => ((window as unknown as { readinessSeen: string[] }).readinessSeen = ['1 error']));
    await page().evaluate(() => document.querySelectorAll<HTMLElement>('.status-bar > *').forEach((el, i) => (el.dataset.part = String(i))));
    const parts = () => page().evaluate(() => [...document.querySelectorAll<HTMLElement>('.status-bar > *')].map((el) => `${el.dataset.part}:${el.tagName}`));
    const partsBefore = await parts();
    await page().locator('.story-list .story-item', { hasText: 'Warehouse Robots' }).click();
    await expect.poll(() => editorText(page())).toContain('title: Warehouse Robots');
    await expect.poll(async () => (await readinessSeen()).length, { timeout: 5000 }).toBe(3);
    // Never "ready" meanwhile: on a slow machine the first lint's answer (held for spelling's, the
    // dictionary loading cold) was dropped for the X, and the Backspace made the bar count nothing.
    const [before, first, counts] = await readinessSeen();
    expect([before, first]).toEqual(['1 error', 'checking…']);
    expect(counts).toMatch(/^(ready|\d+ errors?( · \d+ warnings?)?|\d+ warnings?)$/);
    expect(await parts()).toEqual(partsBefore);
  });
});
