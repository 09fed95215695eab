// A key typed straight after a shortcut goes where the shortcut put the keyboard, not where the
// keyboard was: the palette's field, the note's field, the library's search box. Nothing here waits
// for the focus to move before it types, as a quick writer does not (docs/decisions.md, Preact).
import { describe, expect, it } from 'vitest';
import { editorText, focused, hasChromium, newStory, saved, studioForSuite } from './writing-harness.js';

const { page } = studioForSuite();
const BODY = 'The council met on Monday.';

/** A new story with one sentence, the caret at its end and the story saved. */
async function storyWithSentence(title: string): Promise<void> {
  await newStory(page());
  await page().keyboard.type(title);
  await page().keyboard.press('Enter');
  await page().keyboard.type(BODY);
  await expect.poll(() => editorText(page())).toContain(BODY);
  await saved(page());
}

describe.skipIf(!hasChromium)('keys typed straight after a shortcut', () => {
  it('go into the palette, the note and the search box, and none into the story', async () => {
    await storyWithSentence('Shortcut keys');

    await page().keyboard.press('Control+Shift+P');
    await page().keyboard.type('toggle prev');
    const command = page().getByTestId('command-palette').getByRole('combobox', { name: 'Command' });
    await expect.poll(() => command.inputValue()).toBe('toggle prev');
    await page().keyboard.press('Escape');
    await expect.poll(() => page().getByTestId('command-palette').count()).toBe(0);

    // The sentence selected from the keyboard, then a note on it typed at once.
    for (let i = 0; i < 'Monday.'.length; i++) await page().keyboard.press('Shift+ArrowLeft');
    await page().keyboard.press('Control+Alt+m');
    await page().keyboard.type('Which Monday?');
    const note = page().getByRole('complementary', { name: 'Review notes' }).getByRole('textbox', { name: 'New note' });
    await expect.poll(() => note.inputValue()).toBe('Which Monday?');
    await page().keyboard.press('Escape');

    await page().keyboard.press('Control+Shift+F');
    await page().keyboard.type('minutes');
    await expect.poll(() => page().getByRole('searchbox', { name: 'Search stories' }).inputValue()).toBe('minutes');

    // The story holds what was typed into it and nothing else.
    const text = await editorText(page());
    expect(text).toContain(BODY);
    for (const stray of ['toggle', 'Which', 'minutes']) expect(text).not.toContain(stray);
  });

  it('after an import from Ctrl+O, closing its report gives the keyboard to the story it opened', async () => {
    await storyWithSentence('Before the import');
    const chooser = page().waitForEvent('filechooser');
    await page().keyboard.press('Control+o');
    await (
      await chooser
    ).setFiles({
      name: 'gulls.md',
      mimeType: 'text/markdown',
      buffer: Buffer.from('---\ntitle: Gulls over the harbour\nstatus: draft\n---\nThe gulls came back in March.\n'),
    });
    await expect.poll(() => page().getByTestId('import-progress').textContent()).toBe('Imported 1 of 1 file');
    await expect.poll(() => editorText(page())).toContain('The gulls came back in March.');
    // The editor that had the keyboard is gone (the imported story replaced it).
    await page().keyboard.press('Escape');
    await expect.poll(() => page().getByTestId('import-dialog').count()).toBe(0);
    await expect.poll(() => focused(page())).toBe('editor');
    await page().keyboard.type('Gulls: ');
    await expect.poll(() => editorText(page())).toContain('Gulls: ');
    expect(await editorText(page())).toContain('title: Gulls over the harbour');
    await saved(page());
  });
});
