/**
 * The sync UI end to end: Chromium on the browser host on a real library file, the sync service
 * with a background worker and a file vault, and the project's reference backend in this process
 * (behind a loopback proxy that can play dead). One browser page; each test makes its own data and
 * runs alone (`-t`): the first logs in through the settings, the others are logged in and given
 * stories of their own (`given`: published through the sync service, opened from the library) for
 * publish, rejection, merge, conflict, catalog change, an outage, pulls and withdrawal.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { deriveSlug, type Catalog } from '../../shared/index.js';
import { createHandlers, librarySettings, watchHostEvents } from '../../electron/services/api-handlers.js';
import { Library } from '../../electron/services/library/index.js';
import { packageRoot, sampleCatalogPath, sampleStoriesDir } from '../../electron/services/paths.js';
import { SyncService } from '../../electron/services/sync-service/index.js';
import { FileVault } from '../../electron/services/vault/index.js';
import { startHost, type RunningHost } from '../../electron/host/server.js';
import { hashToken, newToken } from '../../server/auth.js';
import { api, putStory, startServer, type TestServer } from '../server/helpers.js';
import { FaultProxy } from '../sync/helpers/fault-proxy.js';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`[e2e] skipped: ${CHROMIUM} is missing (apt-get install -y chromium)`);

const root = packageRoot();
const results = join(root, 'test-results');

let dir: string;
let libraryFile: string;
let credentialsFile: string;
let lib: Library;
let sync: SyncService;
let host: RunningHost;
let heldEvents: (() => void)[] | null = null;
let backend: TestServer;
let proxy: FaultProxy;
/** A second publisher, for edits made "by someone else" straight on the backend. */
let otherPublisher: string;
let browser: Browser;
let context: BrowserContext;
let page: Page;
/** How many times the page asked the host to sync now (the drain after an outage must not need one). */
let syncNowCalls = 0;
/** Everything the host process wrote to its console, and the sync service's own log lines. */
const hostOutput: string[] = [];
const dialogs: string[] = [];
const pageErrors: string[] = [];
const restoreConsole: Array<() => void> = [];

const TITLE = 'Kestrel drones map the estuary';
const SLUG = deriveSlug(TITLE);
/** A story's whole text: the one the writing test types, under another title (and quote) for the others. */
function storyText(title: string, quote = 'A quoted line from the survey.'): string {
  return [
    '---',
    `title: ${title}`,
    'dek: Volunteers flew them at low tide.',
    'beat: open-source-ai',
    'status: draft',
    'citations:',
    '  - n: 1',
    '    url: https://example.org/estuary',
    '    title: Estuary survey',
    '    source: Coastal Weekly',
    '  - n: 2',
    '    url: https://example.org/tides',
    '---',
    '',
    'When {{entity:sam-altman|Altman}} visited, the {{beat:open-source-ai|open-source crowd}} mapped the estuary[1].',
    '',
    'A second paragraph with **bold** words, a [plain link](https://example.org/more) and {{entity:andrej-karpathy}}[2].',
    '',
    `> ${quote}`,
    '',
  ].join('\n');
}
const STORY = storyText(TITLE);

/** Every console line of this process (the host runs here) is kept as well as printed. */
function captureConsole(): void {
  for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    const original = console[level];
    console[level] = (...args: unknown[]) => {
      hostOutput.push(args.map((a) => (a instanceof Error ? `${a.message}\n${a.stack}` : typeof a === 'string' ? a : JSON.stringify(a))).join(' '));
      original.apply(console, args);
    };
    restoreConsole.push(() => {
      console[level] = original;
    });
  }
}

// The whole text, the folded front matter included (CodeMirror's view is on the content's tile).
const editorText = () =>
  page
    .locator('.editor .cm-content')
    .evaluate((el) =>
      (el as HTMLElement & { cmTile?: { root?: { view?: { state: { doc: { toString(): string } } } } } }).cmTile!.root!.view!.state.doc.toString(),
    );
const saveState = () => page.getByTestId('save-state').textContent();
const storyState = () => page.getByTestId('story-sync-state').textContent();
const statusBar = () => page.getByTestId('sync-status');
const statusText = (id: string) => page.getByTestId(id).textContent();
const storySyncBar = () => page.getByRole('group', { name: 'Publishing' });

/** Types into a field as a person does: a click, everything selected, the text typed over it. */
async function typeInto(field: Locator, text: string): Promise<void> {
  await field.click();
  await page.keyboard.press('Control+a');
  await page.keyboard.type(text);
}

/** Makes an edit and waits for its own save (seen unsaved, then saved). */
async function savedAfter(edit: () => Promise<void>): Promise<void> {
  await edit();
  await expect.poll(saveState, { interval: 20 }).not.toBe('Saved');
  await expect.poll(saveState, { timeout: 5000, interval: 20 }).toBe('Saved');
}

/** The backend's current copy of a story (read with the studio's own publisher token). */
async function onBackend(slug: string): Promise<{ version: number; status: string; story: { body: string; title: string } } | undefined> {
  const res = await api(backend, `/api/v1/stories/${slug}`, backend.tokens.publisher);
  if (res.status === 404) return undefined;
  expect(res.status).toBe(200);
  return (await res.json()) as never;
}

/** The page's next read of the catalog (it reads it again when the library's catalog changed). */
function catalogRead() {
  return page.waitForResponse((r) => r.url().endsWith('/api/getCatalog') && r.status() === 200, { timeout: 15_000 });
}

/** Chooses an option of the open completion popup (once it is the selected one) with Enter. */
async function pickCompletion(label: string): Promise<void> {
  const option = page.locator('.cm-tooltip-autocomplete li', { hasText: label }).first();
  await option.waitFor();
  await expect.poll(() => option.getAttribute('aria-selected')).toBe('true');
  await page.keyboard.press('Enter');
}

/**
 * A new story opens with the caret in the title field: its folded YAML front matter is shown
 * (Ctrl+Alt+Y), the caret put in the story's text, and all of it selected, to be typed over.
 */
