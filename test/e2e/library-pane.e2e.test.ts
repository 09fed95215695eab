// The library pane as a person uses it (issue 10): opening a hit from the search box by keyboard,
// a new story made during a search, the trash button and its Undo; and the list virtualised, so a
// big library puts only the rows in view into the page. Each test makes its own library and page.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createHandlers } from '../../electron/services/api-handlers.js';
import { Library } from '../../electron/services/library/index.js';
import { packageRoot, sampleCatalogPath, sampleStoriesDir } from '../../electron/services/paths.js';
import { startHost, type RunningHost } from '../../electron/host/server.js';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`[e2e] skipped: ${CHROMIUM} is missing (apt-get install -y chromium)`);

const root = packageRoot();
const results = join(root, 'test-results');
let browser: Browser;
const open: Array<{ page: Page; host: RunningHost; lib: Library; dir: string }> = [];

/** A fresh seeded library (plus `extra` stories), its host, and a page on it with the list drawn. */
async function studio(extra: (lib: Library) => void = () => undefined, viewport = { width: 1280, height: 720 }) {
  const dir = mkdtempSync(join(tmpdir(), 'studio-e2e-lib-'));
  const lib = Library.open(join(dir, 'lib.sqlite'), { seed: { catalogPath: sampleCatalogPath(), storiesDir: sampleStoriesDir() } });
  extra(lib);
  const host = await startHost({ handlers: createHandlers(lib), staticDir: join(root, 'dist/renderer') });
  const page = await browser.newPage({ viewport });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  open.push({ page, host, lib, dir });
  await page.goto(host.url);
  // On a small screen the library is a pane to show (the status bar's Library button).
  if (viewport.width < 1000) await page.getByRole('button', { name: 'Library', exact: true }).click();
  await page.locator('.story-list .story-item').first().waitFor();
  return { page, lib, errors };
}

const titleField = (page: Page) => page.getByRole('textbox', { name: 'Title', exact: true });
const searchBox = (page: Page) => page.getByRole('searchbox', { name: 'Search stories' });

