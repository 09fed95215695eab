/**
 * The check before sending, end to end (issue 11 #3): Chromium on the browser host, a real library
 * and sync service logged in to the reference backend. A Publish the backend would refuse is
 * stopped here with its problems listed; "Send anyway" sends it and the backend refuses it with
 * the same finding; fixed, it goes out; a warning is said and does not stop it. Its own data.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deriveSlug, type Catalog } from '../../shared/index.js';
import { createHandlers, librarySettings, watchHostEvents } from '../../electron/services/api-handlers.js';
import { Library } from '../../electron/services/library/index.js';
import { packageRoot, sampleCatalogPath } from '../../electron/services/paths.js';
import { SyncService } from '../../electron/services/sync-service/index.js';
import { MemoryVault } from '../../electron/services/vault/index.js';
import { startHost, type RunningHost } from '../../electron/host/server.js';
import { api, startServer, type TestServer } from '../server/helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`[e2e] skipped: ${CHROMIUM} is missing (apt-get install -y chromium)`);

const root = packageRoot();
const results = join(root, 'test-results');

let dir: string;
let lib: Library;
let sync: SyncService;
let host: RunningHost;
let backend: TestServer;
let browser: Browser;
let page: Page;

const story = (title: string, body: string) => ['---', `title: ${title}`, 'beat: open-source-ai', 'status: draft', '---', '', body, ''].join('\n');

const editorText = () =>
  page
    .locator('.editor .cm-content')
    .evaluate((el) =>
      (el as HTMLElement & { cmTile?: { root?: { view?: { state: { doc: { toString(): string } } } } } }).cmTile!.root!.view!.state.doc.toString(),
    );
const saveState = () => page.getByTestId('save-state').textContent();
const storyState = () => page.getByTestId('story-sync-state').textContent();
const publishing = () => page.getByRole('group', { name: 'Publishing' });
const banner = () => page.getByTestId('check-banner');

async function onBackend(slug: string): Promise<{ version: number; status: string } | undefined> {
  const res = await api(backend, `/api/v1/stories/${slug}`, backend.tokens.publisher);
  return res.status === 404 ? undefined : ((await res.json()) as never);
}

/** A new story from its button, its whole text typed over (the front matter shown first). */
async function newStory(text: string): Promise<void> {
  await page.getByTestId('new-story').click();
  await page.locator('.editor .cm-front-matter-fold').waitFor();
  await expect.poll(() => page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.value)).toBe('Untitled story');
  await page.keyboard.press('Control+Alt+y');
  await expect.poll(() => page.locator('.editor .cm-front-matter-fold').count()).toBe(0);
  await page.locator('.editor .cm-line', { hasText: 'title:' }).first().click();
  await page.keyboard.press('Control+a');
  await page.keyboard.insertText(text);
  await expect.poll(saveState, { timeout: 5000 }).toBe('Saved');
  await expect.poll(storyState).toBe('Not on the backend yet');
}

async function screenshots(name: string): Promise<void> {
  for (const size of [
    { width: 1280, height: 720 },
    { width: 800, height: 600 },
  ]) {
    await page.setViewportSize(size);
    for (const theme of ['light', 'dark'] as const) {
      await page.keyboard.press(theme === 'light' ? 'Control+Alt+1' : 'Control+Alt+2');
      await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe(theme);
      await page.screenshot({ path: join(results, `${name}-${theme}${size.width === 800 ? '-800x600' : ''}.png`) });
    }
  }
  await page.setViewportSize({ width: 1280, height: 720 });
}