async function selectWholeNewStory(): Promise<void> {
  await page.locator('.editor .cm-front-matter-fold').waitFor();
  await expect.poll(() => page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.value)).toBe('Untitled story');
  await page.keyboard.press('Control+Alt+y');
  await expect.poll(() => page.locator('.editor .cm-front-matter-fold').count()).toBe(0);
  await page.locator('.editor .cm-line', { hasText: 'title:' }).first().click();
  await expect.poll(() => page.evaluate(() => !!document.activeElement?.closest('.editor .cm-content'))).toBe(true);
  await page.keyboard.press('Control+a');
}

/** Types at the end of the story's last paragraph (the quote), wherever the editor's lines wrap. */
async function typeAtEnd(text: string): Promise<void> {
  await page.locator('.editor .cm-content').click();
  await page.keyboard.press('Control+End');
  // The story ends with a line break: the last paragraph ends one character before.
  if ((await page.locator('.editor .cm-activeLine').textContent()) === '') await page.keyboard.press('ArrowLeft');
  await page.keyboard.insertText(text);
}

/**
 * The rendered story as a reader sees it, from the page's DOM: the body's blocks (tag and text),
 * its links (references with kind, slug and href; other links and citation markers), and the
 * citation list. The preview and the public page must give the same.
 */
function readRenderedStory(article: Element) {
  const norm = (s: string | null) => (s ?? '').replace(/\s+/g, ' ').trim();
  const body = article.querySelector('.story-body')!;
  const inList = (el: Element) => !!el.closest('ol.citations');
  return {
    blocks: [...body.children].filter((el) => !el.matches('ol.citations')).map((el) => `${el.tagName}: ${norm(el.textContent)}`),
    refs: [...body.querySelectorAll('.ref')]
      .filter((el) => !inList(el))
      .map((el) => [(el as HTMLElement).dataset.kind, (el as HTMLElement).dataset.slug, el.getAttribute('href'), norm(el.textContent)]),
    links: [...body.querySelectorAll('a:not(.ref)')].filter((el) => !inList(el)).map((a) => [a.getAttribute('href'), norm(a.textContent)]),
    citations: [...article.querySelectorAll('ol.citations > li')].map((li) => [
      li.id,
      norm(li.textContent),
      li.querySelector('a:not(.cite-back)')?.getAttribute('href') ?? null,
    ]),
  };
}

/** A story of a test's own: its title and slug, and its id in the library. */
interface OwnStory {
  id: string;
  slug: string;
  title: string;
}

/**
 * What a test needs before its gestures, made for it alone (never the gesture it tests): logged in
 * through the sync service's own login (as the host's handler does), and stories of its own, in the
 * library, on the backend, open in the editor.
 */
const given = {
  /** Logged in to the backend (the sync service's login, as the host's handler calls it), the page told. */
  async loggedIn(): Promise<void> {
    if (!(await sync.overview()).configured) {
      const stamp = lib.catalogStamp();
      // The login pulls the backend's catalog: the page reads it again, before the test goes on.
      const read = catalogRead();
      read.catch(() => undefined);
      await sync.login(proxy.url, backend.tokens.publisher);
      await expect.poll(() => statusText('sync-last'), { timeout: 15_000 }).toMatch(/^Synced /);
      if (lib.catalogStamp() !== stamp) await read;
    }
    await expect.poll(() => statusText('sync-online'), { timeout: 15_000 }).toBe('Online');
    await expect.poll(() => statusText('sync-last'), { timeout: 15_000 }).toMatch(/^Synced /);
  },

  /** A draft in the library with the test's own title and text (not in the page's list until it next reads the library). */
  draft(title: string, quote?: string): OwnStory {
    const slug = deriveSlug(title);
    expect(lib.storyBySlug(slug), `a story ${slug} already`).toBeUndefined();
    const { id } = lib.createStory({ title });
    lib.saveStory(id, storyText(title, quote));
    expect(lib.getStory(id).title).toBe(title);
    return { id, slug, title };
  },

  /**
   * A story of the test's own, published (queued in the sync service, whose round sends it: the
   * backend holds its v1, and the accepted status is written back), then opened by a click on its
   * library row.
   */
  async publishedStory(title: string, quote?: string): Promise<OwnStory> {
    await given.loggedIn();
    const story = given.draft(title, quote);
    expect(await onBackend(story.slug)).toBeUndefined();
    expect((await sync.enqueue(story.id, 'published')).check.queued).toBe(true);
    expect(lib.storyBySlug(story.slug)?.id).toBe(story.id);
    // The enqueue schedules the round that sends it. (No sync now besides: two rounds back to back
    // can end within the host's coalescing of events, and the page, hearing only of the second,
    // would not read its list again for the story the first wrote back.)
    await expect.poll(() => onBackend(story.slug).then((s) => s?.version), { timeout: 15_000 }).toBe(1);
    await expect.poll(() => lib.getStory(story.id).text, { timeout: 15_000 }).toMatch(/^status: published$/m);
    await given.opened(story.title);
    await expect.poll(storyState, { timeout: 15_000 }).toBe('v1 published on the backend');
    await expect.poll(editorText).toMatch(/^status: published$/m);
    await expect.poll(() => statusText('sync-queued')).toBe('0 queued');
    expect(await saveState()).toBe('Saved');
    return story;
  },

  /** The story opened as a person opens it: a click on its row in the library. */
  async opened(title: string): Promise<void> {
    const row = page.locator('.story-list .story-item', { hasText: title }).first();
    await row.waitFor({ timeout: 15_000 });
    await row.click();
    await expect.poll(() => page.getByRole('textbox', { name: 'Title', exact: true }).inputValue()).toBe(title);
    await expect.poll(saveState, { timeout: 5000 }).toBe('Saved');
  },

  /** A token the backend refuses has been offered through the host, as the settings' Log in sends it. */
  async refusedToken(token: string): Promise<void> {
    const answer = await page.evaluate(
      ([backendUrl, t]) =>
        window.studio!.syncLogin({ backendUrl, token: t }).then(
          () => 'accepted',
          (e: Error) => e.message,
        ),
      [proxy.url, token] as const,
    );
    expect(answer).toMatch(/refused the token \(401\)/);
  },
};

