/**
 * Review notes from the keyboard alone (issue 14): Ctrl+Alt+M on a sentence selected with
 * Shift+arrows, F7 / Shift+F7 from note to note, Ctrl+Alt+Shift+M for the panel, a note whose text
 * was deleted listed as detached. One studio (a browser host over its own library); each test writes
 * its own story.
 */
import { describe, expect, it } from 'vitest';
import { editorText, focused, hasChromium, newStory, saved, studioForSuite } from './writing-harness.js';

const { page } = studioForSuite();
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

/** Selects `text`, which ends the caret's line, with Shift+ArrowLeft from the line's end. */
async function selectLineEnd(text: string): Promise<void> {
  await page().keyboard.press('End');
  for (let i = 0; i < text.length; i++) await page().keyboard.press('Shift+ArrowLeft');
  await expect.poll(selected).toBe(text);
}

/** Ctrl+Alt+M on the selection, the note typed, and sent with the key the form names. */
async function addNote(body: string): Promise<void> {
  await page().keyboard.press('Control+Alt+m');
  const field = panel().getByRole('textbox', { name: 'New note' });
  await expect.poll(() => field.evaluate((el) => el === document.activeElement)).toBe(true);
  await expect.poll(() => panel().locator('.note-new').textContent()).toContain('Enter sends');
  await page().keyboard.type(body);
  await page().keyboard.press('Enter');
  await expect.poll(() => panel().locator('.note-body').allTextContents()).toContainEqual(expect.stringContaining(body));
}

describe.skipIf(!hasChromium)('review notes from the keyboard (issue 14)', () => {
  it('Ctrl+Alt+M on a sentence selected with Shift+arrows: the note is on that sentence, in the panel, and typing goes on after it', async () => {
    const sentence = 'The minister denied the report on Tuesday.';
    await writeStory('Heron survey', ['Herons returned to the marsh.', `Officials met in the capital. ${sentence}`, 'Aides declined to comment.']);
    await page().keyboard.press('ArrowUp');
    await page().keyboard.press('ArrowUp');
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
    await saved(page());
  });
});