describe.skipIf(!hasChromium)('the check before sending (Chromium, browser host, reference backend)', () => {
  beforeAll(async () => {
    if (!existsSync(join(root, 'dist/renderer/index.html'))) execFileSync(process.execPath, [join(root, 'scripts/build.mjs'), 'app'], { stdio: 'inherit' });
    mkdirSync(results, { recursive: true });
    backend = await startServer();
    dir = mkdtempSync(join(tmpdir(), 'studio-check-e2e-'));
    lib = Library.open(join(dir, 'lib.sqlite'), { seed: { catalogPath: sampleCatalogPath() } });
    sync = new SyncService({ library: lib, vault: new MemoryVault(), intervalMs: 1000, offlineProbeMs: 500, log: () => {} });
    await sync.login(backend.url, backend.tokens.publisher);
    sync.start();
    const handlers = createHandlers(lib, librarySettings(lib), sync);
    host = await startHost({ handlers, staticDir: join(root, 'dist/renderer'), events: (emit) => watchHostEvents(sync, emit) });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
    });
    page = await (await browser.newContext({ viewport: { width: 1280, height: 720 } })).newPage();
    await page.goto(host.url);
    await page.getByTestId('new-story').waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    sync?.stop();
    await host?.close();
    await sync?.idle();
    lib?.close();
    await backend?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('stops a Publish the backend would refuse and lists why; "Send anyway" meets the same refusal; fixed, it goes out', async () => {
    const title = 'Otters return to the estuary';
    const slug = deriveSlug(title);
    await newStory(story(title, 'The {{entity:no-such-otter|otter club}} counted them at dawn.'));

    await publishing().getByRole('button', { name: 'Publish', exact: true }).click();
    await banner().waitFor();
    expect(await banner().getAttribute('role')).toBe('alert');
    expect(await banner().locator('strong').textContent()).toBe('Not sent: 1 problem would make the backend refuse this story (publish).');
    expect(await banner().locator('li').allTextContents()).toEqual([expect.stringMatching(/^Line 7: .*no-such-otter/)]);
    // Nothing went out, nothing is queued, and nothing claims otherwise.
    expect(await storyState()).toBe('Not on the backend yet');
    expect(await page.getByTestId('sync-queued').textContent()).toBe('0 queued');
    expect(await onBackend(slug)).toBeUndefined();
    await screenshots('check-stopped');

    // The problems list is the editor's own.
    await banner().getByRole('button', { name: 'Show problems' }).click();
    const panel = page.locator('.editor .cm-panel-lint');
    await panel.waitFor();
    expect(await panel.textContent()).toContain('no-such-otter');
    await page.keyboard.press('Escape');

    // Sent anyway: the backend refuses it and says the same.
    await banner().getByRole('button', { name: 'Send anyway' }).click();
    await expect.poll(storyState, { timeout: 15_000 }).toBe('Rejected: 1 problem');
    expect(await banner().count()).toBe(0);
    expect(await page.getByTestId('rejected-banner').textContent()).toMatch(/refused this story \(publish\)/);
    expect(await onBackend(slug)).toBeUndefined();

    // Fixed by hand: the reference's slug typed over.
    await page.locator('.editor .cm-line', { hasText: 'counted them at dawn' }).click();
    // Home and End stop at each wrap point of a wrapped line: pressed until the paragraph's ends.
    for (let i = 0; i < 4; i++) await page.keyboard.press('Home');
    for (let i = 0; i < 4; i++) await page.keyboard.press('Shift+End');
    await page.keyboard.insertText('The {{entity:sam-altman|Altman}} counted them at dawn.');
    await expect.poll(saveState, { timeout: 5000 }).toBe('Saved');
    expect(await editorText()).toMatch(/\n\nThe \{\{entity:sam-altman\|Altman\}\} counted them at dawn\.\n$/);
    await publishing().getByRole('button', { name: 'Publish', exact: true }).click();
    await expect.poll(storyState, { timeout: 15_000 }).toBe('v1 published on the backend');
    expect(await banner().count()).toBe(0);
    expect((await onBackend(slug))?.status).toBe('published');
    // The text learns of it when the library writes the backend's answer back (an event, after the push).
    await expect.poll(editorText, { timeout: 10_000 }).toContain('status: published');
  });

  it('says a warning and sends all the same', async () => {
    const title = 'Kingfishers nest by the weir';
    const slug = deriveSlug(title);
    await newStory(story(title, 'Then {{entity:sam-altman|the kingfisher man}} came by.'));
    await publishing().getByRole('button', { name: 'Submit for review' }).click();
    await banner().waitFor();
    expect(await banner().getAttribute('role')).toBe('status');
    expect(await banner().locator('strong').textContent()).toBe('Submit for review: 1 warning, not blocking.');
    expect(await banner().getByRole('button', { name: 'Send anyway' }).count()).toBe(0);
    await expect.poll(storyState, { timeout: 15_000 }).toBe('v1 review on the backend');
    expect((await onBackend(slug))?.status).toBe('review');
    await screenshots('check-warning');
    await banner().getByRole('button', { name: 'Dismiss' }).click();
    await expect.poll(() => banner().count()).toBe(0);
  });

  it("after a refusal, the backend's findings follow the typing and a reopen; one whose words were edited is listed apart, once", async () => {
    // The library knows an entity the backend does not: the check passes here, the backend refuses.
    const local = lib.catalog()!.data as Catalog;
    lib.setCatalog({ ...local, entities: [...local.entities, { slug: 'heron-trust', name: 'Heron Trust', type: 'organization', aliases: [] }] });
    // Another story to go to and come back from (a reopen).
    lib.putBySlug(
      'egrets-at-the-weir-0b0b',
      story('Egrets at the weir', 'Egrets waded.').replace('status: draft', 'slug: egrets-at-the-weir-0b0b\nstatus: draft'),
    );
    await page.reload();
    await page.getByTestId('new-story').waitFor();
    const title = 'The heron trust votes';
    await newStory(story(title, 'First, the {{entity:heron-trust|Heron Trust}} spoke.\n\nA quiet middle.\n\nLast, the {{entity:heron-trust|trust}} voted.'));
    await publishing().getByRole('button', { name: 'Publish', exact: true }).click();
    await expect.poll(storyState, { timeout: 15_000 }).toBe('Rejected: 2 problems');
    const marks = page.locator('.editor .cm-lintRange-error');
    await expect.poll(() => marks.count()).toBe(2);

    // A new opening line typed above, and the last reference's label typed over.
    await page.locator('.editor .cm-line', { hasText: 'First, the' }).click();
    for (let i = 0; i < 4; i++) await page.keyboard.press('Home');
    await page.keyboard.type('A new opening line.');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Enter');
    await page.locator('.editor .cm-line', { hasText: 'voted.' }).click();
    for (let i = 0; i < 4; i++) await page.keyboard.press('End');
    await page.keyboard.type(' Again.');
    // Then into the reference's label: the caret walked there with the arrow keys, a word typed.
    for (let i = 0; i < 4; i++) await page.keyboard.press('Home');
    for (let i = 0; i < 'Last, the {{entity:heron-trust|'.length; i++) await page.keyboard.press('ArrowRight');
    await page.keyboard.type('the ');
    await expect.poll(editorText).toContain('{{entity:heron-trust|the trust}} voted. Again.');
    await expect.poll(saveState, { timeout: 5000 }).toBe('Saved');

    // Reopened: another story, then this one again.
    await page.locator('.story-item', { hasText: 'Egrets at the weir' }).click();
    await expect.poll(() => page.getByRole('textbox', { name: 'Title', exact: true }).inputValue()).toBe('Egrets at the weir');
    await page.locator('.story-item', { hasText: title }).click();
    await expect.poll(() => page.getByRole('textbox', { name: 'Title', exact: true }).inputValue()).toBe(title);
    await expect.poll(() => marks.count()).toBe(1);
    expect(await marks.first().textContent()).toContain('Heron Trust');
    const stale = page.getByTestId('stale-findings');
    await stale.waitFor();
    expect(await stale.locator('li').allTextContents()).toEqual(['the catalog has no entity "heron-trust"']);
    expect(await storyState()).toBe('Rejected: 2 problems');
    await screenshots('rejected-stale');
  });

  it('a waiting Publish can be taken back out of the outbox, by its button or the palette, which offers only what can be done', async () => {
    // No background round meanwhile: the change stays queued until the person takes it back.
    sync.stop();
    try {
      const title = 'Swifts over the mill pond';
      await newStory(story(title, 'Swifts wheeled over the pond.'));
      const palette = async (words: string) => {
        await page.keyboard.press('Control+Shift+p');
        const box = page.getByRole('combobox', { name: 'Command' });
        await box.waitFor();
        await page.keyboard.type(words);
        return page.getByTestId('command-palette').getByRole('option');
      };
      // Never on the backend: nothing to withdraw, nothing waiting to cancel.
      expect(await (await palette('withdraw')).allTextContents()).toEqual([]);
      await page.keyboard.press('Escape');
      expect(await (await palette('cancel waiting')).allTextContents()).toEqual([]);
      await page.keyboard.press('Escape');

      await publishing().getByRole('button', { name: 'Publish', exact: true }).click();
      await expect.poll(storyState).toBe('Publish queued');
      await expect.poll(() => page.getByTestId('sync-queued').textContent()).toBe('1 queued');
      // The library's row says it is only queued: the text is still a draft.
      const row = page.locator('.story-item', { hasText: title });
      await expect.poll(() => row.locator('.meta').textContent()).toBe('draft Publish queued Open Source AI');
      await screenshots('publish-queued');
      await publishing().getByRole('button', { name: 'Cancel publish' }).click();
      await expect.poll(storyState).toBe('Not on the backend yet');
      await expect.poll(() => page.getByTestId('sync-queued').textContent()).toBe('0 queued');
      expect(await publishing().getByRole('button', { name: 'Cancel publish' }).count()).toBe(0);

      await publishing().getByRole('button', { name: 'Submit for review' }).click();
      await expect.poll(storyState).toBe('Submit queued');
      expect(await (await palette('cancel waiting')).allTextContents()).toEqual([expect.stringContaining('Cancel waiting changes')]);
      await page.keyboard.press('Enter');
      await expect.poll(storyState).toBe('Not on the backend yet');
      await expect.poll(() => page.getByTestId('sync-queued').textContent()).toBe('0 queued');
      expect(await onBackend(deriveSlug(title))).toBeUndefined();
      await expect.poll(() => row.locator('.meta').textContent()).toBe('draft Open Source AI');

      // Published only once the backend took it: queued first, the badge a draft's, then PUBLISHED.
      await publishing().getByRole('button', { name: 'Publish', exact: true }).click();
      await expect.poll(() => row.locator('.meta').textContent()).toBe('draft Publish queued Open Source AI');
      expect(await onBackend(deriveSlug(title))).toBeUndefined();
      sync.start();
      await expect.poll(storyState, { timeout: 15_000 }).toBe('v1 published on the backend');
      await expect.poll(() => row.locator('.meta').textContent()).toBe('published Open Source AI');
      expect((await onBackend(deriveSlug(title)))?.status).toBe('published');
    } finally {
      sync.stop();
      sync.start();
    }
  });
});
