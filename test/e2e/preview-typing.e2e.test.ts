import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHandlers } from '../../electron/services/api-handlers.js';
import { Library } from '../../electron/services/library/index.js';
import { packageRoot, sampleCatalogPath, sampleStoriesDir } from '../../electron/services/paths.js';
import { startHost, type RunningHost } from '../../electron/host/server.js';
import { parseStory, renderHtml } from '../../shared/index.js';

// Issue 13: the preview of a long story follows typing block by block. Typed like a person into a
// story of ~30,000 words; after each step the preview shows the typed words where they were typed
// and the same blocks, lines and text as a full render of the editor's text.
const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
const root = packageRoot();
const TITLE = 'A long story for the preview';

let browser: Browser;
let host: RunningHost;
let lib: Library;
let dir: string;
let page: Page;

function longStory(): string {
  const paras: string[] = [];
  for (let i = 0; i < 1500; i++) {
    if (i % 50 === 0) paras.push(`## Part ${i / 50}`);
    paras.push(
      `Paragraph ${i} on {{entity:openai|OpenAI}} and the harbour, with a marker [${(i % 2) + 1}] and some *emphasis* in it, words enough to wrap a line or two.`,
    );
  }
  return `---\ntitle: "${TITLE}"\nbeat: open-source-ai\nstatus: draft\ncitations:\n  - n: 1\n    url: https://example.org/a\n  - n: 2\n    url: https://example.org/b\n---\n${paras.join('\n\n')}\n`;
}

/** The editor's text as CodeMirror holds it. */
const editorText = (p: Page) =>
  p.evaluate(() => {
    type Tiled = HTMLElement & { cmTile?: { root?: { view?: { state: { doc: { toString(): string } } } } } };
    return (document.querySelector('.cm-content') as Tiled).cmTile!.root!.view!.state.doc.toString();
  });

/** Tag, data-line and text of every line-tagged element, and the whole text, of some HTML or of the preview. */
function shape(html: string | null): Promise<{ tagged: string[]; text: string }> {
  return page.evaluate((h) => {
    const el =
      h === null ? document.querySelector('[data-testid=preview] .story-body')! : Object.assign(document.createElement('template'), { innerHTML: h }).content;
    return {
      tagged: [...el.querySelectorAll('[data-line]')].map((e) => `${e.tagName}@${e.getAttribute('data-line')}`),
      text: (el.textContent ?? '').replace(/\s+/g, ' ').trim(),
    };
  }, html);
}

/** The preview matches a full render of the editor's text. */
async function matchesFullRender(): Promise<void> {
  const story = parseStory(await editorText(page));
  expect(await shape(null)).toEqual(await shape(renderHtml(story)));
}

const previewHas = (text: string) =>
  page.waitForFunction((t) => document.querySelector('[data-testid=preview] .story-body')?.textContent?.includes(t), text, { timeout: 10_000 });

describe.skipIf(!hasChromium)('the preview of a long story while typing (issue 13)', () => {
  beforeAll(async () => {
    if (!existsSync(join(root, 'dist/renderer/index.html'))) execFileSync(process.execPath, [join(root, 'scripts/build.mjs'), 'app'], { stdio: 'inherit' });
    dir = mkdtempSync(join(tmpdir(), 'studio-e2e-preview-'));
    lib = Library.open(join(dir, 'lib.sqlite'), { seed: { catalogPath: sampleCatalogPath(), storiesDir: sampleStoriesDir() } });
    lib.saveStory(lib.createStory({ title: TITLE }).id, longStory());
    host = await startHost({ handlers: createHandlers(lib), staticDir: join(root, 'dist/renderer') });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
    });
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(host.url);
  });

  afterAll(async () => {
    await browser?.close();
    await host?.close();
    lib?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('shows each typed word in its paragraph, new paragraphs at their lines, and equals a full render', async () => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.locator('.story-list .story-item', { hasText: TITLE }).first().click();
    await page.locator('[data-testid=preview] .story-body p').nth(1000).waitFor();
    await matchesFullRender();

    // Into the middle of the story, at the end of a paragraph.
    await page.locator('.cm-content[contenteditable="true"]').click();
    await page.keyboard.press('Control+Home');
    for (let i = 0; i < 40; i++) await page.keyboard.press('PageDown');
    await page.keyboard.press('End');
    await page.keyboard.type(' zebrafinch');
    await previewHas('zebrafinch');
    const typedIn = await page.evaluate(() =>
      [...document.querySelectorAll('[data-testid=preview] .story-body p')].filter((p) => p.textContent!.includes('zebrafinch')).map((p) => p.textContent!),
    );
    expect(typedIn).toHaveLength(1);
    expect(typedIn[0]).toMatch(/^Paragraph \d+ on OpenAI and the harbour, .* line or two\. zebrafinch$/);
    await matchesFullRender();

    // A new paragraph: every block after it moves down two lines.
    await page.keyboard.press('Enter');
    await page.keyboard.press('Enter');
    await page.keyboard.type('A new paragraph typed here [2].');
    await previewHas('A new paragraph typed here');
    const line = await page.evaluate(() => {
      type Tiled = HTMLElement & {
        cmTile?: { root?: { view?: { state: { doc: { lineAt(p: number): { number: number } }; selection: { main: { head: number } } } } } };
      };
      const state = (document.querySelector('.cm-content') as Tiled).cmTile!.root!.view!.state;
      return state.doc.lineAt(state.selection.main.head).number;
    });
    const shown = await page.evaluate(() =>
      [...document.querySelectorAll('[data-testid=preview] .story-body p')]
        .find((p) => p.textContent!.startsWith('A new paragraph typed here'))
        ?.getAttribute('data-line'),
    );
    expect(shown).toBe(String(line));
    await matchesFullRender();

    // The marker taken out with Backspace, then the paragraph joined back to the one before it.
    for (let i = 0; i < '[2].'.length; i++) await page.keyboard.press('Backspace');
    await page.keyboard.type('now.');
    await previewHas('typed here now.');
    await page.keyboard.press('Home');
    await page.keyboard.press('Backspace');
    await page.keyboard.press('Backspace');
    await previewHas('zebrafinchA new paragraph typed here now.');
    await matchesFullRender();
    expect(errors).toEqual([]);
  });
});
