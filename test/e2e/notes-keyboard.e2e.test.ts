/**
 * Review notes from the keyboard alone (issue 14): Ctrl+Alt+M on a sentence selected with
 * Shift+arrows, F7 / Shift+F7 from note to note, Ctrl+Alt+Shift+M for the panel, a note whose text
 * was deleted listed as detached. One studio (a browser host over its own library); each test writes
 * its own story.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { editorText, focused, hasChromium, newStory, results, saved, studioForSuite } from './writing-harness.js';

const { page, studio } = studioForSuite();
const panel = () => page().getByRole('complementary', { name: 'Review notes' });

/** A new story from the keyboard: its title, Enter, then its paragraphs (blank lines between). */
async function writeStory(title: string, paragraphs: string[]): Promise<void> {
  await newStory(page());
  await page().keyboard.type(title);
  await page().keyboard.press('Enter');
  await expect.poll(() => focused(page())).toBe('editor');
  for (const [i, p] of paragraphs.entries()) {
    if (i > 0) {
      await page().keyboard.press('Enter');
      await page().keyboard.press('Enter');
    }
    await page().keyboard.type(p);
  }
  await expect.poll(() => editorText(page())).toContain(paragraphs.at(-1)!);
}

/** The editor's highlighted note texts, one per note in text order (a note's spans joined). */
const highlights = () =>
  page().evaluate(() => {
    const out = new Map<string, string>();
    for (const el of document.querySelectorAll<HTMLElement>('.cm-content .cm-note')) {
      const id = el.dataset.noteId!;
      out.set(id, (out.get(id) ?? '') + el.textContent);
    }
    return [...out.values()];
  });

/** The button with the keyboard, by its whole text (`focused` shortens it), else what `focused` says. */
const focusedButton = async () =>
  (await page().evaluate(() => (document.activeElement?.tagName === 'BUTTON' ? `button:${document.activeElement.textContent}` : null))) ??
  (await focused(page()));

/** The text the editor has selected now. */
const selected = () =>
  page().evaluate(() => {
    type Tiled = HTMLElement & {
      cmTile?: { root?: { view?: { state: { sliceDoc(a: number, b: number): string; selection: { main: { from: number; to: number } } } } } };
    };
    const view = (document.querySelector('.cm-content') as Tiled).cmTile!.root!.view!;
    const { from, to } = view.state.selection.main;
    return view.state.sliceDoc(from, to);
  });

/** The text of the caret's line. */
const caretLine = () =>
  page().evaluate(() => {
    type Tiled = HTMLElement & {
      cmTile?: { root?: { view?: { state: { doc: { lineAt(p: number): { text: string } }; selection: { main: { head: number } } } } } };
    };
    const view = (document.querySelector('.cm-content') as Tiled).cmTile!.root!.view!;
    return view.state.doc.lineAt(view.state.selection.main.head).text;
  });

/** ArrowUp / ArrowDown until the caret is on the line holding `text` (lines wrap: one key is one row). */
async function arrowTo(key: 'ArrowUp' | 'ArrowDown', text: string): Promise<void> {
  for (let i = 0; i < 20 && !(await caretLine()).includes(text); i++) await page().keyboard.press(key);
  expect(await caretLine()).toContain(text);
}

const atLineEnd = () =>
  page().evaluate(() => {
    type Tiled = HTMLElement & {
      cmTile?: { root?: { view?: { state: { doc: { lineAt(p: number): { to: number } }; selection: { main: { head: number } } } } } };
    };
    const { state } = (document.querySelector('.cm-content') as Tiled).cmTile!.root!.view!;
    return state.selection.main.head === state.doc.lineAt(state.selection.main.head).to;
  });

/** Selects `text`, which ends the caret's line, with Shift+ArrowLeft from the line's end (End goes row by row of a wrapped line). */
async function selectLineEnd(text: string): Promise<void> {
  for (let i = 0; i < 5 && !(await atLineEnd()); i++) await page().keyboard.press('End');
  for (let i = 0; i < text.length; i++) await page().keyboard.press('Shift+ArrowLeft');
  await expect.poll(selected).toBe(text);
}

/** Whether the element with the keyboard lies inside the notes panel's visible part, after two frames. */
const focusedInView = () =>
  page().evaluate(async () => {
    await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
    const at = document.activeElement!.getBoundingClientRect();
    const box = document.querySelector('.notes-panel')!.getBoundingClientRect();
    return at.top >= box.top && at.bottom <= box.bottom;
  });

