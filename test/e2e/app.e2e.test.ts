import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { deriveSlug } from '../../shared/index.js';
import { createHandlers } from '../../electron/services/api-handlers.js';
import { Library } from '../../electron/services/library/index.js';
import { packageRoot, sampleCatalogPath, sampleStoriesDir } from '../../electron/services/paths.js';
import { startHost, type RunningHost } from '../../electron/host/server.js';
import { SAMPLE_NAME, SAMPLE_PATH, sampleTitle } from '../reference-sample.js';
import { editorText as wholeText } from './writing-harness.js';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`[e2e] skipped: ${CHROMIUM} is missing (apt-get install -y chromium)`);

const root = packageRoot();
const results = join(root, 'test-results');
// The reference sample beside this checkout, or our own export with the same four problems.
const sampleFile = () => ({ name: SAMPLE_NAME, mimeType: 'text/plain', buffer: readFileSync(SAMPLE_PATH) });
let dir: string;
let libraryFile: string;
let lib: Library;
let host: RunningHost;
let browser: Browser;
let page: Page;
/** Every script dialog (alert, confirm…) the page opened: there must be none, ever. */
const dialogs: string[] = [];
/** Every request the page sent to an origin other than the host's: there must be none, ever. */
const foreignRequests: string[] = [];
const pageErrors: string[] = [];

/** Every host this file started: a page still on a host that was stopped may still call it (its last place, on pagehide). */
const hostOrigins = new Set<string>();

async function openHost(): Promise<void> {
  lib = Library.open(libraryFile, { seed: { catalogPath: sampleCatalogPath(), storiesDir: sampleStoriesDir() } });
  host = await startHost({ handlers: createHandlers(lib), staticDir: join(root, 'dist/renderer') });
  hostOrigins.add(host.origin);
}

async function closeHost(): Promise<void> {
  await host?.close();
  lib?.close();
}

/** The editor's whole text (the folded front matter included), as CodeMirror holds it. */
const editorText = () => wholeText(page);
const preview = () => page.getByTestId('preview');
const saveState = () => page.getByTestId('save-state').textContent();
const saved = () => expect.poll(saveState, { timeout: 5000 }).toBe('Saved');

/**
 * Makes an edit and waits for its own save: first for the edit to be seen as unsaved (the
 * autosave delay keeps it so for at least 100 ms), then saved. Waiting for "Saved" alone could
 * read the state from before the edit, and two edits would then share one revision.
 */
async function savedAfter(edit: () => Promise<void>): Promise<number> {
  await edit();
  await expect.poll(saveState, { interval: 20 }).not.toBe('Saved');
  const started = Date.now();
  await expect.poll(saveState, { timeout: 5000, interval: 20 }).toBe('Saved');
  return Date.now() - started;
}

/**
 * Types into a field as a person does: click it, select what is there (Ctrl+A) and type over it;
 * an empty `text` clears it (select all, Backspace).
 */
async function typeInto(field: Locator, text: string): Promise<void> {
  await field.click();
  await page.keyboard.press('Control+a');
  if (text === '') await page.keyboard.press('Backspace');
  else await page.keyboard.type(text);
  await expect.poll(() => field.inputValue()).toBe(text);
}

/**
 * Chooses an option of a native <select> as a person does: click it (the list opens), arrow keys to
 * the option, Enter. The arrow count is read from the options, as a person reads the list.
 */
async function choose(select: Locator, value: string): Promise<void> {
  const { values, at } = await select.evaluate((el) => ({
    values: [...(el as HTMLSelectElement).options].map((o) => o.value),
    at: (el as HTMLSelectElement).selectedIndex,
  }));
  const to = values.indexOf(value);
  expect(to, `option ${value} in ${values.join(', ')}`).toBeGreaterThanOrEqual(0);
  await select.click();
  for (let i = at; i !== to; i += to > at ? 1 : -1) await page.keyboard.press(to > at ? 'ArrowDown' : 'ArrowUp');
  await page.keyboard.press('Enter');
  await expect.poll(() => select.inputValue()).toBe(value);
}

/** Opens a story by searching the library for a phrase of it. */
async function openBySearch(query: string, title: RegExp): Promise<void> {
  const box = page.getByRole('searchbox', { name: 'Search stories' });
  await typeInto(box, query);
  await page.locator('.search-hit', { hasText: title }).first().click();
  await expect.poll(() => page.getByRole('textbox', { name: 'Title', exact: true }).inputValue()).toMatch(title);
  await typeInto(box, '');
}

/** The body most tests start from: their own story's, with references to the catalog. */
const ZEBRA_BODY = 'The zebrafinch report quotes {{entity:sam-altman}}';

