// Issue 15 #7, as a person meets it: a site address the studio cannot use is refused in the
// settings dialog (typed, not filled), and one already stored is reported and reset at start
// instead of a blank page. Screenshots of the dialog's error state in both themes and two sizes.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SITE } from '../../shared/index.js';
import { createHandlers } from '../../electron/services/api-handlers.js';
import { Library } from '../../electron/services/library/index.js';
import { sampleCatalogPath, sampleStoriesDir } from '../../electron/services/paths.js';
import { startHost, type RunningHost } from '../../electron/host/server.js';
import { CHROMIUM, hasChromium, results } from './writing-harness.js';

let browser: Browser;
beforeAll(async () => {
  if (!hasChromium) return;
  mkdirSync(results, { recursive: true });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
  });
});
afterAll(async () => {
  await browser?.close();
});

/** A host over a fresh library whose stored settings are `stored`, and a page on it. */
async function open(stored: Record<string, unknown> | null, viewport = { width: 1280, height: 720 }) {
  const dir = mkdtempSync(join(tmpdir(), 'studio-site-e2e-'));
  const lib = Library.open(join(dir, 'lib.sqlite'), { seed: { catalogPath: sampleCatalogPath(), storiesDir: sampleStoriesDir() } });
  if (stored) lib.setSetting('studio', stored);
  const host: RunningHost = await startHost({ handlers: createHandlers(lib), staticDir: join(process.cwd(), 'dist/renderer') });
  const page: Page = await browser.newPage({ viewport });
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  // The one-time address a launched browser gets (issue 15 #8): the page exchanges it for the secret.
  await page.goto(host.openUrl());
  return {
    page,
    lib,
    pageErrors,
    close: async () => {
      await page.close();
      await host.close();
      lib.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function typeSite(page: Page, site: string) {
  await page.keyboard.press('Control+,');
  const field = page.getByRole('textbox', { name: 'Site URL' });
  await field.waitFor();
  await field.click();
  await page.keyboard.press('Control+a');
  await page.keyboard.type(site);
  await page.keyboard.press('Enter');
}

describe.skipIf(!hasChromium)('the site setting (issue 15 #7)', () => {
  it('refuses ftp:// and an address with a query in the dialog, in words, and keeps the working one', async () => {
    const s = await open({ site: 'https://news.example.org', theme: 'light' });
    try {
      await s.page.locator('.story-list .story-item').first().waitFor();
      await typeSite(s.page, 'ftp://files.example.org/');
      const alert = s.page.getByRole('dialog').getByRole('alert');
      await expect.poll(() => alert.textContent()).toMatch(/not an http\(s\) URL/);
      expect(await s.page.getByRole('dialog').count()).toBe(1);
      await s.page.screenshot({ path: join(results, 'settings-site-error-light-1280.png') });
      await s.page.setViewportSize({ width: 800, height: 600 });
      await s.page.screenshot({ path: join(results, 'settings-site-error-light-800.png') });
      await s.page.setViewportSize({ width: 1280, height: 720 });

      const field = s.page.getByRole('textbox', { name: 'Site URL' });
      await field.click();
      await s.page.keyboard.press('Control+a');
      await s.page.keyboard.type('https://news.example.org/?utm_source=studio');
      await s.page.keyboard.press('Enter');
      await expect.poll(() => alert.textContent()).toMatch(/query or fragment/);
      expect((s.lib.getSetting('studio') as { site: string }).site).toBe('https://news.example.org');
      await s.page.keyboard.press('Escape');
      await expect.poll(() => s.page.getByRole('dialog').count()).toBe(0);

      // The dark theme's error state, at both sizes.
      await s.page.keyboard.press('Control+Shift+P');
      await s.page.keyboard.type('dark');
      await s.page.keyboard.press('Enter');
      await expect.poll(() => s.page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
      await typeSite(s.page, 'ftp://files.example.org/');
      await expect.poll(() => alert.textContent()).toMatch(/not an http\(s\) URL/);
      await s.page.screenshot({ path: join(results, 'settings-site-error-dark-1280.png') });
      await s.page.setViewportSize({ width: 800, height: 600 });
      await s.page.screenshot({ path: join(results, 'settings-site-error-dark-800.png') });
      await s.page.setViewportSize({ width: 1280, height: 720 });
      await s.page.keyboard.press('Escape');

      // The page still works, on the site it had.
      await s.page.reload();
      await s.page.locator('.story-list .story-item').first().click();
      await expect.poll(() => s.page.locator('.preview a.ref').first().getAttribute('href')).toMatch(/^https:\/\/news\.example\.org\//);
      expect(s.pageErrors).toEqual([]);
    } finally {
      await s.close();
    }
  });

  it('a stored ftp:// site is reported and reset at start: the studio opens, never a blank page', async () => {
    const s = await open({ site: 'ftp://files.example.org/', theme: 'dark' });
    try {
      await s.page.locator('.story-list .story-item').first().waitFor();
      const toast = s.page.getByRole('alert').filter({ hasText: 'site setting' });
      await expect
        .poll(() => toast.textContent())
        .toContain(`"ftp://files.example.org/" could not be used (not an http(s) URL): it was reset to ${DEFAULT_SITE}`);
      await s.page.screenshot({ path: join(results, 'settings-site-reset-dark-1280.png') });
      await s.page.locator('.story-list .story-item').first().click();
      await expect.poll(() => s.page.locator('.preview a.ref').first().getAttribute('href')).toMatch(new RegExp(`^${DEFAULT_SITE.replace(/\./g, '\\.')}/`));
      expect(s.lib.getSetting('studio') as { site: string; theme: string }).toMatchObject({ site: DEFAULT_SITE, theme: 'dark' });
      expect(s.pageErrors).toEqual([]);
    } finally {
      await s.close();
    }
  });
});
