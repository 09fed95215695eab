/**
 * Review notes end to end (issue 14), typing like a person: two studios (two libraries, two browser
 * hosts, two Chromium pages) on the reference backend. The editor selects a sentence and adds a note,
 * syncs; the writer's studio pulls it, sees it on the same sentence, edits the paragraph around it
 * and replies; the editor resolves it from review mode, beside the rendered text; both studios show it
 * resolved.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHandlers, watchHostEvents } from '../../electron/services/api-handlers.js';
import { Library } from '../../electron/services/library/index.js';
import { sampleCatalogPath } from '../../electron/services/paths.js';
import { SyncService } from '../../electron/services/sync-service/index.js';
import { MemoryVault } from '../../electron/services/vault/index.js';
import { startHost, type RunningHost } from '../../electron/host/server.js';
import { api, startServer, type TestServer } from '../server/helpers.js';
import { storyText } from '../sync/helpers/stories.js';
import { CHROMIUM, hasChromium, results, root } from './writing-harness.js';

const SLUG = 'notes-e2e-heron-survey-7a8b';
const TITLE = `Story ${SLUG}`;
const SENTENCE = 'The minister denied the report on Tuesday.';
const BODY = `Herons returned to the marsh this spring.\n\nOfficials met in the capital. ${SENTENCE} Aides declined to comment.\n`;

interface Desk {
  lib: Library;
  sync: SyncService;
  host: RunningHost;
  page: Page;
}

let backend: TestServer;
let browser: Browser;
let dir: string;
const desks: Desk[] = [];

async function desk(name: string, token: string, theme: 'light' | 'dark'): Promise<Desk> {
  const lib = Library.open(join(dir, `${name}.sqlite`), { seed: { catalogPath: sampleCatalogPath() } });
  const sync = new SyncService({ library: lib, vault: new MemoryVault(), intervalMs: 0 });
  await sync.login(backend.url, token);
  const host = await startHost({
    handlers: createHandlers(lib, undefined, sync),
    staticDir: join(root, 'dist/renderer'),
    events: (emit) => watchHostEvents(sync, emit),
  });
  const page = await browser.newPage({ viewport: { width: 1280, height: 720 }, colorScheme: theme });
  await page.goto(host.url);
  const d = { lib, sync, host, page };
  desks.push(d);
  return d;
}

/** Clicks just before (or just after) some text of the editor, where a person would put the caret. */
async function clickText(page: Page, text: string, side: 'before' | 'after'): Promise<void> {
  const at = await page.locator('.editor .cm-content').evaluate(
    (root, [t, where]) => {
      const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const i = n.textContent!.indexOf(t!);
        if (i === -1) continue;
        const range = document.createRange();
        const offset = where === 'before' ? i : i + t!.length;
        range.setStart(n, offset);
        range.setEnd(n, offset);
        const r = range.getBoundingClientRect();
        return { x: r.left + (where === 'before' ? 1 : -1), y: r.top + r.height / 2 };
      }
      return null;
    },
    [text, side] as const,
  );
  if (!at) throw new Error(`"${text}" is not in the editor`);
  await page.mouse.click(at.x, at.y);
}

const syncNow = async (page: Page) => {
  await page.locator('.editor .cm-content').click();
  await page.keyboard.press('Control+Alt+s');
};