/**
 * A story of the test's own, made as a person makes one: New story, its front matter shown, the
 * whole text typed over (exactly this text: no line break after it), saved, the front matter
 * folded away again and the caret at the end of the text.
 */
async function newStory(title: string, body: string, front = ''): Promise<void> {
  await page.getByTestId('new-story').click();
  await page.locator('.cm-front-matter-fold').waitFor();
  await expect.poll(() => page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.value)).toBe('Untitled story');
  await page.keyboard.press('Control+Alt+y');
  await expect.poll(() => page.locator('.cm-front-matter-fold').count()).toBe(0);
  await page.locator('.cm-line', { hasText: 'title:' }).first().click();
  await expect.poll(() => page.evaluate(() => !!document.activeElement?.closest('.cm-content'))).toBe(true);
  await page.keyboard.press('Control+a');
  await savedAfter(() => page.keyboard.insertText(`---\ntitle: ${title}\n${front}---\n\n${body}`));
  await page.keyboard.press('Control+Alt+y');
  await page.locator('.cm-front-matter-fold').waitFor();
  await expect.poll(() => page.getByRole('textbox', { name: 'Title', exact: true }).inputValue()).toBe(title);
  await page.locator('.cm-content').click();
  await page.keyboard.press('Control+End');
}

describe.skipIf(!hasChromium)('studio in Chromium (browser host)', () => {
  beforeAll(async () => {
    if (!existsSync(join(root, 'dist/renderer/index.html'))) {
      execFileSync(process.execPath, [join(root, 'scripts/build.mjs'), 'app'], { stdio: 'inherit' });
    }
    mkdirSync(results, { recursive: true });
    dir = mkdtempSync(join(tmpdir(), 'studio-e2e-'));
    libraryFile = join(dir, 'lib.sqlite');
    await openHost();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
    });
    // The smallest screen the studio promises to be usable on.
    page = await browser.newPage({ viewport: { width: 1280, height: 720 }, acceptDownloads: true });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('response', (r) => {
      if (r.status() >= 400) pageErrors.push(`${r.status()} ${r.url()}`);
    });
    page.on('console', (m) => {
      if (m.type() === 'error') pageErrors.push(m.text());
    });
    page.on('dialog', (d) => {
      dialogs.push(`${d.type()}: ${d.message()}`);
      void d.dismiss();
    });
    page.on('request', (r) => {
      const url = new URL(r.url());
      if (url.protocol !== 'blob:' && url.protocol !== 'data:' && !hostOrigins.has(url.origin)) foreignRequests.push(r.url());
    });
    await page.goto(host.url);
    await page.locator('.story-list .story-item').first().waitFor();
    expect(pageErrors).toEqual([]);
  });

  afterAll(async () => {
    if (page) await page.screenshot({ path: join(results, 'app-final.png') }).catch(() => undefined);
    await browser?.close();
    await closeHost();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  // A test that fails half-way must not leave a dialog or review mode in the next one's way.
  afterEach(async () => {
    for (let i = 0; i < 3 && (await page.locator('dialog[open]').count()) > 0; i++) await page.keyboard.press('Escape');
    const close = page.getByRole('button', { name: 'Close review' });
    if (await close.count()) await close.click();
  });

  it('removes the secret from the address bar and lists the seeded stories', async () => {
    expect(page.url()).not.toContain('secret=');
    expect(await page.locator('.story-list li').count()).toBeGreaterThanOrEqual(8);
  });

  it('creates a story, completes an entity reference from the popup and shows the link in the preview', async () => {
    await page.getByTestId('new-story').click();
    const content = page.locator('.cm-content');
    await content.waitFor();
    await content.click();
    await page.keyboard.press('Control+End');
    await page.keyboard.type('The zebrafinch report quotes {{entity:');
    const popup = page.locator('.cm-tooltip-autocomplete');
    await popup.waitFor();
    await page.keyboard.type('altm');
    const option = popup.locator('li', { hasText: 'Sam Altman' }).first();
    await option.waitFor();
    await expect.poll(() => option.getAttribute('aria-selected')).toBe('true');
    await page.keyboard.press('Enter');
    await expect.poll(() => content.textContent()).toContain('{{entity:sam-altman}}');
    const link = preview().locator('a.ref-entity[data-slug="sam-altman"]');
    await link.waitFor();
    expect(await link.textContent()).toBe('Sam Altman');
  });

  it('underlines a lint finding and applies its fix from the keyboard', async () => {
    await newStory('Zebrafinch lint notes', `${ZEBRA_BODY}.`);
    await page.keyboard.insertText(' Later, {{entity:sam-altman|Karpathy}} disagreed.');
    await page.keyboard.press('Escape');
    const warning = page.locator('.cm-lintRange-warning').first();
    await warning.waitFor();
    await warning.click();
    await page.keyboard.press('Control+.');
    const content = page.locator('.cm-content');
    await expect.poll(() => content.textContent()).toContain('{{entity:andrej-karpathy|Karpathy}}');
    await preview().locator('a.ref-entity[data-slug="andrej-karpathy"]').waitFor();
    await expect.poll(() => page.locator('.cm-lintRange-warning').count()).toBe(0);
    await saved();
  });

  it('edits the front matter from the form (through the YAML) and the form from the YAML, the cursor staying put', async () => {
    await newStory('Untitled story', `${ZEBRA_BODY}. Later, {{entity:andrej-karpathy|Karpathy}} disagreed.`, 'status: draft\n');
    // The cursor sits inside the body, five characters from the end.
    await page.locator('.cm-content').click();
    await page.keyboard.press('Control+End');
    for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowLeft');

    const title = page.getByRole('textbox', { name: 'Title', exact: true });
    await typeInto(title, 'Zebrafinch field notes');
    // The shared writer keeps the value's quoting style ("Untitled story" was quoted).
    await expect.poll(editorText).toMatch(/title: "?Zebrafinch field notes"?\n/);
    await preview().locator('h1', { hasText: 'Zebrafinch field notes' }).waitFor();
    await choose(page.getByRole('combobox', { name: 'Beat', exact: true }), 'open-source-ai');
    await choose(page.getByRole('combobox', { name: 'Status', exact: true }), 'review');
    await page.getByRole('button', { name: 'More ▾' }).click();
    await typeInto(page.getByRole('textbox', { name: 'Dek' }), 'What the finches told the newsroom.');
    await page.getByRole('button', { name: 'Derive' }).click();
    await page.getByRole('button', { name: 'Add citation' }).click();
    await typeInto(page.getByRole('textbox', { name: 'Citation 1 URL' }), 'https://example.org/finches');
    await typeInto(page.getByRole('textbox', { name: 'Citation 1 Source' }), 'Finch Weekly');
    const text = await editorText();
    const front = text.slice(0, text.indexOf('\n---', 4));
    expect(front).toContain('beat: open-source-ai');
    expect(front).toContain('status: review');
    // Typed a key at a time, a value passes through forms YAML must quote ("What "), and the shared
    // writer then keeps the quotes it chose: the value is what matters.
    expect(front).toMatch(/dek: "?What the finches told the newsroom\."?\n/);
    expect(front).toContain(`slug: ${deriveSlug('Zebrafinch field notes')}`);
    expect(front).toMatch(/citations:\n {2}- n: 1\n {4}url: "?https:\/\/example\.org\/finches"?\n {4}source: "?Finch Weekly"?/);
    await preview().locator('.citations li#cite-1', { hasText: 'Finch Weekly' }).waitFor();

    // Minimal changes: the editor's cursor is still five characters from the end of the body.
    await page.locator('.cm-content').focus();
    await page.keyboard.type('~');
    await expect.poll(editorText).toMatch(/disag~reed\.\s*$/);
    await page.keyboard.press('Backspace');

    // The other way: typing in the YAML (shown on request) updates the form.
    await page.keyboard.press('Control+Alt+y');
    await page.locator('.cm-line', { hasText: /^title: / }).waitFor();
    await page.keyboard.press('Control+Home');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Home');
    await page.keyboard.press('Shift+End');
    await page.keyboard.type('title: Zebrafinch field notes (draft)');
    await expect.poll(() => title.inputValue()).toBe('Zebrafinch field notes (draft)');
    await page.getByRole('button', { name: 'Remove citation 1' }).click();
    await expect.poll(editorText).not.toContain('citations:');
    await expect.poll(() => page.getByTestId('citation-row').count()).toBe(0);
    await page.getByRole('button', { name: 'Less ▴' }).click();
    await saved();
  });

  it('shows a reference’s catalog entry on hover and on keyboard focus, and marks unresolved ones', async () => {
    await newStory('Zebrafinch reference notes', `${ZEBRA_BODY}.`);
    await page.keyboard.insertText(' See {{entity:nobody-we-know|Nobody}} and {{beat:open-source-ai}}.');
    await page.keyboard.press('Escape');
    const card = page.getByTestId('ref-card');

    await preview().locator('a.ref-entity[data-slug="sam-altman"]').hover();
    await expect.poll(() => card.textContent()).toContain('Sam Altman');
    expect(await card.textContent()).toContain('person');
    expect(await card.textContent()).toContain('Also: Altman');

    const unresolved = preview().locator('.ref-unresolved[data-slug="nobody-we-know"]');
    expect(await unresolved.getAttribute('tabindex')).toBe('0');
    expect(await unresolved.evaluate((el) => getComputedStyle(el, '::after').content)).toBe('"?"');
    await page.locator('.cm-ref-unresolved').first().waitFor();
    // Keyboard: Shift+Tab from the beat reference that follows lands on the unresolved one.
    await preview().locator('a.ref-beat[data-slug="open-source-ai"]').focus();
    await expect.poll(() => card.textContent()).toContain('Open Source AI');
    await page.keyboard.press('Shift+Tab');
    await expect.poll(() => card.textContent()).toContain('Not in the catalog');
    expect(await unresolved.getAttribute('aria-describedby')).toBe('ref-card');
    expect(await unresolved.evaluate((el) => el.matches(':focus-visible'))).toBe(true);
    await page.keyboard.press('Escape');
    await expect.poll(() => card.count()).toBe(0);

    // A reference link never navigates the app.
    const before = page.url();
    await preview().locator('a.ref-entity[data-slug="sam-altman"]').click();
    expect(page.url()).toBe(before);
    await saved();
  });

  it('searches the library and opens the hit', async () => {
    await newStory('Lyrebird search notes', 'The lyrebird mimics the camera shutter.');
    const box = page.getByRole('searchbox', { name: 'Search stories' });
    await typeInto(box, 'lyrebird');
    const hit = page.locator('.search-hit', { hasText: 'Lyrebird search notes' }).first();
    await hit.waitFor();
    expect(await hit.locator('mark').first().textContent()).toMatch(/lyrebird/i);
    await typeInto(box, 'warehouse robots');
    await page
      .locator('.search-hit', { hasText: /warehouse/i })
      .first()
      .click();
    await expect.poll(editorText).toMatch(/title: .*[Ww]arehouse/);
    await preview()
      .locator('h1', { hasText: /Warehouse/i })
      .waitFor();
    await typeInto(box, '');
  });

  it('keeps the editor and the preview scrolled together, both ways', async () => {
    await openBySearch('twelve signals', /Twelve Signals/);
    const scroller = page.locator('.cm-scroller');
    await scroller.evaluate((el) => {
      el.scrollTop = (el.scrollHeight - el.clientHeight) * 0.7;
    });
    await expect.poll(() => preview().evaluate((el) => el.scrollTop)).toBeGreaterThan(100);
    // CodeMirror measures the lines it drew and may adjust its scroll once more, which the preview
    // follows: scroll the preview when both sides have held still for a few frames, as a person would.
    await expect
      .poll(() =>
        page.evaluate(
          () =>
            new Promise<boolean>((resolve) => {
              const at = () => [document.querySelector('.cm-scroller')!.scrollTop, document.querySelector('[data-testid="preview"]')!.scrollTop].join();
              const before = at();
              let frames = 3;
              const tick = () => (--frames ? requestAnimationFrame(tick) : resolve(at() === before));
              requestAnimationFrame(tick);
            }),
        ),
      )
      .toBe(true);
    await preview().evaluate((el) => {
      el.scrollTop = 0;
    });
    await expect.poll(() => scroller.evaluate((el) => el.scrollTop)).toBe(0);
    // Halfway down the preview, the editor shows the body, past the front matter.
    await preview().evaluate((el) => {
      el.scrollTop = (el.scrollHeight - el.clientHeight) * 0.5;
    });
    await expect.poll(() => scroller.evaluate((el) => el.scrollTop)).toBeGreaterThan(400);
  });

  it('imports files from the picker with progress and a report per file, and shows the sample’s four diagnostics', async () => {
    await page
      .getByTestId('import-input')
      .setInputFiles([
        sampleFile(),
        { name: 'photo.png', mimeType: 'image/png', buffer: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]) },
        { name: 'latin1.txt', mimeType: 'text/plain', buffer: Buffer.from('---\ntitle: Caf\xe9\n---\nNa\xefve.\n', 'latin1') },
      ]);
    const dialog = page.getByTestId('import-dialog');
    await expect.poll(() => dialog.getByTestId('import-progress').textContent()).toBe('Imported 1 of 3 files');
    const lines = dialog.getByTestId('import-line');
    expect(await lines.count()).toBe(3);
    const sample = await lines.nth(0).innerText();
    expect(sample).toContain(SAMPLE_NAME);
    expect(sample).toContain(sampleTitle());
    expect(sample).toContain('4 diagnostics');
    expect(sample).toMatch(/body came back as one paragraph/);
    expect(await lines.nth(1).innerText()).toContain('photo.png: not a text file');
    expect(await lines.nth(2).innerText()).toContain('latin1.txt: not UTF-8 text');
    await dialog.getByRole('button', { name: 'Close', exact: true }).click();
    await expect.poll(() => dialog.count()).toBe(0);

    // The imported story is open: its lint panel lists 3 label warnings and 1 missing citation.
    await expect.poll(() => page.getByRole('textbox', { name: 'Title', exact: true }).inputValue()).toBe(sampleTitle());
    await page.locator('.cm-content').focus();
    await page.keyboard.press('Control+Shift+M');
    const panel = page.locator('.cm-panel-lint');
    await expect.poll(() => panel.locator('li').count(), { timeout: 5000 }).toBe(4);
    expect(await panel.locator('li.cm-diagnostic-warning').count()).toBe(3);
    expect(await panel.locator('li.cm-diagnostic-error').count()).toBe(1);
    const texts = await panel.locator('li').allInnerTexts();
    expect(texts.filter((t) => t.includes('ref-label-mismatch'))).toHaveLength(3);
    expect(texts.filter((t) => t.includes('citation-missing'))).toHaveLength(1);
    await page.keyboard.press('Escape');
  });

  it('imports files dropped on the window (on the editor too) rather than pasting them', async () => {
    await newStory('Drop target notes', 'Files are dropped here.');
    const before = await editorText();
    const transfer = await page.evaluateHandle(() => {
      const dt = new DataTransfer();
      dt.items.add(new File(['---\ntitle: Dropped kestrel one\n---\nKestrels.\n'], 'kestrel-1.md', { type: 'text/markdown' }));
      dt.items.add(new File(['---\ntitle: Dropped kestrel two\n---\nMore kestrels.\n'], 'kestrel-2.md', { type: 'text/markdown' }));
      return dt;
    });
    await page.dispatchEvent('.cm-content', 'dragenter', { dataTransfer: transfer });
    await page.dispatchEvent('.cm-content', 'dragover', { dataTransfer: transfer });
    await page.dispatchEvent('.cm-content', 'drop', { dataTransfer: transfer });
    const dialog = page.getByTestId('import-dialog');
    await expect.poll(() => dialog.getByTestId('import-progress').textContent()).toBe('Imported 2 of 2 files');
    await dialog.getByRole('button', { name: 'Close', exact: true }).click();
    await expect.poll(() => page.getByRole('textbox', { name: 'Title', exact: true }).inputValue()).toBe('Dropped kestrel one');
    expect(before).not.toContain('Kestrels');
    expect(await editorText()).not.toContain('More kestrels');
    await page.locator('.story-item', { hasText: 'Dropped kestrel two' }).waitFor();
  });

  it('reviews two revisions side by side with the changes highlighted', async () => {
    await newStory('Zebrafinch review notes', `${ZEBRA_BODY}.`);
    await savedAfter(() => page.keyboard.insertText('\n\nA heron arrived at dawn.\n'));
    // Replace a word of the first paragraph: a changed block, word by word.
    const text = await editorText();
    expect(text).toContain('The zebrafinch report quotes');
    await page.locator('.cm-content').focus();
    await page.keyboard.press('Control+f');
    await page.keyboard.type('zebrafinch report');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Escape');
    await savedAfter(() => page.keyboard.insertText('zebrafinch memo'));

    await page.keyboard.press('Control+Alt+r');
    const review = page.getByTestId('review');
    await review.waitFor();
    // Pick two revisions: the newest and the one before the heron.
    const after = review.getByRole('combobox', { name: 'After' });
    await expect.poll(() => after.locator('option[value^="rev:"]').count()).toBeGreaterThanOrEqual(3);
    const options = await after.locator('option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    const revs = options.filter((v) => v.startsWith('rev:'));
    expect(revs.length).toBeGreaterThanOrEqual(3);
    await choose(after, revs[0]!);
    await choose(review.getByRole('combobox', { name: 'Before' }), revs[2]!);
    await expect.poll(() => review.getByTestId('review-summary').textContent()).toBe('2 insertions, 1 deletion');
    expect(await review.locator('.review-cell.after ins').first().textContent()).toBe('memo');
    expect(await review.locator('.review-cell.before del').first().textContent()).toBe('report');
    expect(await review.locator('.review-cell.after.added').innerText()).toContain('A heron arrived at dawn.');
    expect(await review.locator('.review-cell.before.added').count()).toBe(1);
    // Both sides are rendered previews: references are links there too.
    expect(await review.locator('.review-cell.before a.ref-entity[data-slug="sam-altman"]').count()).toBe(1);
    expect(await review.locator('.review-cell.after a.ref-entity[data-slug="sam-altman"]').count()).toBe(1);
    await review.getByRole('button', { name: 'Close review' }).click();
    await expect.poll(() => review.count()).toBe(0);
    await page.locator('.cm-content').waitFor({ state: 'visible' });
  });

  it('runs commands from their keys, the menu bar and the palette, and lists them in the shortcuts help', async () => {
    await page.keyboard.press('F1');
    const help = page.getByTestId('shortcuts-dialog');
    await help.waitFor();
    for (const label of [
      'New story',
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
    ]) {
      expect(await help.getByRole('rowheader', { name: label, exact: true }).count(), label).toBe(1);
    }
    expect(await help.getByRole('row', { name: /Toggle preview/ }).innerText()).toContain('Ctrl+Alt+P');
    await page.keyboard.press('Escape');
    await expect.poll(() => help.count()).toBe(0);

    // Toggle the preview from its key, then back from the palette.
    await page.keyboard.press('Control+Alt+p');
    await expect.poll(() => page.locator('section.preview').count()).toBe(0);
    await page.keyboard.press('Control+Shift+P');
    const palette = page.getByTestId('command-palette');
    // The palette opens with the keyboard in its field: a person just types.
    const command = palette.getByRole('combobox', { name: 'Command' });
    await expect.poll(() => command.evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.type('toggle prev');
    await expect.poll(() => command.inputValue()).toBe('toggle prev');
    await page.keyboard.press('Enter');
    await expect.poll(() => palette.count()).toBe(0);
    await expect.poll(() => page.locator('section.preview').count()).toBe(1);

    // Hide the library from the menu bar; Search library brings it back with the focus in its box.
    await page.getByRole('button', { name: 'View', exact: true }).click();
    await page.getByRole('menuitem', { name: /Toggle library/ }).click();
    await expect.poll(() => page.locator('section.library').count()).toBe(0);
    await page.keyboard.press('Control+Shift+F');
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Search stories');

    // A splitter moves from the keyboard and its size is kept in the settings.
    const splitter = page.getByRole('separator', { name: 'Resize library' });
    const start = Number(await splitter.getAttribute('aria-valuenow'));
    await splitter.focus();
    await page.keyboard.press('ArrowRight');
    await expect.poll(async () => Number(await splitter.getAttribute('aria-valuenow'))).toBeGreaterThan(start);
    await expect.poll(() => (lib.getSetting('studio') as { paneSizes?: number[] } | undefined)?.paneSizes?.[0]).toBeGreaterThan(start);
  });

  it('edits the settings in a dialog with a place for the publishing backend', async () => {
    await page.keyboard.press('Control+,');
    const dialog = page.getByTestId('settings-dialog');
    await dialog.waitFor();
    expect(await dialog.getByRole('region', { name: 'Publishing backend' }).count()).toBe(1);
    const site = dialog.getByRole('textbox', { name: 'Site URL' });
    await typeInto(site, 'not a url');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => dialog.getByRole('alert').textContent()).toMatch(/site/i);
    // The host refused it (400, a bad-input answer): expected here, so not a page error.
    expect(pageErrors.every((e) => /setSettings|status of 400/.test(e))).toBe(true);
    pageErrors.length = 0;
    await typeInto(site, 'https://news.example.org');
    await typeInto(dialog.getByRole('spinbutton', { name: 'Autosave delay (ms)' }), '400');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => dialog.count()).toBe(0);
    expect(lib.getSetting('studio')).toMatchObject({ site: 'https://news.example.org', autosaveMs: 400 });
    await newStory('Zebrafinch site notes', `${ZEBRA_BODY}.`);
    expect(await preview().locator('a.ref-entity[data-slug="sam-altman"]').getAttribute('href')).toBe('https://news.example.org/entities/sam-altman');
  });

  it('never runs script from a hostile story and sends nothing to another origin', async () => {
    const hostile = [
      '---',
      `title: "<img src=x onerror=alert('title')>"`,
      `dek: "<script>alert('dek')</script>"`,
      'citations:',
      `  - n: 1`,
      `    url: "javascript:alert('cite')"`,
      `    title: "<svg onload=alert('cite-title')>"`,
      '---',
      '<script>alert(1)</script>',
      '',
      '<img src=x onerror=alert(2)> and <iframe src="https://evil.example/frame"></iframe>',
      '',
      '[click](javascript:alert(3)), [data](data:text/html,<script>alert(4)</script>), <a href="javascript:alert(5)">raw</a> [¹]',
      '',
      '{{entity:x|<svg onload=alert(6)>}} and {{entity:sam-altman|<img src=x onerror=alert(7)>}} and [away](https://evil.example/track)',
      '',
    ].join('\n');
    await page.getByTestId('import-input').setInputFiles({ name: 'hostile.md', mimeType: 'text/markdown', buffer: Buffer.from(hostile) });
    const dialog = page.getByTestId('import-dialog');
    await expect.poll(() => dialog.getByTestId('import-progress').textContent()).toBe('Imported 1 of 1 file');
    await dialog.getByRole('button', { name: 'Close', exact: true }).click();
    await expect.poll(() => page.getByRole('textbox', { name: 'Title', exact: true }).inputValue()).toBe("<img src=x onerror=alert('title')>");

    const pv = preview();
    await pv.locator('.ref-unresolved[data-slug="x"]').waitFor();
    expect(await pv.locator('h1').textContent()).toBe("<img src=x onerror=alert('title')>");
    expect(await pv.locator('.dek').textContent()).toBe("<script>alert('dek')</script>");
    expect(await pv.locator('.ref-unresolved[data-slug="x"]').textContent()).toBe('<svg onload=alert(6)>');
    const dangerous = 'script, iframe, img, svg, [onerror], [onload], a[href^="javascript"], a[href^="data"]';
    expect(await pv.locator(dangerous).count()).toBe(0);
    // Hover and focus the hostile references; click every link.
    await pv.locator('.ref-unresolved[data-slug="x"]').hover();
    await expect.poll(() => page.getByTestId('ref-card').textContent()).toContain('Not in the catalog');
    await pv.locator('.ref-entity[data-slug="sam-altman"]').focus();
    await expect.poll(() => page.getByTestId('ref-card').textContent()).toContain('Sam Altman');
    const url = page.url();
    for (const link of await pv.locator('a').all()) await link.click();
    expect(page.url()).toBe(url);
    // The same story in review mode and in the front-matter form.
    await page.keyboard.press('Control+Alt+r');
    const review = page.getByTestId('review');
    await review.locator('.review-cell').first().waitFor();
    expect(await review.locator(dangerous).count()).toBe(0);
    await review.getByRole('button', { name: 'Close review' }).click();
    // (The form opened in either state: an earlier test may have left it showing more.)
    const toggle = page.getByRole('button', { name: /^(More ▾|Less ▴)$/ });
    await toggle.click();
    await toggle.click();

    // Give anything that would fire (an onerror, a late request) a chance to, then check.
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0))));
    expect(dialogs).toEqual([]);
    expect(foreignRequests).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  it('takes screenshots of the main screens in both themes', async () => {
    // A story of its own with a change between its revisions, for the review.
    await newStory('Kittiwake screenshot notes', `${ZEBRA_BODY}.`);
    await savedAfter(() => page.keyboard.insertText(' A kittiwake nested on the pier.'));
    for (const theme of ['light', 'dark'] as const) {
      await page.keyboard.press(theme === 'light' ? 'Control+Alt+1' : 'Control+Alt+2');
      await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe(theme);
      await openBySearch('warehouse robots', /Warehouse/);
      await page.screenshot({ path: join(results, `editor-preview-${theme}.png`) });
      // Review the story that has changes between its revisions.
      await openBySearch('kittiwake', /Kittiwake screenshot notes/);
      await page.keyboard.press('Control+Alt+r');
      await page.getByTestId('review').locator('ins').first().waitFor();
      await page.getByTestId('review').locator('.review-cell').first().waitFor();
      await page.screenshot({ path: join(results, `review-${theme}.png`) });
      await page.getByRole('button', { name: 'Close review' }).click();
      await page.getByTestId('import-input').setInputFiles(sampleFile());
      await expect.poll(() => page.getByTestId('import-progress').textContent()).toBe('Imported 1 of 1 file');
      await page.screenshot({ path: join(results, `import-report-${theme}.png`) });
      await page.getByTestId('import-dialog').getByRole('button', { name: 'Close', exact: true }).click();
      await page.keyboard.press('Control+,');
      await page.getByTestId('settings-dialog').waitFor();
      await page.screenshot({ path: join(results, `settings-${theme}.png`) });
      await page.keyboard.press('Escape');
      await expect.poll(() => page.getByTestId('settings-dialog').count()).toBe(0);
    }
    for (const name of ['editor-preview', 'review', 'import-report', 'settings']) {
      for (const theme of ['light', 'dark']) expect(existsSync(join(results, `${name}-${theme}.png`)), `${name}-${theme}`).toBe(true);
    }
  });

  it('switches to the dark theme and saves within a second of typing', async () => {
    // Its own autosave delay, 400 ms, from the settings.
    await page.keyboard.press('Control+,');
    const dialog = page.getByTestId('settings-dialog');
    await dialog.waitFor();
    await typeInto(dialog.getByRole('spinbutton', { name: 'Autosave delay (ms)' }), '400');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => dialog.count()).toBe(0);
    expect(lib.getSetting('studio')).toMatchObject({ autosaveMs: 400 });
    await page.keyboard.press('Control+Alt+3');
    await expect.poll(() => page.getByRole('button', { name: /^Theme:/ }).textContent()).toBe('Theme: system');
    const themeButton = page.getByRole('button', { name: /^Theme:/ });
    // system → dark: one click, shown at once (the theme no longer waits for the save's round trip).
    await themeButton.click();
    expect(await themeButton.textContent()).toBe('Theme: dark');
    await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    await expect.poll(() => (lib.getSetting('studio') as { theme: string }).theme).toBe('dark');
    await openBySearch('warehouse robots', /Warehouse/);
    await page.locator('.cm-content').click();
    await page.keyboard.press('Control+End');
    // Saved within a second of the last keystroke (the autosave delay is 400 ms), plus the save itself.
    const waited = await savedAfter(() => page.keyboard.insertText(' One more line about okapis.'));
    expect(waited).toBeLessThan(1500);
    await page.screenshot({ path: join(results, 'app-dark.png') });
  });

  it('finds every edit after the host restarts on the same library file', async () => {
    // Its own edits: a story typed and retitled, one imported, the theme, the site and the
    // autosave delay, the library pane's size.
    await newStory('Avocet field notes', `${ZEBRA_BODY}.`);
    await savedAfter(() => page.keyboard.insertText(' An avocet swept the shallows.'));
    await typeInto(page.getByRole('textbox', { name: 'Title', exact: true }), 'Avocet field notes (draft)');
    await expect.poll(editorText).toMatch(/title: "?Avocet field notes \(draft\)"?\n/);
    await saved();
    await page
      .getByTestId('import-input')
      .setInputFiles({ name: 'avocet-2.md', mimeType: 'text/markdown', buffer: Buffer.from('---\ntitle: Imported avocet count\n---\nForty avocets.\n') });
    const imported = page.getByTestId('import-dialog');
    await expect.poll(() => imported.getByTestId('import-progress').textContent()).toBe('Imported 1 of 1 file');
    await imported.getByRole('button', { name: 'Close', exact: true }).click();
    await expect.poll(() => imported.count()).toBe(0);
    await page.keyboard.press('Control+Alt+2');
    await expect.poll(() => (lib.getSetting('studio') as { theme?: string } | undefined)?.theme).toBe('dark');
    await page.keyboard.press('Control+,');
    const dialog = page.getByTestId('settings-dialog');
    await dialog.waitFor();
    await typeInto(dialog.getByRole('textbox', { name: 'Site URL' }), 'https://avocets.example.org');
    await typeInto(dialog.getByRole('spinbutton', { name: 'Autosave delay (ms)' }), '450');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => dialog.count()).toBe(0);
    const splitter = page.getByRole('separator', { name: 'Resize library' });
    const start = Number(await splitter.getAttribute('aria-valuenow'));
    await splitter.focus();
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => (lib.getSetting('studio') as { paneSizes?: number[] } | undefined)?.paneSizes?.[0]).toBeGreaterThan(start);

    await closeHost();
    await openHost();
    await page.goto(host.url);
    await page.locator('.story-list .story-item').first().waitFor();
    // Settings: the theme, the site, the autosave delay and the library pane's size.
    await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    expect(await page.getByRole('button', { name: /^Theme:/ }).textContent()).toBe('Theme: dark');
    expect(lib.getSetting('studio')).toMatchObject({ site: 'https://avocets.example.org', autosaveMs: 450, theme: 'dark' });

    await openBySearch('avocet swept', /Avocet field notes/);
    const text = await editorText();
    for (const edit of ['title: Avocet field notes (draft)', 'The zebrafinch report quotes {{entity:sam-altman}}. An avocet swept the shallows.'])
      expect(text, edit).toContain(edit);
    expect(await preview().locator('a.ref-entity[data-slug="sam-altman"]').getAttribute('href')).toBe('https://avocets.example.org/entities/sam-altman');
    // Full-text search finds the imported story's words.
    await typeInto(page.getByRole('searchbox', { name: 'Search stories' }), 'avocets');
    await page
      .locator('.search-hit', { hasText: 'Imported avocet count' })
      .locator('mark', { hasText: /avocets/i })
      .waitFor();
    await typeInto(page.getByRole('searchbox', { name: 'Search stories' }), '');
    const sizes = (lib.getSetting('studio') as { paneSizes: number[] }).paneSizes;
    expect(await page.getByRole('separator', { name: 'Resize library' }).getAttribute('aria-valuenow')).toBe(String(Math.round(sizes[0]!)));
    for (const title of ['Avocet field notes (draft)', 'Imported avocet count']) {
      await page.locator('.story-item', { hasText: title }).first().waitFor();
    }
    expect(dialogs).toEqual([]);
    expect(foreignRequests).toEqual([]);
  });
});
