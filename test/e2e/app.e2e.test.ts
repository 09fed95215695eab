import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHandlers } from '../../electron/services/api-handlers.js';
import { Library } from '../../electron/services/library/index.js';
import { packageRoot, sampleCatalogPath, sampleStoriesDir } from '../../electron/services/paths.js';
import { startHost, type RunningHost } from '../../electron/host/server.js';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`[e2e] skipped: ${CHROMIUM} is missing (apt-get install -y chromium)`);

const root = packageRoot();
const results = join(root, 'test-results');
let dir: string;
let lib: Library;
let host: RunningHost;
let browser: Browser;
let page: Page;

describe.skipIf(!hasChromium)('studio in Chromium (browser host)', () => {
  beforeAll(async () => {
    if (!existsSync(join(root, 'dist/renderer/index.html'))) {
      execFileSync(process.execPath, [join(root, 'scripts/build.mjs'), 'app'], { stdio: 'inherit' });
    }
    mkdirSync(results, { recursive: true });
    dir = mkdtempSync(join(tmpdir(), 'studio-e2e-'));
    lib = Library.open(join(dir, 'lib.sqlite'), { seed: { catalogPath: sampleCatalogPath(), storiesDir: sampleStoriesDir() } });
    host = await startHost({ handlers: createHandlers(lib), staticDir: join(root, 'dist/renderer') });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
    });
    page = await browser.newPage({ viewport: { width: 1500, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('response', (r) => {
      if (r.status() >= 400) errors.push(`${r.status()} ${r.url()}`);
    });
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    await page.goto(host.url);
    await page.locator('.story-list .story-item').first().waitFor();
    expect(errors).toEqual([]);
  });

  afterAll(async () => {
    if (page) await page.screenshot({ path: join(results, 'app-final.png') }).catch(() => undefined);
    await browser?.close();
    await host?.close();
    lib?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
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
    const link = page.locator('[data-testid=preview] a.ref-entity[data-slug="sam-altman"]');
    await link.waitFor();
    expect(await link.textContent()).toBe('Sam Altman');
    await page.screenshot({ path: join(results, 'app-completion.png') });
  });

  it('underlines a lint finding and applies its fix from the keyboard', async () => {
    await page.keyboard.press('Control+End');
    await page.keyboard.insertText(' Later, {{entity:sam-altman|Karpathy}} disagreed.');
    await page.keyboard.press('Escape');
    const warning = page.locator('.cm-lintRange-warning').first();
    await warning.waitFor();
    await warning.click();
    await page.keyboard.press('Control+.');
    const content = page.locator('.cm-content');
    await expect.poll(() => content.textContent()).toContain('{{entity:andrej-karpathy|Karpathy}}');
    await page.locator('[data-testid=preview] a.ref-entity[data-slug="andrej-karpathy"]').waitFor();
    await expect.poll(() => page.locator('.cm-lintRange-warning').count()).toBe(0);
    await expect.poll(() => page.getByTestId('save-state').textContent(), { timeout: 5000 }).toBe('Saved');
  });

  it('searches the library and opens the hit', async () => {
    const box = page.getByRole('searchbox', { name: 'Search stories' });
    await box.fill('zebrafinch');
    const hit = page.locator('.search-hit', { hasText: 'Untitled story' }).first();
    await hit.waitFor();
    expect(await hit.locator('mark').first().textContent()).toMatch(/zebrafinch/i);
    await box.fill('warehouse robots');
    await page.locator('.search-hit', { hasText: /warehouse/i }).first().click();
    await expect.poll(() => page.locator('.cm-content').textContent()).toMatch(/title: .*[Ww]arehouse/);
    await page.locator('[data-testid=preview] h1', { hasText: /Warehouse/i }).waitFor();
    await page.screenshot({ path: join(results, 'app-search.png') });
  });

  it('marks unresolved references in the editor and the preview, and sanitises the preview', async () => {
    await page.getByTestId('new-story').click();
    await page.locator('.cm-content').click();
    await page.keyboard.press('Control+End');
    await page.keyboard.insertText('Meet {{entity:nobody-we-know|Nobody}} <img src=x onerror=alert(1)> [x](javascript:alert(1)).');
    await page.keyboard.press('Escape');
    await page.locator('.cm-ref-unresolved').first().waitFor();
    const unresolved = page.locator('[data-testid=preview] .ref-unresolved[data-slug="nobody-we-know"]');
    await unresolved.waitFor();
    expect(await page.locator('[data-testid=preview] img, [data-testid=preview] [onerror], [data-testid=preview] a[href^="javascript"]').count()).toBe(0);
    await page.locator('.cm-lintRange-error').first().waitFor();
  });

  it('keeps the editor and the preview scrolled together, both ways', async () => {
    await page.getByRole('searchbox', { name: 'Search stories' }).fill('twelve signals');
    await page.locator('.search-hit', { hasText: /Twelve Signals/ }).first().click();
    await expect.poll(() => page.locator('.cm-content').textContent()).toContain('Twelve Signals');
    const scroller = page.locator('.cm-scroller');
    const preview = page.getByTestId('preview');
    await scroller.evaluate((el) => { el.scrollTop = (el.scrollHeight - el.clientHeight) * 0.7; });
    await expect.poll(() => preview.evaluate((el) => el.scrollTop)).toBeGreaterThan(100);
    await preview.evaluate((el) => { el.scrollTop = 0; });
    await expect.poll(() => scroller.evaluate((el) => el.scrollTop)).toBe(0);
    // Halfway down the preview, the editor shows the body, past the front matter.
    await preview.evaluate((el) => { el.scrollTop = (el.scrollHeight - el.clientHeight) * 0.5; });
    await expect.poll(() => scroller.evaluate((el) => el.scrollTop)).toBeGreaterThan(400);
  });

  it('switches to the dark theme and saves within a second of typing', async () => {
    const themeButton = page.getByRole('button', { name: /^Theme:/ });
    while (!(await themeButton.textContent())?.includes('dark')) await themeButton.click();
    await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    await page.locator('.cm-content').click();
    await page.keyboard.press('Control+End');
    await page.keyboard.insertText(' One more line.');
    const started = Date.now();
    await expect.poll(() => page.getByTestId('save-state').textContent(), { timeout: 3000, interval: 50 }).toBe('Saved');
    expect(Date.now() - started).toBeLessThan(1800);
    await page.screenshot({ path: join(results, 'app-dark.png') });
  });
});