describe.skipIf(!hasChromium)('review notes in two studios (Chromium, browser hosts, reference backend)', () => {
  beforeAll(async () => {
    mkdirSync(results, { recursive: true });
    backend = await startServer();
    dir = mkdtempSync(join(tmpdir(), 'notes-e2e-'));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
    });
  });
  afterAll(async () => {
    for (const d of desks.splice(0)) {
      await d.page.close();
      await d.host.close();
      d.lib.close();
    }
    await browser?.close();
    await backend?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('an editor notes a sentence; the writer sees it there after editing around it and replies; the editor resolves it; both show it resolved', async () => {
    const editor = await desk('editor', backend.tokens.editor, 'light');
    // The story is under review on the backend (the editor's studio submitted it).
    const id = editor.lib.putBySlug(SLUG, storyText(SLUG, BODY)).id;
    await editor.sync.enqueue(id, 'review');
    await editor.sync.run();
    await editor.page.reload();

    // The editor opens it, selects the sentence with the keyboard and adds a note.
    const ep = editor.page;
    await ep.locator('.story-item', { hasText: TITLE }).first().click();
    await clickText(ep, 'The minister', 'before');
    for (let i = 0; i < SENTENCE.length; i++) await ep.keyboard.press('Shift+ArrowRight');
    // Right-click on the selection: the menu offers "Add note…" (Ctrl+Alt+M does the same).
    const box = await ep.locator('.editor .cm-selectionBackground').first().boundingBox();
    await ep.mouse.click(box!.x + box!.width / 2, box!.y + box!.height / 2, { button: 'right' });
    await ep.getByRole('menuitem', { name: 'Add note…' }).click();
    const field = ep.getByRole('textbox', { name: 'New note' });
    await expect.poll(() => field.evaluate((el) => el === document.activeElement)).toBe(true);
    await ep.keyboard.type('This claim needs a second source.');
    await ep.keyboard.press('Enter');
    const panel = ep.getByRole('complementary', { name: 'Review notes' });
    await expect.poll(() => panel.textContent()).toContain('This claim needs a second source.');
    await expect.poll(() => ep.locator('.editor .cm-note').first().textContent()).toBe(SENTENCE);
    // What waits is counted as waiting, until the backend has it.
    await expect.poll(() => ep.getByTestId('sync-status').textContent()).toContain('1 queued');
    await ep.screenshot({ path: join(results, 'notes-editor-light-1280.png') });
    await syncNow(ep);
    await expect.poll(() => panel.textContent(), { timeout: 15_000 }).not.toContain('Waiting to be sent');
    await expect.poll(() => ep.getByTestId('sync-status').textContent()).toContain('0 queued');
    const remote = async () =>
      (
        (await (await api(backend, `/api/v1/stories/${SLUG}/notes`, backend.tokens.publisher)).json()) as {
          items: { body: string; state: string; replyTo: string | null }[];
        }
      ).items;
    expect(await remote()).toEqual([expect.objectContaining({ body: 'This claim needs a second source.', state: 'open' })]);

    // The writer's studio pulls the story and the note: the note is on the same sentence.
    const writer = await desk('writer', backend.tokens.writer, 'dark');
    const wp = writer.page;
    await writer.sync.run(); // the first pull brings the story into the writer's library
    await wp.reload();
    await wp.locator('.story-item', { hasText: TITLE }).first().click();
    await wp.getByRole('button', { name: /^Notes/ }).click();
    await expect.poll(() => wp.locator('.editor .cm-note').first().textContent(), { timeout: 15_000 }).toBe(SENTENCE);
    // The writer edits the paragraph around the sentence, then replies.
    await clickText(wp, 'to comment.', 'after');
    await wp.keyboard.type(' A spokesman later confirmed the meeting.');
    await clickText(wp, 'Officials met', 'before');
    await wp.keyboard.type('On Monday, ');
    await expect.poll(() => wp.locator('.editor .cm-note').first().textContent()).toBe(SENTENCE);
    const wpanel = wp.getByRole('complementary', { name: 'Review notes' });
    await wpanel.getByRole('button', { name: 'Reply' }).click();
    await wp.keyboard.type('Added the ministry’s statement in the next paragraph.');
    await wp.keyboard.press('Enter');
    await expect.poll(() => wpanel.textContent()).toContain('Added the ministry’s statement');
    await wp.screenshot({ path: join(results, 'notes-writer-dark-1280.png') });
    await syncNow(wp);
    await expect.poll(async () => (await remote()).filter((n) => n.replyTo).length, { timeout: 15_000 }).toBe(1);

    // The editor syncs, sees the reply, resolves the note; both studios show it resolved.
    await syncNow(ep);
    await expect.poll(() => panel.textContent(), { timeout: 15_000 }).toContain('Added the ministry’s statement');
    // In review mode the note stands beside the block of its sentence, and is resolved from there.
    await ep.keyboard.press('Control+Alt+r');
    const notesCell = ep.getByTestId('review').locator('.review-cell.notes', { has: ep.locator('.review-notes') });
    await expect.poll(() => notesCell.textContent(), { timeout: 10_000 }).toContain('This claim needs a second source.');
    expect(await notesCell.evaluate((el) => el.previousElementSibling?.textContent ?? '')).toContain(SENTENCE);
    await ep.screenshot({ path: join(results, 'notes-review-light-1280.png') });
    await notesCell.getByRole('button', { name: 'Resolve' }).click();
    await expect.poll(() => notesCell.textContent()).toContain('Reopen');
    await ep.keyboard.press('Control+Alt+r');
    await expect.poll(() => panel.textContent()).toContain('Resolved (1)');
    await syncNow(ep);
    await expect.poll(async () => (await remote()).find((n) => !n.replyTo)?.state, { timeout: 15_000 }).toBe('resolved');
    await syncNow(wp);
    await expect.poll(() => wpanel.textContent(), { timeout: 15_000 }).toContain('Resolved (1)');
    await wp.setViewportSize({ width: 800, height: 600 });
    await wp.screenshot({ path: join(results, 'notes-writer-dark-800.png') });
    await ep.setViewportSize({ width: 800, height: 600 });
    await ep.screenshot({ path: join(results, 'notes-editor-light-800.png') });
  });
});