describe.skipIf(!hasChromium)('the library pane in Chromium (browser host)', () => {
  beforeAll(async () => {
    if (!existsSync(join(root, 'dist/renderer/index.html'))) execFileSync(process.execPath, [join(root, 'scripts/build.mjs'), 'app'], { stdio: 'inherit' });
    mkdirSync(results, { recursive: true });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
    });
  });

  afterEach(closeAll);

  afterAll(async () => {
    await browser?.close();
  });

  it('opens a hit from the search box with ArrowDown and Enter', async () => {
    const { page, lib, errors } = await studio((l) => {
      for (const t of ['Otter census in the delta', 'Otter sightings rise again'])
        l.saveStory(l.createStory({ title: t }).id, `---\ntitle: ${t}\nstatus: draft\n---\nThe otters are back.\n`);
    });
    await searchBox(page).click();
    await page.keyboard.type('otter');
    const hits = page.locator('.search-hit');
    await expect.poll(() => hits.count()).toBe(2);
    const second = (await hits.nth(1).locator('.title').textContent())!;
    const focused = () =>
      page.evaluate(() => document.activeElement?.closest('li')?.getAttribute('aria-posinset') ?? document.activeElement?.getAttribute('aria-label'));
    await page.keyboard.press('ArrowDown');
    await expect.poll(focused).toBe('1');
    await page.keyboard.press('ArrowDown');
    await expect.poll(focused).toBe('2');
    // ArrowUp from the first hit goes back to the box, with the query as typed.
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('ArrowUp');
    await expect.poll(focused).toBe('Search stories');
    expect(await searchBox(page).inputValue()).toBe('otter');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await expect.poll(() => titleField(page).inputValue()).toBe(second);
    await expect.poll(() => page.locator('.story-list li.selected .title').textContent()).toBe(second);
    expect(
      lib
        .search('otter')
        .map((h) => h.title)
        .sort(),
    ).toEqual(['Otter census in the delta', 'Otter sightings rise again']);
    expect(errors).toEqual([]);
  });

  it('shows and selects a new story made while a search is active', async () => {
    const { page, lib, errors } = await studio();
    await searchBox(page).click();
    await page.keyboard.type('lighthouse keepers');
    await expect.poll(() => page.locator('.story-list').getAttribute('aria-label')).toBe('Search results');
    await page.getByTestId('new-story').click();
    await expect.poll(() => titleField(page).inputValue()).toBe('Untitled story');
    const selected = page.locator('.story-list li.selected');
    await expect.poll(() => selected.locator('.title').textContent()).toBe('Untitled story');
    expect(await selected.locator('.story-item').getAttribute('aria-current')).toBe('true');
    expect(await searchBox(page).inputValue()).toBe('lighthouse keepers');
    // It is in the library, and the list shows it as the open story, not as a match.
    expect(lib.listStories().filter((s) => s.title === 'Untitled story')).toHaveLength(1);
    expect(await selected.innerText()).toContain('open, not a match');
    expect(errors).toEqual([]);
  });

  it('says what the trash button does, and undoes it from the notice by keyboard', async () => {
    const { page, lib, errors } = await studio((l) => {
      l.saveStory(l.createStory({ title: 'Harbour dues explained' }).id, '---\ntitle: Harbour dues explained\nstatus: draft\n---\nDues.\n');
    });
    const row = page.locator('.story-list li', { hasText: 'Harbour dues explained' });
    const trash = row.getByRole('button', { name: 'Move “Harbour dues explained” to the trash' });
    expect(await trash.getAttribute('title')).toBe('Move “Harbour dues explained” to the trash (it can be restored)');
    await trash.click();
    await expect.poll(() => row.count()).toBe(0);
    const notice = page.getByTestId('library-notice');
    await expect.poll(() => notice.textContent()).toContain('Moved “Harbour dues explained” to the trash.');
    expect(lib.listStories({ trashed: true }).map((s) => s.title)).toEqual(['Harbour dues explained']);
    // The Undo holds the focus: Enter brings the story back.
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe('Undo');
    await page.keyboard.press('Enter');
    await expect.poll(() => row.count()).toBe(1);
    await expect.poll(() => notice.count()).toBe(0);
    expect(lib.listStories({ trashed: true })).toEqual([]);
    expect(lib.listStories().map((s) => s.title)).toContain('Harbour dues explained');
    expect(errors).toEqual([]);
  });

  it('draws only the rows in view of a 3,000-story library, and scrolls to the last by keyboard', async () => {
    const { page, errors } = await studio((l) => {
      l.db.transaction(() => {
        for (let i = 0; i < 3000; i++) l.createStory({ title: `Bulk story ${String(i).padStart(4, '0')}` });
      })();
    });
    const list = page.locator('.story-list');
    await expect.poll(async () => Number(await list.getAttribute('data-count'))).toBeGreaterThan(3000);
    const count = Number(await list.getAttribute('data-count'));
    expect(await list.locator('li').count()).toBeLessThan(60);
    await searchBox(page).click();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('End');
    await expect.poll(() => page.evaluate(() => document.activeElement?.closest('li')?.getAttribute('aria-posinset'))).toBe(String(count));
    expect(await list.locator('li').count()).toBeLessThan(60);
    expect(errors).toEqual([]);
  });

  it('reads a big list a block at a time: the count is the library’s, far rows show their stories, filters and a new story stay right', async () => {
    const { page, lib, errors } = await studio((l) => {
      l.db.transaction(() => {
        for (let i = 0; i < 3000; i++) {
          const beat = i % 3 === 0 ? 'ai-policy' : 'open-source-ai';
          const status = i % 10 === 0 ? 'review' : 'draft';
          l.saveStory(
            l.createStory({ title: `Bulk story ${String(i).padStart(4, '0')}` }).id,
            `---\ntitle: Bulk story ${String(i).padStart(4, '0')}\nbeat: ${beat}\nstatus: ${status}\n---\nBody ${i}.\n`,
          );
        }
      })();
    });
    const asked: Array<{ method: string; body: string }> = [];
    page.on('request', (r) => {
      const m = /\/api\/(\w+)$/.exec(r.url());
      if (m) asked.push({ method: m[1]!, body: r.postData() ?? '' });
    });
    const list = page.locator('.story-list');
    const dataCount = async () => Number(await list.getAttribute('data-count'));
    await expect.poll(dataCount).toBe(lib.listStories().length);
    // A story far down: End from the list, and the last row is the library's oldest story.
    const whole = lib.listStories();
    await page.locator('.story-list .story-item').first().focus();
    await page.keyboard.press('End');
    await expect.poll(() => page.evaluate(() => document.activeElement?.closest('li')?.getAttribute('aria-posinset'))).toBe(String(whole.length));
    await expect.poll(() => page.evaluate(() => document.activeElement?.querySelector('.title')?.textContent)).toBe(whole[whole.length - 1]!.title);
    await page.keyboard.press('Enter');
    await expect.poll(() => titleField(page).inputValue()).toBe(whole[whole.length - 1]!.title);
    // The filters: the count is the filtered list's, and its rows are the filtered list's first.
    await page.getByRole('combobox', { name: 'Status filter' }).selectOption('review');
    await expect.poll(dataCount).toBe(lib.listStories({ status: 'review' }).length);
    // From the top of the filtered list (the view was at the end of the whole one).
    await expect.poll(() => list.locator('li[aria-posinset="1"] .title').textContent()).toBe(lib.listStories({ status: 'review' })[0]!.title);
    await page.getByRole('combobox', { name: 'Beat filter' }).selectOption('ai-policy');
    await expect.poll(dataCount).toBe(lib.listStories({ status: 'review', beat: 'ai-policy' }).length);
    await page.getByRole('combobox', { name: 'Status filter' }).selectOption('');
    await page.getByRole('combobox', { name: 'Beat filter' }).selectOption('');
    await expect.poll(dataCount).toBe(whole.length);
    // A new story is the first row, selected, and the count grows by one.
    await page.getByTestId('new-story').click();
    await expect.poll(() => titleField(page).inputValue()).toBe('Untitled story');
    await expect.poll(dataCount).toBe(whole.length + 1);
    await expect.poll(() => list.locator('li[aria-posinset="1"] .title').textContent()).toBe('Untitled story');
    expect(await list.locator('li[aria-posinset="1"]').getAttribute('class')).toBe('selected');
    // Trashed: the trash lists it, and the count follows.
    await list.locator('li[aria-posinset="1"]').getByRole('button', { name: 'Move “Untitled story” to the trash' }).click();
    await expect.poll(dataCount).toBe(whole.length);
    await page.getByRole('checkbox', { name: 'Trash' }).click();
    await expect.poll(dataCount).toBe(1);
    // The whole list was never asked for: only pages of the rows in view.
    expect(asked.filter((a) => a.method === 'listStories')).toEqual([]);
    const pages = asked.filter((a) => a.method === 'listStoryPage').map((a) => JSON.parse(a.body) as { limit: number });
    expect(pages.length).toBeGreaterThan(3);
    expect(Math.max(...pages.map((p) => p.limit))).toBeLessThanOrEqual(100);
    expect(errors).toEqual([]);
  });

  it('imports 120 files through the picker with progress in steps, a line per file (the bad one too), and the list grown once', async () => {
    const { page, lib, errors } = await studio();
    const before = lib.listStories().length;
    const files = Array.from({ length: 120 }, (_, i) => ({
      name: `piece-${i}.md`,
      mimeType: 'text/markdown',
      buffer:
        i === 57
          ? Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 13])
          : Buffer.from(`---\ntitle: Imported piece ${i}\nbeat: ai-policy\n---\nPiece ${i} of the import.\n`),
    }));
    const progress = page.getByTestId('import-progress');
    const seen = new Set<string>();
    const watch = setInterval(
      () =>
        void progress.textContent().then(
          (t) => t && seen.add(t),
          () => undefined,
        ),
      10,
    );
    const pageCalls: string[] = [];
    page.on('request', (r) => {
      if (r.url().endsWith('/api/listStoryPage')) pageCalls.push(r.postData() ?? '');
    });
    await page.getByTestId('import-input').setInputFiles(files);
    await expect.poll(() => progress.textContent()).toBe('Imported 119 of 120 files');
    clearInterval(watch);
    expect([...seen].some((t) => /^Importing \d+ of 120…$/.test(t))).toBe(true);
    const lines = page.getByTestId('import-line');
    expect(await lines.count()).toBe(120);
    expect(await lines.nth(57).innerText()).toContain('piece-57.md: not a text file');
    expect(await lines.nth(58).innerText()).toContain('Imported piece 58');
    expect(lib.listStories().length).toBe(before + 119);
    await page.keyboard.press('Escape');
    await expect.poll(async () => Number(await page.locator('.story-list').getAttribute('data-count'))).toBe(before + 119);
    // The list was read again once, at the end (one block of rows in view), not once a file.
    expect(pageCalls.length).toBeLessThanOrEqual(2);
    expect(errors).toEqual([]);
  });

  it('takes screenshots of the library pane in both themes, at 1280×720 and 800×600', async () => {
    for (const viewport of [
      { width: 1280, height: 720 },
      { width: 800, height: 600 },
    ]) {
      const { page } = await studio((l) => {
        l.saveStory(l.createStory({ title: 'Harbour dues explained' }).id, '---\ntitle: Harbour dues explained\nstatus: draft\n---\nDues.\n');
      }, viewport);
      for (const theme of ['light', 'dark'] as const) {
        await page.keyboard.press(theme === 'light' ? 'Control+Alt+1' : 'Control+Alt+2');
        await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe(theme);
        await page
          .locator('.story-list li', { hasText: 'Harbour dues explained' })
          .getByRole('button', { name: /to the trash/ })
          .click();
        await page.getByTestId('library-notice').waitFor();
        await page.screenshot({ path: join(results, `library-pane-${theme}-${viewport.width}x${viewport.height}.png`) });
        await page.getByRole('button', { name: 'Undo' }).click();
        await searchBox(page).click();
        await page.keyboard.type('model');
        await page.locator('.search-hit').first().waitFor();
        await page.screenshot({ path: join(results, `library-search-${theme}-${viewport.width}x${viewport.height}.png`) });
        await page.keyboard.press('Control+a');
        await page.keyboard.press('Backspace');
        await expect.poll(() => page.locator('.story-list').getAttribute('aria-label')).toBe('Stories');
      }
      await closeAll();
    }
  });
});

/** Closes every page, host and library the test opened. */
async function closeAll() {
  for (const o of open.splice(0)) {
    await o.page.close();
    await o.host.close();
    o.lib.close();
    rmSync(o.dir, { recursive: true, force: true });
  }
}
