/**
 * The published page in a real browser (playwright-core + the system Chromium): references are
 * links, clicking a citation marker jumps to the list, and the page logs no console error (the
 * CSP would report any script or blocked resource there). Skipped, saying so, without Chromium.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putStory, sampleStory, startServer, type TestServer } from './helpers.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`browser.test.ts: skipped, no Chromium at ${CHROMIUM} (set CHROMIUM_PATH)`);

describe.skipIf(!haveChromium)('the public story page in Chromium', () => {
  let s: TestServer;
  let browser: import('playwright-core').Browser;
  beforeAll(async () => {
    s = await startServer({ siteInfo: { name: 'The Daily Example', description: 'Open models, closely watched.' } });
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
      ...Array.from({ length: 40 }, (_, i) => `Filler paragraph ${i} so that the citation list is below the fold.`)
        .join('\n\n')
        .split('\n'),
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
    // No executable script: the one script element is the JSON-LD data block.
    expect(await page.locator('script:not([type="application/ld+json"])').count()).toBe(0);
    expect(await page.locator('script[type="application/ld+json"]').count()).toBe(1);

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

  it('hostile titles and deks stay text in Chromium: no dialog, no error, the XML outputs parse; screenshots of the front and a story page', async () => {
    const title = 'Hostile </script><script>alert(1)</script> "quoted" <img src=x onerror=alert(2)> \u0007 end';
    const dek = 'A dek with </title><svg onload=alert(3)> & \u0001 things';
    const now = Date.now();
    for (let i = 0; i < 3; i++) {
      const r = await putStory(
        s,
        `browser-extra-${i}`,
        sampleStory({
          status: 'published',
          title: `An ordinary headline about open models, number ${i + 1}`,
          dek: 'What a dek looks like on the front page: a sentence that says why the story matters.',
          published: new Date(now - (i + 2) * 3600_000).toISOString(),
        }),
        { token: s.tokens.publisher, ifNoneMatch: '*' },
      );
      expect(r.status).toBe(201);
    }
    const r = await putStory(s, 'browser-hostile', sampleStory({ status: 'published', title, dek, published: new Date(now).toISOString() }), {
      token: s.tokens.publisher,
      ifNoneMatch: '*',
    });
    expect(r.status).toBe(201);
    const shown = title.replace(/[\u0000-\u001f]/g, '');
    const results = join(import.meta.dirname, '../../test-results/public-site');
    mkdirSync(results, { recursive: true });
    for (const scheme of ['light', 'dark'] as const) {
      for (const [width, height] of [
        [1280, 720],
        [800, 600],
      ] as const) {
        const context = await browser.newContext({ colorScheme: scheme, viewport: { width, height } });
        const page = await context.newPage();
        const problems: string[] = [];
        page.on('dialog', (d) => {
          problems.push(`dialog: ${d.message()}`);
          void d.dismiss();
        });
        page.on('pageerror', (e) => problems.push(String(e)));
        page.on('console', (m) => {
          if (m.type() === 'error') problems.push(m.text());
        });
        await page.goto(`${s.url}/`);
        expect(await page.locator('a.title').first().textContent()).toBe(shown);
        expect(await page.locator('.site-name').textContent()).toBe('The Daily Example');
        await page.screenshot({ path: join(results, `front-${scheme}-${width}x${height}.png`) });
        await page.locator('a.title').first().click();
        await page.waitForURL(`${s.url}/stories/browser-hostile`);
        expect(await page.locator('h1').first().textContent()).toBe(shown);
        expect(await page.title()).toBe(shown.replace(/\s+/g, ' '));
        const ld = JSON.parse((await page.locator('script[type="application/ld+json"]').textContent()) ?? '');
        expect(ld.headline).toBe(shown);
        expect(await page.locator('img, svg').count()).toBe(0);
        await page.screenshot({ path: join(results, `story-${scheme}-${width}x${height}.png`) });
        if (scheme === 'light' && width === 1280) {
          for (const path of ['/feed.xml', '/beats/open-source-ai/feed.xml', '/sitemap.xml', '/news-sitemap.xml']) {
            await page.goto(`${s.url}${path}`);
            // Chromium shows malformed XML as a <parsererror>; well-formed XML as its tree.
            expect(await page.locator('parsererror').count(), path).toBe(0);
          }
        }
        expect(problems).toEqual([]);
        await context.close();
      }
    }
  });
});