/** The test's screenshots of this name are there, in both themes, written since it began. */
function expectScreenshots(name: string, since: number): void {
  for (const theme of ['light', 'dark']) {
    const file = join(results, `${name}-${theme}.png`);
    expect(existsSync(file), `${name}-${theme}`).toBe(true);
    expect(statSync(file).mtimeMs, `${name}-${theme} written by this test`).toBeGreaterThanOrEqual(since - 1000);
  }
}

describe.skipIf(!hasChromium)('sync in the studio (Chromium, browser host, reference backend)', () => {
  beforeAll(async () => {
    if (!existsSync(join(root, 'dist/renderer/index.html'))) {
      execFileSync(process.execPath, [join(root, 'scripts/build.mjs'), 'app'], { stdio: 'inherit' });
    }
    mkdirSync(results, { recursive: true });
    captureConsole();
    backend = await startServer();
    otherPublisher = newToken();
    await backend.store.createToken('second-publisher', 'publisher', hashToken(otherPublisher));
    proxy = await new FaultProxy(backend.url).start();

    dir = mkdtempSync(join(tmpdir(), 'studio-sync-e2e-'));
    libraryFile = join(dir, 'lib.sqlite');
    credentialsFile = join(dir, 'credentials.json');
    lib = Library.open(libraryFile, { seed: { catalogPath: sampleCatalogPath(), storiesDir: sampleStoriesDir() } });
    sync = new SyncService({
      library: lib,
      vault: new FileVault(credentialsFile),
      intervalMs: 2000,
      offlineProbeMs: 500,
      log: (line) => hostOutput.push(line),
    });
    sync.start();
    const handlers = createHandlers(lib, librarySettings(lib), sync);
    const syncNow = handlers.syncNow;
    handlers.syncNow = (input) => {
      syncNowCalls++;
      return syncNow(input);
    };
    // The host's sync events reach the pages at once; a test may hold them back (heldEvents) to
    // play a page that has not heard of a change yet.
    host = await startHost({
      handlers,
      staticDir: join(root, 'dist/renderer'),
      events: (emit) => watchHostEvents(sync, (event, payload) => (heldEvents ? heldEvents.push(() => emit(event, payload)) : emit(event, payload))),
    });

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
    });
    context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
    page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') pageErrors.push(m.text());
    });
    page.on('dialog', (d) => {
      dialogs.push(`${d.type()}: ${d.message()}`);
      void d.dismiss();
    });
    await page.goto(host.url);
    await page.locator('.story-list .story-item').first().waitFor();
  });

  afterAll(async () => {
    if (page) await page.screenshot({ path: join(results, 'sync-final.png') }).catch(() => undefined);
    await browser?.close();
    sync?.stop();
    await host?.close();
    await sync?.idle();
    lib?.close();
    await proxy?.close();
    await backend?.close();
    for (const restore of restoreConsole) restore();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  // A test that fails half-way must not leave a dialog in the next one's way.
  afterEach(async () => {
    heldEvents = null;
    // A test that stopped the background rounds gets them back (stop, then start: the same timers once).
    sync.stop();
    sync.start();
    proxy.plan = () => ({ kind: 'pass' });
    await context.setOffline(false);
    for (let i = 0; i < 3 && (await page.locator('dialog[open]').count()) > 0; i++) await page.keyboard.press('Escape');
    const later = page.getByRole('button', { name: 'Decide later' });
    if (await later.count()) await later.click();
  });

  it('logs in from the settings: a refused token in one line, then the publisher token; the field is emptied, who and role shown', async () => {
    await expect.poll(() => statusText('sync-connect')).toMatch(/No publishing backend/);
    // From the status bar's own offer (Ctrl+, opens the same dialog).
    await page.getByTestId('sync-connect').click();
    const dialog = page.getByTestId('settings-dialog');
    await dialog.waitFor();
    const section = dialog.getByTestId('publishing-backend');
    expect(await section.getByTestId('token-storage-note').textContent()).toMatch(/file only your user may read/);
    const tokenField = section.getByLabel('Token');
    expect(await tokenField.getAttribute('type')).toBe('password');

    await typeInto(section.getByRole('textbox', { name: 'Backend URL' }), proxy.url);
    await typeInto(tokenField, 'not-a-real-token');
    await section.getByRole('button', { name: 'Log in' }).click();
    const alert = section.getByRole('alert');
    await expect.poll(() => alert.textContent()).toMatch(/refused the token \(401\)/);
    expect((await alert.textContent())!.includes('\n')).toBe(false);
    expect(await tokenField.inputValue()).toBe('');
    // The refusal is a bad-input answer of the host (400): expected here.
    expect(pageErrors.every((e) => /status of 400/.test(e))).toBe(true);
    pageErrors.length = 0;

    await typeInto(tokenField, backend.tokens.publisher);
    await tokenField.press('Enter');
    const account = section.getByTestId('backend-account');
    await expect.poll(() => account.textContent(), { timeout: 10_000 }).toMatch(/Logged in to .*127\.0\.0\.1.* as publisher · role publisher/);
    expect(await tokenField.inputValue()).toBe('');
    expect(await section.getByRole('alert').count()).toBe(0);
    // The dialog is still open (Enter logged in, it did not submit the settings). Links now go to
    // the backend's own site, as its whoami says (issue 11 #8): the site setting is not touched.
    await expect.poll(() => dialog.getByTestId('site-help').textContent()).toContain(`the backend's site, ${backend.url},`);
    expect(await dialog.getByRole('textbox', { name: 'Site URL' }).inputValue()).toBe('https://aidran.ai');
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.count()).toBe(0);

    await expect.poll(() => statusText('sync-online'), { timeout: 10_000 }).toBe('Online');
    await expect.poll(() => statusText('sync-last'), { timeout: 10_000 }).toMatch(/^Synced /);
    // The offer that had the keyboard is gone; its place did not hand it to "Sync now", where the
    // next Enter would start a sync nobody asked for.
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? '')).not.toBe('sync-now');
    expect(statSync(credentialsFile).mode & 0o777).toBe(0o600);
  });

  it('writes a story, publishes it, and its public page on the backend shows the body the preview shows', async () => {
    await given.loggedIn();
    await page.getByTestId('new-story').click();
    await page.locator('.editor .cm-content').waitFor();
    await savedAfter(async () => {
      await selectWholeNewStory();
      await page.keyboard.insertText(STORY);
    });
    await expect.poll(storyState).toBe('Not on the backend yet');
    // A publisher may do everything; withdrawing needs a story on the backend first.
    expect(await storySyncBar().getByRole('button').allTextContents()).toEqual(['Submit for review', 'Approve', 'Publish']);

    await storySyncBar().getByRole('button', { name: 'Publish', exact: true }).click();
    // A queued Publish writes no status into the text; once the backend accepts it, the service
    // writes the accepted status back into the story: the editor shows it, saved.
    await expect.poll(storyState, { timeout: 15_000 }).toBe('v1 published on the backend');
    await expect.poll(editorText).toContain('status: published');
    expect(await editorText()).not.toContain('status: draft');
    await expect.poll(() => statusText('sync-queued')).toBe('0 queued');
    expect(await saveState()).toBe('Saved');
    expect((await onBackend(SLUG))?.status).toBe('published');

    const inPreview = await page.getByTestId('preview').locator('article.story').evaluate(readRenderedStory);
    const reader = await context.newPage();
    const answer = await reader.goto(`${backend.url}/stories/${SLUG}`);
    expect(answer?.status()).toBe(200);
    const published = await reader.locator('article.story').evaluate(readRenderedStory);
    await reader.close();
    expect(inPreview.blocks).toEqual([
      expect.stringMatching(/^P: When Altman visited, the open-source crowd mapped the estuary ?1\.?/),
      expect.stringMatching(/^P: A second paragraph with bold words, a plain link and Andrej Karpathy ?2/),
      'BLOCKQUOTE: A quoted line from the survey.',
    ]);
    expect(inPreview.refs).toEqual([
      ['entity', 'sam-altman', `${backend.url}/entities/sam-altman`, 'Altman'],
      ['beat', 'open-source-ai', `${backend.url}/beats/open-source-ai`, 'open-source crowd'],
      ['entity', 'andrej-karpathy', `${backend.url}/entities/andrej-karpathy`, 'Andrej Karpathy'],
    ]);
    expect(inPreview.citations).toEqual([
      ['cite-1', expect.stringContaining('Estuary survey — Coastal Weekly'), 'https://example.org/estuary'],
      ['cite-2', expect.stringContaining('https://example.org/tides'), 'https://example.org/tides'],
    ]);
    expect(inPreview.links).toContainEqual(['https://example.org/more', 'plain link']);
    expect(published).toEqual(inPreview);
  });

  it('a story the backend refuses (an entity only the local catalog has) shows the backend’s findings in the editor', async () => {
    await given.loggedIn();
    // The library's catalog gains an entity the backend does not know: the editor takes it without a reload.
    const local = lib.catalog()!.data as Catalog;
    const reloaded = catalogRead();
    lib.setCatalog({ ...local, entities: [...local.entities, { slug: 'heron-trust', name: 'Heron Trust', type: 'organization', aliases: [] }] });
    await page.getByTestId('new-story').click();
    await page.locator('.editor .cm-content').waitFor();
    await selectWholeNewStory();
    await page.keyboard.insertText('---\ntitle: Herons return to the marsh\nbeat: open-source-ai\nstatus: draft\n---\n\nThe ');
    // The page reads the catalog again when the host's stamp changes, and the open editor takes it.
    await reloaded;
    await page.keyboard.type('{{entity:');
    await page.locator('.cm-tooltip-autocomplete').waitFor();
    await page.keyboard.type('heron');
    await pickCompletion('Heron Trust');
    await expect.poll(editorText).toContain('The {{entity:heron-trust}}');
    await page.keyboard.press('End');
    await savedAfter(() => page.keyboard.insertText(' counted the birds.\n'));
    // Locally it is fine: no error in the editor.
    expect(await page.locator('.editor .cm-lintRange-error').allTextContents()).toEqual([]);

    await storySyncBar().getByRole('button', { name: 'Submit for review' }).click();
    await expect.poll(storyState, { timeout: 15_000 }).toBe('Rejected: 1 problem');
    const banner = page.getByTestId('rejected-banner');
    expect(await banner.textContent()).toMatch(/refused this story \(submit for review\)/);
    await expect.poll(() => statusText('sync-rejected')).toBe('1 rejected');
    // The backend's finding sits on the reference in the editor, marked as the backend's.
    const mark = page.locator('.editor .cm-lintRange-error');
    await mark.first().waitFor();
    expect(await mark.first().textContent()).toContain('heron-trust');
    await banner.getByRole('button', { name: 'Show problems' }).click();
    const panel = page.locator('.editor .cm-panel-lint');
    await panel.waitFor();
    expect(await panel.textContent()).toMatch(/Backend: .*heron-trust/);
    await page.keyboard.press('Escape');
    expect(await saveState()).toBe('Saved');
  });

  /** Another publisher changes the story's body straight on the backend (a new version). */
  async function deskEdit(slug: string, change: (body: string) => string): Promise<number> {
    const current = (await onBackend(slug))!;
    const body = change(current.story.body);
    expect(body).not.toBe(current.story.body);
    const { title, dek, beat, citations, published } = current.story as unknown as Record<string, unknown>;
    const put = await putStory(
      backend,
      slug,
      { title, dek, beat, citations, published, body, status: 'published' },
      { token: otherPublisher, ifMatch: `"v${current.version}"` },
    );
    expect(put.status, await put.clone().text()).toBe(200);
    return current.version + 1;
  }

  /**
   * No background round from now until the test starts them again (`sync.start()`; the afterEach
   * does if it fails first): a round of the test's own choosing is the next one.
   */
  async function heldRounds(): Promise<void> {
    sync.stop();
    await sync.idle();
  }

  /** Screenshots of the page in both themes, at 1280×720 and 800×600. */
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

  it('a desk edit to paragraph 3 and a local edit to paragraph 1 merge by themselves: one new backend version, the person told, review shows what came in', async () => {
    const since = Date.now();
    const { slug } = await given.publishedStory('Kestrel drones map the mudflats');

    // Here: the first paragraph gains a sentence (saved, not sent).
    await savedAfter(async () => {
      await page.locator('.editor .cm-line', { hasText: 'mapped the estuary' }).click();
      // End goes to the next wrap point of a wrapped line: pressed until the end of the paragraph.
      for (let i = 0; i < 4; i++) await page.keyboard.press('End');
      await page.keyboard.type(' Otters were seen at dusk.');
    });
    // There: another publisher changes the third paragraph (the quote). No background round
    // until the person's Publish is queued: the Publish is what meets the desk's version.
    await heldRounds();
    const desk = await deskEdit(slug, (b) => b.replace('> A quoted line from the survey.', '> A quoted line from the survey, read aloud.'));
    expect(desk).toBe(2);

    // Publishing the local edit meets the backend's v2: the two merge, and the merge goes out as v3.
    await storySyncBar().getByRole('button', { name: 'Publish', exact: true }).click();
    await expect.poll(storyState).toBe('Publish queued');
    sync.start();
    await expect.poll(storyState, { timeout: 15_000 }).toBe('v3 published on the backend');
    const notice = page.locator('.sync-banner.notice');
    await expect.poll(() => notice.textContent()).toMatch(/^Merged automatically with the backend's v2: The desk changed paragraph 3\./);
    const merged = (await onBackend(slug))!;
    expect(merged.version).toBe(3);
    expect(merged.story.body).toContain('mapped the estuary[1]. Otters were seen at dusk.');
    expect(merged.story.body).toContain('> A quoted line from the survey, read aloud.');
    await expect.poll(editorText).toContain('read aloud.');
    expect(await editorText()).toContain('Otters were seen at dusk.');
    expect(await statusBar().getByTestId('sync-conflicts').count()).toBe(0);
    expect(await page.getByTestId('conflict-view').count()).toBe(0);
    expect(await saveState()).toBe('Saved');

    // One click: review mode on what the merge brought in.
    await notice.getByRole('button', { name: 'Review' }).click();
    const review = page.getByTestId('review');
    await review.waitFor();
    await expect.poll(() => review.getByRole('button', { name: 'What the merge brought in' }).getAttribute('aria-pressed')).toBe('true');
    const changes = review.getByRole('navigation', { name: 'Changes' });
    await expect.poll(() => changes.getByRole('listitem').allTextContents()).toEqual(['Paragraph 3 changed']);
    expect(await review.locator('.review-cell.after ins').allTextContents()).toEqual([', read aloud']);
    // Next change by key: the change is marked current.
    await review.getByRole('button', { name: 'Next change' }).focus();
    await page.keyboard.press('n');
    await expect.poll(() => review.locator('.review-cell.current').count()).toBe(2);
    // "Since last sync" (v3, the merge itself) shows nothing changed; "Since the backend's version" (v2) shows ours.
    await review.getByRole('button', { name: 'Since last sync' }).click();
    await expect.poll(() => review.getByTestId('review-summary').textContent()).toBe('No changes');
    await review.getByRole('button', { name: "Since the backend's version" }).click();
    await expect.poll(() => changes.getByRole('listitem').allTextContents()).toEqual(['Paragraph 1 changed']);
    await review.getByRole('button', { name: 'What the merge brought in' }).click();
    await expect.poll(() => changes.getByRole('listitem').allTextContents()).toEqual(['Paragraph 3 changed']);
    await screenshots('review-merge');
    expectScreenshots('review-merge', since);
    await review.getByRole('button', { name: 'Close review' }).click();
    await notice.getByRole('button', { name: 'Dismiss' }).click();
  });

  it('an overlapping edit opens the conflict view, pre-merged, with exactly that conflict and its choices in words', async () => {
    const since = Date.now();
    // The test's own story, its quote as the desk had it read out.
    const { slug } = await given.publishedStory('Kestrel drones map the saltings', 'A quoted line from the survey, read aloud.');
    // Here and there: the same sentence, differently.
    await savedAfter(() => typeAtEnd(' Herons watched from the reeds.'));
    // (No background round until the person's Publish is queued: the Publish meets the desk's version.)
    await heldRounds();
    const v = await deskEdit(slug, (b) => b.replace('read aloud.', 'read aloud by the warden.').replace('**bold** words', '**bold** new words'));
    await storySyncBar().getByRole('button', { name: 'Publish', exact: true }).click();
    await expect.poll(storyState).toBe('Publish queued');
    sync.start();
    await expect.poll(() => statusText('sync-conflicts'), { timeout: 15_000 }).toBe('1 conflict');
    await expect.poll(storyState).toBe(`In conflict with the backend's v${v}`);
    expect((await onBackend(slug))?.version).toBe(v);

    await page.getByTestId('sync-conflicts').click();
    const view = page.getByTestId('conflict-view');
    await view.waitFor();
    // What merged already is in the text; the one conflict is listed and marked.
    expect(await view.getByTestId('merge-summary').textContent()).toBe(
      'Merged already: the desk changed paragraph 2. One place where you and the desk changed the same words.',
    );
    const list = view.getByTestId('conflict-list');
    expect(await list.getByRole('listitem').count()).toBe(1);
    expect(await list.getByRole('listitem').first().textContent()).toMatch(/^You and the desk both changed paragraph 3/);
    await expect.poll(() => view.locator('.cm-content').innerText()).toContain('**bold** new words');
    expect(await view.locator('.cm-conflict-mine').innerText()).toBe('> A quoted line from the survey, read aloud. Herons watched from the reeds.');
    expect(await view.locator('.cm-conflict-theirs .cm-conflict-text').innerText()).toBe('> A quoted line from the survey, read aloud by the warden.');
    for (const name of ['Keep mine', "Take the desk's", 'Keep both']) expect(await list.getByRole('button', { name, exact: true }).count()).toBe(1);
    expect(await view.getByText('Revert this chunk').count()).toBe(0);
    expect(await view.getByRole('button', { name: 'Send the merge' }).isDisabled()).toBe(true);
    await screenshots('conflict-view');
    expectScreenshots('conflict-view', since);

    // By keyboard: Tab from the conflict's link reaches its choices; Keep both, then send.
    await list.getByRole('button', { name: /Show conflict 1/ }).focus();
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Keep both');
    await page.keyboard.press('Enter');
    await expect.poll(() => list.getByRole('listitem').first().textContent()).toMatch(/kept both$/);
    const text = await view.locator('.cm-content').innerText();
    expect(text).toContain('read aloud. Herons watched from the reeds. > A quoted line from the survey, read aloud by the warden.');
    // Nothing went out while the person was deciding.
    expect((await onBackend(slug))?.version).toBe(v);

    await view.getByRole('button', { name: 'Send the merge' }).click();
    await expect.poll(() => view.count()).toBe(0);
    await expect.poll(storyState, { timeout: 15_000 }).toBe(`v${v + 1} published on the backend`);
    const after = (await onBackend(slug))!;
    expect(after.story.body).toContain('**bold** new words');
    expect(after.story.body).toContain('Herons watched from the reeds.');
    expect(after.story.body).toContain('read aloud by the warden.');
    await expect.poll(editorText).toContain('read aloud by the warden.');
    await expect.poll(() => statusBar().getByTestId('sync-conflicts').count()).toBe(0);
  });

  it('an entity added on the backend reaches the editor’s completion after a sync, with no reload', async () => {
    await given.publishedStory('Kestrel drones map the reedbeds');
    await page.evaluate(() => {
      (window as unknown as { sameDocument: boolean }).sameDocument = true;
    });
    const res = await api(backend, '/api/v1/catalog/entities/otter-watch', backend.tokens.editor, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Otter Watch Collective', type: 'organization', aliases: ['Otter Watch'] }),
    });
    expect(res.status).toBe(201);
    // The page's read of the catalog that has it (an earlier read, of an older stamp, may still be on its way).
    const reloaded = page.waitForResponse(
      async (r) =>
        r.url().endsWith('/api/getCatalog') &&
        r.status() === 200 &&
        ((await r.json()) as { value: Catalog }).value.entities.some((e) => e.slug === 'otter-watch'),
      { timeout: 15_000 },
    );
    // Sync now from its key.
    await page.locator('.editor .cm-content').click();
    await page.keyboard.press('Control+Alt+s');
    await expect.poll(() => lib.catalog()?.data.entities.some((e) => e.slug === 'otter-watch'), { timeout: 15_000 }).toBe(true);
    await reloaded;

    await typeAtEnd(' With ');
    await page.keyboard.type('{{entity:otter');
    await pickCompletion('Otter Watch Collective');
    await expect.poll(editorText).toContain('With {{entity:otter-watch}}');
    expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);
    // The new entity resolves in the preview too.
    await page.getByTestId('preview').locator('a.ref-entity[data-slug="otter-watch"]').waitFor();
    await expect.poll(saveState, { timeout: 5000 }).toBe('Saved');
  });

  it('backend away: the status says offline and the change waits; back: it drains by itself; the browser’s online event syncs at once', async () => {
    const { slug } = await given.publishedStory('Kestrel drones map the sandbanks');
    const before = (await onBackend(slug))!.version;
    proxy.plan = () => ({ kind: 'drop-before' });
    await expect.poll(() => statusText('sync-online'), { timeout: 10_000 }).toBe('Offline');
    await savedAfter(() => typeAtEnd(' Written offline.'));
    await storySyncBar().getByRole('button', { name: 'Publish', exact: true }).click();
    await expect.poll(() => statusText('sync-queued')).toBe('1 queued');
    await expect.poll(storyState).toBe('Publish queued');
    // The service keeps probing (every 0.5 s while offline) and the change keeps waiting.
    const probes = proxy.log.length;
    await expect.poll(() => proxy.log.length, { timeout: 10_000 }).toBeGreaterThan(probes + 2);
    expect(await statusText('sync-queued')).toBe('1 queued');
    expect((await onBackend(slug))!.version).toBe(before);
    await statusBar().screenshot({ path: join(results, 'status-bar-offline.png') });

    const calls = syncNowCalls;
    proxy.plan = () => ({ kind: 'pass' });
    await expect.poll(() => statusText('sync-queued'), { timeout: 15_000 }).toBe('0 queued');
    await expect.poll(() => statusText('sync-online')).toBe('Online');
    await expect
      .poll(
        async () =>
          `${await storyState()} ${await page
            .getByTestId('rejected-banner')
            .textContent({ timeout: 100 })
            .catch(() => '')}`,
      )
      .toBe(`v${before + 1} published on the backend `);
    expect((await onBackend(slug))!.story.body).toContain('Written offline.');
    expect(syncNowCalls).toBe(calls);

    // The browser losing and finding its network: offline at once, and a sync as soon as it is back.
    await context.setOffline(true);
    await expect.poll(() => statusText('sync-online')).toBe('Offline');
    await context.setOffline(false);
    await expect.poll(() => syncNowCalls).toBe(calls + 1);
    await expect.poll(() => statusText('sync-online')).toBe('Online');
  });

  it('a story changed only on the backend comes into the open editor by itself (a fast-forward), nothing to save', async () => {
    const { slug } = await given.publishedStory('Kestrel drones map the creeks');
    await page.evaluate(() => {
      (window as unknown as { sameDocument: boolean }).sameDocument = true;
    });
    const current = (await onBackend(slug))!;
    const { title, dek, beat, citations, published } = current.story as unknown as Record<string, unknown>;
    const body = current.story.body.replace('A second paragraph', 'A revised second paragraph');
    expect(body).not.toBe(current.story.body);
    const put = await putStory(
      backend,
      slug,
      { title, dek, beat, citations, published, body, status: 'published' },
      { token: otherPublisher, ifMatch: `"v${current.version}"` },
    );
    expect(put.status, await put.clone().text()).toBe(200);
    // The background sync pulls it; the editor shows it without a reload and without saving it again.
    await expect.poll(editorText, { timeout: 15_000 }).toContain('A revised second paragraph');
    await expect.poll(storyState).toBe(`v${current.version + 1} published on the backend`);
    expect(await saveState()).toBe('Saved');
    expect(lib.storyBySlug(slug)!.text).toContain('A revised second paragraph');
    expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);
    expect(await statusText('sync-queued')).toBe('0 queued');
  });

  it('a pull never replaces typing: unsaved, or saved over the pulled text already, the person is told, their text stays, and the two merge here when they do not overlap', async () => {
    // The main page looks at another story meanwhile; a second tab, whose timers the test drives,
    // has the story open: the autosave and the status poll fire only when the test says.
    const other = given.draft('Curlews winter on the spit');
    const { title, slug } = await given.publishedStory('Kestrel drones map the saltmarsh');
    await given.opened(other.title);
    const tab = await context.newPage();
    await tab.clock.install();
    await tab.goto(host.url);
    await tab.locator('.story-item', { hasText: title }).first().click();
    const tabState = () => tab.getByTestId('story-sync-state').textContent();
    const tabText = () => tab.locator('.editor .cm-content').evaluate((el) => (el as HTMLElement).innerText);
    const notice = tab.getByRole('status').filter({ hasText: 'updated from the backend while you were typing' });
    await expect.poll(tabState).toMatch(/^v\d+ published on the backend$/);
    const typeInTab = async (text: string) => {
      await tab.locator('.editor .cm-content').click();
      await tab.keyboard.press('Control+End');
      if ((await tab.locator('.editor .cm-activeLine').textContent()) === '') await tab.keyboard.press('ArrowLeft');
      await tab.keyboard.insertText(text);
    };
    /** Someone else edits the first paragraph on the backend, and the host syncs: a fast-forward here. */
    const remoteEditAndPull = async (words: string) => {
      const current = (await onBackend(slug))!;
      const { title, dek, beat, citations, published } = current.story as unknown as Record<string, unknown>;
      const body = current.story.body.replace('mapped the estuary[1].', `mapped the estuary[1]. ${words}`);
      const put = await putStory(
        backend,
        slug,
        { title, dek, beat, citations, published, body, status: 'published' },
        { token: otherPublisher, ifMatch: `"v${current.version}"` },
      );
      expect(put.status, await put.clone().text()).toBe(200);
      await expect
        .poll(async () => {
          await sync.syncNow();
          return lib.storyBySlug(slug)!.text;
        })
        .toContain(words);
    };

    // The rounds are the test's own from here (sync now), none in the background: one between the
    // autosave and the person's Dismiss would merge the two already, its notice in this one's place.
    await heldRounds();

    // 1. The page hears of the pull while the typing is not saved yet: told, nothing replaced.
    await tab.clock.runFor(1500); // the next status poll is due before the autosave of what is typed now
    await typeInTab(' Typed while the pull came.');
    await remoteEditAndPull('Kingfishers nested nearby.');
    await tab.clock.runFor(600);
    await notice.waitFor();
    // The typing is never replaced. (On a loaded machine its autosave may land before the pull, and
    // the two, changing different paragraphs, then merge at once: the backend's words come in too.)
    expect(await tabText()).toContain('Typed while the pull came.');
    await tab.clock.runFor(1000); // the autosave: the person's text is the story's; the backend's is in History
    await expect.poll(() => lib.storyBySlug(slug)!.text).toContain('Typed while the pull came.');
    const revisions = lib.listRevisions(lib.storyBySlug(slug)!.id);
    expect(revisions.some((r) => lib.getRevision(r.id).text.includes('Kingfishers nested nearby.'))).toBe(true);
    await notice.getByRole('button', { name: 'Dismiss' }).click();

    // Once saved over the pulled text, the two would be a conflict; as they changed different
    // paragraphs, the next round merges them here (both in the text, nothing sent: the person had
    // not sent their typing), and the person's Publish sends the merge.
    const id = lib.storyBySlug(slug)!.id;
    const mergeBoth = async (backendWords: string, typed: string) => {
      const versionBefore = (await onBackend(slug))!.version;
      await expect
        .poll(async () => {
          await sync.syncNow();
          return lib.storyBySlug(slug)!.text;
        })
        .toContain(backendWords);
      expect(lib.storyBySlug(slug)!.text).toContain(typed);
      expect((await onBackend(slug))!.version).toBe(versionBefore);
      await tab.clock.runFor(2000);
      await expect.poll(tabText).toContain(backendWords);
      expect(await tabText()).toContain(typed);
      await sync.enqueue(id, 'published');
      await expect.poll(async () => (await sync.syncNow()).queued).toBe(0);
      expect((await onBackend(slug))!.version).toBe(versionBefore + 1);
      expect((await onBackend(slug))!.story.body).toContain(backendWords);
      await tab.clock.runFor(2000);
      await expect.poll(tabState).toBe(`v${versionBefore + 1} published on the backend`);
    };
    await mergeBoth('Kingfishers nested nearby.', 'Typed while the pull came.');
    expect((await onBackend(slug))!.story.body).toContain('Typed while the pull came.');

    // 2. The autosave saved over the pulled text before the page heard of the pull: told all the same.
    // (No background round meanwhile: one would merge the two before the page hears, and the page
    // would then show the merge, which the unit tests of followLibrary cover.)
    heldEvents = [];
    await typeInTab(' Typed before the autosave.');
    await remoteEditAndPull('Spoonbills waded in.');
    await tab.clock.runFor(1000); // the autosave first
    await expect.poll(() => lib.storyBySlug(slug)!.text).toContain('Typed before the autosave.');
    expect(await notice.count()).toBe(0);
    const held = heldEvents;
    heldEvents = null;
    for (const send of held) send(); // then the page hears of the pull
    await notice.waitFor();
    expect(await tabText()).toContain('Typed before the autosave.');
    expect(await tabText()).not.toContain('Spoonbills waded in.');
    await mergeBoth('Spoonbills waded in.', 'Typed before the autosave.');
    sync.start();
    await tab.close();
    await page.getByRole('searchbox', { name: 'Search stories' }).click();
    await page.keyboard.press('Control+A');
    await page.keyboard.type('saltmarsh');
    await page.locator('.search-hit', { hasText: title }).first().click();
    await page.getByRole('searchbox', { name: 'Search stories' }).click();
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Backspace');
    await expect.poll(editorText).toContain('Typed before the autosave.');
    await expect.poll(editorText).toContain('Spoonbills waded in.');
    await expect.poll(() => statusText('sync-queued')).toBe('0 queued');
    const final = (await onBackend(slug))!.story.body;
    for (const words of ['Typed while the pull came.', 'Kingfishers nested nearby.', 'Typed before the autosave.', 'Spoonbills waded in.'])
      expect(final).toContain(words);
  });

  it('withdraws the story from its key, after a confirmation: its public page is gone', async () => {
    const { slug } = await given.publishedStory('Kestrel drones map the shingle');
    await expect.poll(() => storySyncBar().getByRole('button').allTextContents()).toContain('Withdraw…');
    const version = (await onBackend(slug))!.version;
    await page.keyboard.press('Control+Alt+Shift+w');
    const confirm = page.getByTestId('confirm-dialog');
    await confirm.waitFor();
    // Cancel first: nothing happens.
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => confirm.count()).toBe(0);
    expect(await statusText('sync-queued')).toBe('0 queued');
    await page.keyboard.press('Control+Alt+Shift+w');
    await confirm.getByRole('button', { name: 'Withdraw', exact: true }).click();
    await expect.poll(storyState, { timeout: 15_000 }).toMatch(/^v\d+ withdrawn on the backend$/);
    const withdrawn = (await onBackend(slug))!;
    expect(withdrawn.status).toBe('withdrawn');
    expect(await storyState()).toBe(`v${withdrawn.version} withdrawn on the backend`);
    expect(withdrawn.version).toBeGreaterThan(version);
    expect((await fetch(`${backend.url}/stories/${slug}`)).status).toBe(410);
    // Off the site, the story is a draft again here (the accepted withdrawal written back, issue 11 #1).
    await expect.poll(() => lib.storyBySlug(slug)!.text).toMatch(/^status: draft$/m);
  });

  it('takes screenshots of the status bar and the backend settings in both themes', async () => {
    await given.loggedIn();
    const since = Date.now();
    for (const theme of ['light', 'dark'] as const) {
      await page.keyboard.press(theme === 'light' ? 'Control+Alt+1' : 'Control+Alt+2');
      await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe(theme);
      await expect.poll(() => statusText('sync-online')).toBe('Online');
      await page.locator('footer.status-bar').screenshot({ path: join(results, `status-bar-${theme}.png`) });
      await page.keyboard.press('Control+,');
      const dialog = page.getByTestId('settings-dialog');
      await dialog.getByTestId('backend-account').waitFor();
      await dialog.getByTestId('publishing-backend').scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(results, `settings-backend-${theme}.png`) });
      await page.keyboard.press('Escape');
      await expect.poll(() => dialog.count()).toBe(0);
    }
    // (The conflict view's and the merge review's are checked by the tests that take them.)
    for (const name of ['status-bar', 'settings-backend']) expectScreenshots(name, since);
  });

  it('never lets the token out: not in any answer of the API, the page, the library file or the host’s output', async () => {
    // A story of its own synced, and a refused token offered through the host, as the settings send it.
    const { slug } = await given.publishedStory('Kestrel drones count the godwits');
    await given.refusedToken('not-a-real-token');
    const tokens = [backend.tokens.publisher, 'not-a-real-token'];
    // Every read method of window.studio, on every story, revision and format.
    const answers = await page.evaluate(async () => {
      const s = window.studio!;
      const out: unknown[] = [];
      const stories = [...(await s.listStories({})), ...(await s.listStories({ trashed: true }))];
      out.push(
        stories,
        await s.getCatalog({}),
        await s.getSettings({}),
        await s.syncStatus({}),
        await s.search({ query: 'the' }),
        await s.search({ query: 'kestrel' }),
      );
      for (const st of stories) {
        out.push(await s.getStory({ id: st.id }), await s.storySync({ id: st.id }));
        for (const format of ['md', 'text', 'html'] as const) out.push(await s.exportStory({ id: st.id, format }));
        const revisions = await s.listRevisions({ id: st.id });
        out.push(revisions);
        for (const r of revisions) out.push(await s.getRevision({ revisionId: r.id }));
      }
      return JSON.stringify(out);
    });
    expect(answers.length).toBeGreaterThan(10_000);
    expect(answers).toContain(slug);
    const html = await page.content();
    // The token exists, where it should be: in the vault's file only (a check that can find it).
    expect(readFileSync(credentialsFile, 'utf8')).toContain(backend.tokens.publisher);
    const libraryBytes = ['', '-wal', '-shm']
      .map((suffix) => libraryFile + suffix)
      .filter(existsSync)
      .map((f) => readFileSync(f));
    expect(libraryBytes.length).toBeGreaterThan(0);
    const output = hostOutput.join('\n');
    for (const token of tokens) {
      expect(answers.includes(token), 'API answers').toBe(false);
      expect(html.includes(token), 'page HTML').toBe(false);
      for (const bytes of libraryBytes) expect(bytes.includes(Buffer.from(token)), 'library file').toBe(false);
      expect(output.includes(token), 'host output').toBe(false);
    }
    expect(dialogs).toEqual([]);
    expect(pageErrors.filter((e) => !/Failed to load resource: net::ERR_INTERNET_DISCONNECTED|status of 400/.test(e))).toEqual([]);
  });
});