/** Ctrl+Alt+M on the selection, the note typed, and sent with the key the form names. */
async function addNote(body: string): Promise<void> {
  await page().keyboard.press('Control+Alt+m');
  const field = panel().getByRole('textbox', { name: 'New note' });
  await expect.poll(() => field.evaluate((el) => el === document.activeElement)).toBe(true);
  await expect.poll(() => panel().locator('.note-new').textContent()).toContain('Enter sends');
  await page().keyboard.type(body);
  await page().keyboard.press('Enter');
  await expect.poll(() => panel().locator('.note-body').allTextContents()).toContainEqual(expect.stringContaining(body));
  // On its text from the first moment, even when that text was typed within the autosave's second.
  expect(await panel().locator('.note', { hasText: body }).getAttribute('class')).not.toContain('note-detached');
}

describe.skipIf(!hasChromium)('review notes from the keyboard (issue 14)', () => {
  it('Ctrl+Alt+M on a sentence selected with Shift+arrows: the note is on that sentence, in the panel, and typing goes on after it', async () => {
    const sentence = 'The minister denied the report on Tuesday.';
    await writeStory('Heron survey', ['Herons returned to the marsh.', `Officials met in the capital. ${sentence}`, 'Aides declined to comment.']);
    await arrowTo('ArrowUp', sentence);
    await selectLineEnd(sentence);
    await addNote('Needs a second source.');

    await expect.poll(highlights).toEqual([sentence]);
    const item = panel().locator('.note', { hasText: 'Needs a second source.' });
    expect(await item.locator('.note-quote').textContent()).toBe(`Open “${sentence}”`);
    // The keyboard is back in the story, the caret just after the noted sentence.
    await expect.poll(() => focused(page())).toBe('editor');
    await page().keyboard.type(' He left.');
    await expect.poll(() => editorText(page())).toContain(`${sentence} He left.\n\nAides declined`);
    await expect.poll(highlights).toEqual([sentence]);

    // Escape in the form gives up: back in the story, the selection as it was, no note.
    await selectLineEnd('He left.');
    await page().keyboard.press('Control+Alt+m');
    await expect.poll(() => focused(page())).toBe('textarea:New note');
    await page().keyboard.type('Never mind');
    await page().keyboard.press('Escape');
    await expect.poll(() => focused(page())).toBe('editor');
    expect(await selected()).toBe('He left.');
    expect(await panel().locator('.note').count()).toBe(1);
    await page().keyboard.press('End');
    await saved(page());
  });

  it('F7 goes from note to note in the text, wrapping at the end, Shift+F7 back; the panel marks the current one; F7 without notes says so', async () => {
    const a = 'Herons returned to the marsh.';
    const b = 'The minister denied the report.';
    const c = 'Aides declined to comment.';
    await writeStory('Three notes', [a, `Officials met in the capital. ${b}`, `Nobody else spoke. ${c}`]);
    // F7 before any note: a message, and the caret stays where it was.
    await page().keyboard.press('F7');
    await expect.poll(() => page().getByRole('alert').textContent()).toContain('no notes');
    await expect.poll(() => focused(page())).toBe('editor');
    await page().getByRole('alert').getByRole('button', { name: 'Dismiss' }).click();
    await page().locator('.cm-content').focus();

    // The notes, written from the last paragraph up.
    await selectLineEnd(c);
    await addNote('Who are the aides?');
    await arrowTo('ArrowUp', b);
    await selectLineEnd(b);
    await addNote('Which report?');
    await arrowTo('ArrowUp', a);
    await selectLineEnd(a);
    await addNote('How many herons?');
    await expect.poll(highlights).toEqual([a, b, c]);

    const current = () => panel().locator('.note[aria-current="true"] .note-quote').allTextContents();
    const step = async (key: string, text: string) => {
      await page().keyboard.press(key);
      await expect.poll(selected).toBe(text);
      await expect.poll(current).toEqual([`Open “${text}”`]);
      expect(await page().locator('.cm-note-focused').allTextContents()).toEqual([text]);
      expect(await focused(page())).toBe('editor');
    };
    // From the top of the story: a, b, c, then round to a again; Shift+F7 back round to c, b.
    await page().keyboard.press('Control+Home');
    await expect.poll(caretLine).toBe(a);
    await step('F7', a);
    await step('F7', b);
    await step('F7', c);
    await step('F7', a);
    await step('Shift+F7', c);
    await step('Shift+F7', b);
    // Typing after F7 replaces nothing the writer did not choose: the note's text is selected, as a
    // search hit is; the arrow key leaves it.
    await page().keyboard.press('ArrowRight');
    await page().keyboard.type(' Twice.');
    await expect.poll(() => editorText(page())).toContain(`${b} Twice.`);
    await saved(page());
  });

  it('a note whose sentence is deleted is listed as detached with its quote, after a reopen too; Ctrl+Alt+Shift+M and the keyboard in the panel', async () => {
    const kept = 'The harbour reopened on Friday.';
    const gone = 'The mayor cut the ribbon herself.';
    await writeStory('Harbour', [kept, `Boats queued at dawn. ${gone}`]);
    await selectLineEnd(gone);
    await addNote('Was she there?');
    await arrowTo('ArrowUp', kept);
    await selectLineEnd(kept);
    await addNote('Friday the 3rd?');
    await page().keyboard.press('Control+Alt+Shift+m');
    await expect.poll(() => panel().count()).toBe(0);
    await expect.poll(() => focused(page())).toBe('editor');

    // The writer selects the sentence and deletes it.
    await arrowTo('ArrowDown', gone);
    await selectLineEnd(gone);
    await page().keyboard.press('Backspace');
    await expect.poll(() => editorText(page())).not.toContain(gone);
    expect(await editorText(page())).toContain('Boats queued at dawn. ');
    await expect.poll(highlights).toEqual([kept]);
    await saved(page());

    // The panel, from the keyboard: it opens with the keyboard on its first note; the deleted
    // sentence's note is there, detached, with its quote.
    const check = async (state: 'Open' | 'Resolved') => {
      const detached = panel().getByRole('region', { name: /^Detached/ });
      await expect.poll(() => detached.locator('.note-quote').allTextContents()).toEqual([`Detached “${gone}”`]);
      expect(await detached.locator('.note-body').textContent()).toContain('Was she there?');
      await expect.poll(() => panel().getByRole('region', { name: state }).locator('.note-quote').allTextContents()).toEqual([`${state} “${kept}”`]);
    };
    await page().keyboard.press('Control+Alt+Shift+m');
    await check('Open');
    // (The list read after the save may come just after the panel opened: the keyboard then follows its
    // note to the detached group.)
    await expect.poll(focusedButton).toMatch(/^button:(Open|Detached) “/);
    // Home / End to the first / last note, arrow keys from note to note, the detached one included;
    // Tab to a note's buttons.
    await page().keyboard.press('End');
    await expect.poll(focusedButton).toBe(`button:Detached “${gone}”`);
    await page().keyboard.press('Home');
    await expect.poll(focusedButton).toBe(`button:Open “${kept}”`);
    await page().keyboard.press('ArrowDown');
    await expect.poll(focusedButton).toBe(`button:Detached “${gone}”`);
    await page().keyboard.press('Tab');
    await expect.poll(focusedButton).toBe('button:Reply');
    // A reply given up (Escape) or sent (Enter) gives the keyboard back to the note's Reply button.
    const replyField = panel().getByRole('textbox', { name: /^Reply to / });
    await page().keyboard.press('Enter');
    await expect.poll(() => replyField.evaluate((el) => el === document.activeElement)).toBe(true);
    await page().keyboard.type('Never mind.');
    await page().keyboard.press('Escape');
    await expect.poll(focusedButton).toBe('button:Reply');
    expect(await replyField.count()).toBe(0);
    await page().keyboard.press('Enter');
    await page().keyboard.type('Was this sentence cut on purpose?');
    await page().keyboard.press('Enter');
    await expect.poll(() => panel().locator('.note-reply').allTextContents()).toContainEqual(expect.stringContaining('Was this sentence cut on purpose?'));
    await expect.poll(focusedButton).toBe('button:Reply');
    await page().keyboard.press('ArrowUp');
    await expect.poll(focusedButton).toBe(`button:Open “${kept}”`);
    // Enter on a note's quote shows it in the story.
    await page().keyboard.press('Enter');
    await expect.poll(selected).toBe(kept);
    await expect.poll(() => focused(page())).toBe('editor');
    // Closed and opened again; resolved from the keyboard, the keyboard staying on that note (now
    // under "Resolved") on the button that undoes it.
    await page().keyboard.press('Control+Alt+Shift+m');
    await expect.poll(() => panel().count()).toBe(0);
    await page().keyboard.press('Control+Alt+Shift+m');
    await expect.poll(focusedButton).toBe(`button:Open “${kept}”`);
    await page().keyboard.press('Tab');
    await page().keyboard.press('Tab');
    await expect.poll(focusedButton).toBe('button:Resolve');
    await page().keyboard.press('Enter');
    await check('Resolved');
    await expect.poll(focusedButton).toBe('button:Reopen');
    // Escape in the panel gives the keyboard back to the story, the panel staying open.
    await page().keyboard.press('Escape');
    await expect.poll(() => focused(page())).toBe('editor');
    expect(await panel().count()).toBe(1);

    // Reopened (a restart): still detached, still quoted.
    await studio().restart();
    await expect.poll(() => editorText(page())).toContain('Boats queued at dawn.');
    await page().locator('.cm-content').focus();
    await page().keyboard.press('Control+Alt+Shift+m');
    await check('Resolved');
    await expect.poll(highlights).toEqual([kept]);
    expect(await page().locator('.cm-note-resolved').count()).toBe(1);
  });

  it('the panel with an open, a resolved and a detached note reads well in both themes at 1280×720 and 800×600', async () => {
    const one = 'The ferry ran late all week.';
    const two = 'Tickets cost twice as much.';
    const three = 'The council will meet again in March to decide.';
    await writeStory('Ferry', [one, two, three]);
    await selectLineEnd(three);
    await addNote('Which council? The county or the town? A long note, to see it wrap in the narrow panel.');
    await arrowTo('ArrowUp', two);
    await selectLineEnd(two);
    await addNote('Source for the price?');
    await arrowTo('ArrowUp', one);
    await selectLineEnd(one);
    await addNote('All week, or most days?');
    // The second is resolved from the panel, the third's sentence deleted.
    await page().keyboard.press('Control+Alt+Shift+m');
    await expect.poll(() => panel().count()).toBe(0);
    await page().keyboard.press('Control+Alt+Shift+m');
    await page().keyboard.press('ArrowDown');
    await expect.poll(focusedButton).toBe(`button:Open “${two}”`);
    await page().keyboard.press('Tab');
    await page().keyboard.press('Tab');
    await page().keyboard.press('Enter');
    await expect.poll(focusedButton).toBe('button:Reopen');
    await page().keyboard.press('Escape');
    await arrowTo('ArrowDown', three);
    await selectLineEnd(three);
    await page().keyboard.press('Backspace');
    await saved(page());
    const groups = () => panel().locator('h3').allTextContents();
    await expect.poll(groups).toEqual(['Open (1)', 'Resolved (1)', 'Detached: their text is no longer in the story (1)']);
    // F7 marks the open one in the panel as well.
    await page().keyboard.press('Control+Home');
    await page().keyboard.press('F7');
    await expect.poll(selected).toBe(one);

    const dir = process.env.NOTES_SCREENSHOTS ?? results;
    mkdirSync(dir, { recursive: true });
    for (const [key, theme] of [
      ['Control+Alt+1', 'light'],
      ['Control+Alt+2', 'dark'],
    ] as const) {
      await page().keyboard.press(key);
      await expect.poll(() => page().evaluate(() => document.documentElement.dataset.theme)).toBe(theme);
      for (const [width, height] of [
        [1280, 720],
        [800, 600],
      ] as const) {
        await page().setViewportSize({ width, height });
        // Nothing in the panel wider than the panel (clipped or scrolling sideways).
        await expect.poll(() => panel().evaluate((el) => el.scrollWidth - el.clientWidth)).toBeLessThanOrEqual(0);
        await page().screenshot({ path: join(dir, `notes-panel-${theme}-${width}x${height}.png`) });
        // Scrolled to its last note (End in the panel): the detached one.
        await page().keyboard.press('Control+Alt+Shift+m');
        await page().keyboard.press('Control+Alt+Shift+m');
        await page().keyboard.press('End');
        await expect.poll(focusedButton).toBe(`button:Detached “${three}”`);
        // And on the screen, two frames later too: nothing scrolled the panel back after the key.
        expect(await focusedInView()).toBe(true);
        await page().screenshot({ path: join(dir, `notes-panel-${theme}-${width}x${height}-end.png`) });
        await page().keyboard.press('Escape');
      }
    }
    await page().setViewportSize({ width: 1280, height: 720 });
    await page().keyboard.press('Control+Alt+1');
  });
});
