// The writing e2e suites' studio: a browser host over its own library in a temporary folder, and
// Chromium driving the built renderer. Each suite starts one; each test makes its own stories.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { createHandlers } from '../../electron/services/api-handlers.js';
import { Library } from '../../electron/services/library/index.js';
import { packageRoot, sampleCatalogPath, sampleStoriesDir } from '../../electron/services/paths.js';
import { startHost, type RunningHost } from '../../electron/host/server.js';

export const CHROMIUM = '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`[e2e] skipped: ${CHROMIUM} is missing (apt-get install -y chromium)`);

export const root = packageRoot();
export const results = join(root, 'test-results');

export interface Studio {
  page: Page;
  browser: Browser;
  /** Whatever went wrong on the page (errors, failed requests, script dialogs): none, ever. */
  problems: string[];
  /** Scripts each page started from now on runs before the studio's own (observers of the first frames). */
  initScripts: string[];
  /** Closes the page and the host, then starts both again over the same library: a restart. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export async function openStudio(viewport = { width: 1280, height: 720 }): Promise<Studio> {
  if (!existsSync(join(root, 'dist/renderer/index.html'))) {
    execFileSync(process.execPath, [join(root, 'scripts/build.mjs'), 'app'], { stdio: 'inherit' });
  }
  mkdirSync(results, { recursive: true });
  const dir = mkdtempSync(join(tmpdir(), 'studio-writing-'));
  const libraryFile = join(dir, 'lib.sqlite');
  const problems: string[] = [];
  let lib: Library;
  let host: RunningHost;
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
  });
  const studio = { browser, problems, initScripts: [] as string[] } as Studio;

  async function start() {
    lib = Library.open(libraryFile, { seed: { catalogPath: sampleCatalogPath(), storiesDir: sampleStoriesDir() } });
    host = await startHost({ handlers: createHandlers(lib), staticDir: join(root, 'dist/renderer') });
    // A context of its own (axe-core's builder needs one), closed with the page.
    const context = await browser.newContext({ viewport });
    for (const script of studio.initScripts) await context.addInitScript(script);
    const page = await context.newPage();
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    page.on('dialog', (d) => {
      problems.push(`${d.type()}: ${d.message()}`);
      void d.dismiss();
    });
    await page.goto(host.url);
    await page.locator('.story-list .story-item').first().waitFor();
    studio.page = page;
  }
  async function stop() {
    await studio.page?.close({ runBeforeUnload: true });
    await studio.page?.context().close();
    await host?.close();
    lib?.close();
  }
  studio.restart = async () => {
    await stop();
    await start();
  };
  studio.close = async () => {
    await stop();
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  };
  await start();
  return studio;
}

/** The editor's text as CodeMirror holds it (folded parts included). */
// CodeMirror keeps its view on the content element's tile (what EditorView.findFromDOM reads).
export const editorText = (page: Page) =>
  page.evaluate(() => {
    type Tiled = HTMLElement & { cmTile?: { root?: { view?: { state: { doc: { toString(): string } } } } } };
    const content = document.querySelector('.cm-content') as Tiled;
    const view = content.cmTile?.root?.view;
    if (!view) throw new Error('no CodeMirror view on .cm-content');
    return view.state.doc.toString();
  });

export const saveState = (page: Page) => page.getByTestId('save-state').textContent();
export const saved = (page: Page) => expect.poll(() => saveState(page), { timeout: 5000 }).toBe('Saved');

/** The element with the keyboard: its accessible name or label, and its tag. */
export const focused = (page: Page) =>
  page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (!el) return '';
    if (el.classList.contains('cm-content')) return 'editor';
    return `${el.tagName.toLowerCase()}:${el.getAttribute('aria-label') ?? el.textContent?.slice(0, 30) ?? ''}`;
  });

/** New story from the button; waits for its editor. */
export async function newStory(page: Page): Promise<void> {
  await page.getByTestId('new-story').click();
  await page.locator('.cm-content').waitFor();
  await expect.poll(() => focused(page)).toBe('input:Title');
}

/**
 * One studio for a suite: started before its tests, closed after them; after each test any dialog
 * left open is closed and the page must have had no problem. Returns the page of the moment (a
 * restart gives a new one).
 */
export function studioForSuite(): { studio(): Studio; page(): Page } {
  let studio: Studio;
  beforeAll(async () => {
    if (hasChromium) studio = await openStudio();
  });
  afterAll(async () => {
    await studio?.close();
  });
  afterEach(async () => {
    if (!studio) return;
    for (let i = 0; i < 3 && (await studio.page.locator('dialog[open]').count()) > 0; i++) await studio.page.keyboard.press('Escape');
    expect(studio.problems).toEqual([]);
  });
  return { studio: () => studio, page: () => studio.page };
}
