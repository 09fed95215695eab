import { build } from 'esbuild';
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../electron/services/paths.js';

// The preview's block patcher (renderer/preview/block-html.ts) on a real DOM: Chromium, with the
// patcher, the shared renderer and DOMPurify bundled into the page.
const CHROMIUM = '/usr/bin/chromium';
const root = packageRoot();

let browser: Browser | undefined;
let page: Page;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) return;
  const bundle = await build({
    stdin: {
      contents: [
        "export { BlockHtml } from './renderer/preview/block-html.ts';",
        "export { sanitizeStoryHtml } from './renderer/preview/sanitize.ts';",
        "export { IncrementalRender, renderMarkdown } from './shared/index.ts';",
      ].join('\n'),
      resolveDir: root,
      loader: 'ts',
      sourcefile: 'block-html-entry.ts',
    },
    bundle: true,
    format: 'iife',
    globalName: 'patcher',
    platform: 'browser',
    write: false,
    logLevel: 'warning',
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
  page = await browser.newPage();
  await page.setContent('<div id="body"></div>');
  await page.addScriptTag({ content: bundle.outputFiles[0]!.text });
  await page.evaluate(() => {
    type P = {
      BlockHtml: new (el: HTMLElement) => { update(b: unknown): void; replaced: number };
      IncrementalRender: new () => { renderBlocks(body: string, line: number): unknown };
      renderMarkdown(body: string, o: { lineOffset: number }): string;
      sanitizeStoryHtml(html: string): string;
    };
    const p = (window as unknown as { patcher: P }).patcher;
    const el = document.getElementById('body')!;
    const patch = new p.BlockHtml(el);
    const inc = new p.IncrementalRender();
    Object.assign(window, {
      show(body: string, line: number) {
        patch.update(inc.renderBlocks(body, line));
        return { html: el.innerHTML, full: p.sanitizeStoryHtml(p.renderMarkdown(body, { lineOffset: line })), replaced: patch.replaced };
      },
      tagAll() {
        for (const c of el.children) (c as HTMLElement & { tagged?: boolean }).tagged = true;
      },
      tagged: () => [...el.children].map((c) => !!(c as HTMLElement & { tagged?: boolean }).tagged),
    });
  });
});

afterAll(async () => {
  await browser?.close();
});

type Shown = { html: string; full: string; replaced: number };
const show = (body: string, line = 5) =>
  page.evaluate(([b, l]) => (window as unknown as { show(b: string, l: number): Shown }).show(b, l), [body, line] as const);
const paras = (n: number) => Array.from({ length: n }, (_, i) => `Paragraph ${i} with *some* text.`).join('\n\n');

describe.skipIf(!existsSync(CHROMIUM))('preview block patcher (real DOM)', () => {
  it('shows what a full render shows, sanitised, after edits, replacing only the blocks that changed', async () => {
    let body = `# Title\n\n${paras(40)}\n\n- a\n- b\n\n> quote\n`;
    let r = await show(body);
    expect(r.html).toBe(r.full);
    await page.evaluate(() => (window as unknown as { tagAll(): void }).tagAll());
    // A keystroke in paragraph 20: one block replaced, the others are the same elements.
    const at = body.indexOf('Paragraph 20 ') + 'Paragraph 20'.length;
    body = `${body.slice(0, at)}x${body.slice(at)}`;
    r = await show(body);
    expect(r.html).toBe(r.full);
    expect(r.html).toContain('Paragraph 20x with');
    expect(r.replaced).toBe(1);
    const tagged = await page.evaluate(() => (window as unknown as { tagged(): boolean[] }).tagged());
    expect(tagged.filter((t) => !t)).toHaveLength(1);
    expect(tagged[21]).toBe(false);
    // A new line above moves every block after it: their data-line values shift, their elements stay.
    body = `${body.slice(0, at)}\n\nNew one${body.slice(at)}`;
    r = await show(body);
    expect(r.html).toBe(r.full);
    expect(r.replaced).toBeLessThanOrEqual(3);
    // The front matter grows: every block moves by a line.
    r = await show(body, 6);
    expect(r.html).toBe(r.full);
    expect(r.replaced).toBe(0);
    // Blocks joined and split, lists, quotes, a fence opened and closed.
    for (const edit of ['\n- c', '```\n', 'text', '```\n', '', '> more\n']) {
      body = `${body.slice(0, 30)}${edit}${body.slice(30)}`;
      r = await show(body, 6);
      expect(r.html).toBe(r.full);
    }
    r = await show('');
    expect(r.html).toBe('');
  });
});
