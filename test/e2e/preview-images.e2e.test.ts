// Issue 15 #9: the preview never fetches a remote image by itself. Typing an image's address used
// to request every prefix of it, and opening a story with a tracking pixel fired the pixel; now a
// remote image is a button until the person clicks it.
import { join } from 'node:path';
import type { Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { editorText, hasChromium, newStory, openStudio, results, saved, type Studio } from './writing-harness.js';

// A 1×1 transparent PNG, what the "remote" host answers once an image is asked for on purpose.
const PIXEL = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64');

let studio: Studio;
const page = (): Page => studio.page;
/** Every request the page sent to the remote image host, since the page opened. */
const remote: string[] = [];

async function watchRemote(p: Page): Promise<void> {
  await p.route('https://images.example/**', (route) => route.fulfill({ status: 200, contentType: 'image/png', body: PIXEL }));
  p.on('request', (r: Request) => {
    if (new URL(r.url()).hostname === 'images.example') remote.push(r.url());
  });
}

const shot = async (name: string) => {
  for (const theme of ['light', 'dark'] as const) {
    await page().evaluate((t) => (document.documentElement.dataset.theme = t), theme);
    await page()
      .getByTestId('preview')
      .screenshot({ path: join(results, `preview-remote-image-${name}-${theme}.png`) });
  }
  await page().evaluate(() => (document.documentElement.dataset.theme = 'light'));
};

describe.skipIf(!hasChromium)('remote images in the preview (issue 15 #9)', () => {
  beforeAll(async () => {
    studio = await openStudio();
    await watchRemote(page());
  });
  afterAll(async () => {
    await studio?.close();
  });

  it('typing an image address sends nothing; opening the story again sends nothing; a click loads that image alone', async () => {
    await newStory(page());
    await page().keyboard.type('Pixel test');
    await page().keyboard.press('Enter');
    await page().keyboard.type('Before the image. ![A tracking pixel](https://images.example/pixel.png?id=42) After it.');
    await expect.poll(() => editorText(page())).toContain('![A tracking pixel](https://images.example/pixel.png?id=42) After it.');
    await saved(page());
    await expect.poll(() => page().getByTestId('preview').textContent()).toContain('After it.');
    expect(remote).toEqual([]);
    const button = page().getByRole('button', { name: /Load the image "A tracking pixel" from images\.example/ });
    await expect.poll(() => button.count()).toBe(1);

    // Another story, then this one opened again from the list (as a pulled story is opened).
    await newStory(page());
    await page().keyboard.type('Another story');
    await saved(page());
    await page().locator('.story-list .story-item', { hasText: 'Pixel test' }).first().click();
    await expect.poll(() => page().getByTestId('preview').textContent()).toContain('After it.');
    await expect.poll(() => button.count()).toBe(1);
    expect(await page().getByTestId('preview').locator('img').count()).toBe(0);
    expect(remote).toEqual([]);
    await shot('1280');
    await page().setViewportSize({ width: 800, height: 600 });
    await shot('800');
    await page().setViewportSize({ width: 1280, height: 720 });

    // A click asks for that one image, and shows it.
    await button.click();
    const img = page().getByTestId('preview').getByRole('img', { name: 'A tracking pixel' });
    await expect.poll(() => img.evaluate((el) => (el as HTMLImageElement).complete && (el as HTMLImageElement).naturalWidth)).toBe(1);
    expect(remote).toEqual(['https://images.example/pixel.png?id=42']);

    // Typing elsewhere in the same paragraph keeps the image the person asked for, and asks for nothing more.
    await page().locator('.cm-content').click();
    await page().keyboard.press('Control+End');
    await page().keyboard.type(' More.');
    await expect.poll(() => page().getByTestId('preview').textContent()).toContain('After it. More.');
    expect(await img.count()).toBe(1);
    expect(remote).toEqual(['https://images.example/pixel.png?id=42']);
    expect(studio.problems).toEqual([]);
  });
});
