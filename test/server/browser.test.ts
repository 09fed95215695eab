/**
 * The published page in a real browser (playwright-core + the system Chromium): references are
 * links, clicking a citation marker jumps to the list, and the page logs no console error (the
 * CSP would report any script or blocked resource there). Skipped, saying so, without Chromium.
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putStory, sampleStory, startServer, type TestServer } from './helpers.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`browser.test.ts: skipped, no Chromium at ${CHROMIUM} (set CHROMIUM_PATH)`);

describe.skipIf(!haveChromium)('the public story page in Chromium', () => {
  let s: TestServer;
  let browser: import('playwright-core').Browser;
  beforeAll(async () => {
    s = await startServer();
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await s?.close();
  });

  it('shows references as links, jumps to citations, logs no console errors', async () => {
    const body = [
      'When {{entity:sam-altman|Altman}} spoke about {{entity:openai}}, the {{beat:open-source-ai|open-source crowd}} listened[1].',
      '',
      ...Array.from({ length: 40 }, (_, i) => `Filler paragraph ${i} so that the citation list is below the fold.`).join('\n\n').split('\n'),
      '',
      'A second source backs this up[²].',
      '',
    ].join('\n');
    const r = await putStory(s, 'browser-check', sampleStory({ status: 'published', body }), { token: s.tokens.publisher, ifNoneMatch: '*' });
    expect(r.status).toBe(201);

    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(String(e)));
    const res = await page.goto(`${s.url}/stories/browser-check`);
    expect(res?.status()).toBe(200);

    const refs = page.locator('a.ref-entity');
    expect(await refs.count()).toBe(2);
    expect(await refs.first().getAttribute('href')).toBe(`${s.url}/entities/sam-altman`);
    expect(await page.locator('a.ref-beat').first().getAttribute('href')).toBe(`${s.url}/beats/open-source-ai`);
    expect(await page.locator('script').count()).toBe(0);

    const list = page.locator('ol.citations li#cite-2');
    await page.locator('sup.cite a[href="#cite-2"]').click();
    await page.waitForFunction(() => location.hash === '#cite-2');
    expect(await list.isVisible()).toBe(true);
    const inView = await list.evaluate((el) => {
      const b = el.getBoundingClientRect();
      return b.top >= 0 && b.top < window.innerHeight;
    });
    expect(inView).toBe(true);

    // Following a reference opens the entity's page, which lists the story.
    await refs.first().click();
    await page.waitForURL(`${s.url}/entities/sam-altman`);
    expect(await page.locator('a.title', { hasText: sampleStory().title }).count()).toBe(1);
    expect(problems).toEqual([]);
    await page.close();
  });
});
