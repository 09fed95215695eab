// The studio on a big library, in Debian Chromium through the browser host (issue 13):
// 1. cold start on the 100,000-story library (target ≤ 0.8 s to an editable story): from spawning
//    `node dist/host/main.js --library <100,000 stories>` to the page showing the app's shell, the
//    first library row, and an editable story: the story open last, reopened at start (the daily
//    start), and, with the settings naming none (a library's first start), the first row clicked
//    once it shows. The peer spawns a bare node:http server and loads a one-line page, on the same
//    machine, in the same run.
// 2. the renderer's heap once the 100,000-story list is shown (target < 150 MB), after a forced
//    garbage collection (CDP HeapProfiler.collectGarbage, Runtime.getHeapUsage), beside a blank page's.
// 3. importing 1,000 story files through the Import… picker into a new library (target ≤ 20 s),
//    with the progress line seen moving before the end.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { bigLibraryFile } from './app-library-bench.mjs';
import { percentile, report } from './bench-util.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'];
const RUNS = 3;
const IMPORTS = 1000;

/** Spawns a server that prints its URL; resolves with the child and the URL. */
function serve(args) {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d) => {
      out += d;
      const m = /(http:\/\/127\.0\.0\.1:\d+\/\S*)/.exec(out);
      if (m) resolve({ child, url: m[1] });
    });
    child.stderr.setEncoding('utf8').on('data', (d) => (err += d));
    child.on('exit', (code) => reject(new Error(`server exited (${code}) before printing its URL: ${err.trim()}`)));
  });
}

async function stop(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const done = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await done;
}

const BARE = `const s = require('node:http').createServer((q, r) => { r.setHeader('content-type', 'text/html'); r.end('<!doctype html><title>bare</title><p>ready</p>'); });
s.listen(0, '127.0.0.1', () => console.log('running at http://127.0.0.1:' + s.address().port + '/')); process.on('SIGTERM', () => process.exit(0));`;

/** The used JS heap of the page, in MB, after a full garbage collection. */
async function heapMb(page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = await cdp.send('Runtime.getHeapUsage');
  await cdp.detach();
  return usedSize / 2 ** 20;
}

/**
 * The settings beside the library say which story was open last: the studio reopens it at start.
 * `reopen: false` takes it out first, so the first row is clicked instead (a library's first start).
 */
function forgetLastStory(file) {
  const settings = join(dirname(file), 'settings.json');
  if (!existsSync(settings)) return;
  const { lastStory: _, ...rest } = JSON.parse(readFileSync(settings, 'utf8'));
  writeFileSync(settings, JSON.stringify(rest));
}

async function coldStart(browser, file, { reopen }) {
  if (!reopen) forgetLastStory(file);
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  const page = await context.newPage();
  const t0 = performance.now();
  const { child, url } = await serve([join(root, 'dist/host/main.js'), '--no-open', '--port', '0', '--library', file]);
  const editable = () =>
    page.waitForFunction(() => (document.querySelector('.cm-content[contenteditable="true"]')?.textContent ?? '').length > 40, undefined, {
      timeout: 60_000,
    });
  try {
    await page.goto(url);
    await page.getByTestId('new-story').waitFor();
    const shell = performance.now() - t0;
    const first = page.locator('.story-list .story-item').first();
    let list;
    if (reopen) {
      // The story open last, editable without a click (it was clicked in the run before).
      await editable();
      await first.waitFor({ timeout: 120_000 });
      list = performance.now() - t0;
    } else {
      await first.waitFor({ timeout: 120_000 });
      list = performance.now() - t0;
      if ((await page.locator('.cm-content').count()) > 0) throw new Error('a story opened at start though the settings name none');
      await first.click();
      await editable();
    }
    const ready = performance.now() - t0;
    // The heap once the whole list is in the page (the first screen shows the newest 200 at once).
    await page.waitForFunction(() => Number(document.querySelector('.story-list')?.getAttribute('data-count')) > 1000, undefined, { timeout: 120_000 });
    const rows = Number(await page.locator('.story-list').getAttribute('data-count'));
    const drawn = await page.locator('.story-list li').count();
    return { shell, list, editable: ready, rows, drawn, heap: await heapMb(page) };
  } finally {
    await context.close();
    await stop(child);
  }
}

async function bare(browser) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  const page = await context.newPage();
  const t0 = performance.now();
  const { child, url } = await serve(['-e', BARE]);
  try {
    await page.goto(url);
    await page.locator('p').waitFor();
    return { total: performance.now() - t0, heap: await heapMb(page) };
  } finally {
    await context.close();
    await stop(child);
  }
}

async function importMany(browser) {
  const dir = mkdtempSync(join(tmpdir(), 'studio-bench-import-'));
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  const page = await context.newPage();
  const { child, url } = await serve([join(root, 'dist/host/main.js'), '--no-open', '--port', '0', '--library', join(dir, 'lib.sqlite')]);
  try {
    await page.goto(url);
    await page.locator('.story-list .story-item').first().waitFor();
    const files = Array.from({ length: IMPORTS }, (_, i) => ({
      name: `import-${i}.md`,
      mimeType: 'text/markdown',
      buffer: Buffer.from(
        `---\ntitle: Imported story ${i}\nbeat: ai-policy\nstatus: draft\n---\nThe {{entity:eu|EU}} met on day ${i}.[¹]\n\nA second paragraph of story ${i}, long enough to be a paragraph.\n`,
      ),
    }));
    const seen = new Set();
    const t0 = performance.now();
    await page.getByTestId('import-input').setInputFiles(files);
    const progress = page.getByTestId('import-progress');
    for (;;) {
      const text = (await progress.textContent().catch(() => '')) ?? '';
      if (text) seen.add(text);
      if (text === `Imported ${IMPORTS} of ${IMPORTS} files`) break;
      if (performance.now() - t0 > 300_000) throw new Error(`the import did not finish: ${text}`);
      await page.waitForTimeout(50);
    }
    return { ms: performance.now() - t0, steps: seen.size };
  } finally {
    await context.close();
    await stop(child);
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run() {
  if (!existsSync(CHROMIUM)) {
    console.log(`(app big library bench skipped: ${CHROMIUM} is missing)`);
    return [];
  }
  if (!existsSync(join(root, 'dist/host/main.js')) || !existsSync(join(root, 'dist/renderer/index.html')))
    execFileSync(process.execPath, [join(root, 'scripts/build.mjs'), 'host', 'app'], { stdio: 'inherit' });
  const file = await bigLibraryFile();
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  const results = [];
  let heapLine = '';
  try {
    const clicked = [];
    const reopened = [];
    const peers = [];
    for (let i = 0; i < RUNS; i++) {
      clicked.push(await coldStart(browser, file, { reopen: false }));
      reopened.push(await coldStart(browser, file, { reopen: true }));
      peers.push(await bare(browser));
    }
    const ours = [...clicked, ...reopened];
    const p = (xs, k) =>
      percentile(
        xs.map((x) => x[k]),
        50,
      );
    const peerName = 'spawn a bare node:http server + load a one-line page';
    const n = ours[0].rows.toLocaleString('en');
    const peerWorst = Math.max(...peers.map((x) => x.total));
    results.push({
      name: `cold start on ${n} stories → the app's shell, p50 of ${ours.length}`,
      ours: p(ours, 'shell'),
      peer: p(peers, 'total'),
      peerName,
      target: 'reported',
      pass: true,
    });
    results.push({
      name: `cold start on ${n} stories → first library row, p50`,
      ours: p(ours, 'list'),
      peer: p(peers, 'total'),
      peerName,
      target: 'reported',
      pass: true,
    });
    // A studio reopens the story open last: the start a newsroom meets every day.
    const worst = Math.max(...reopened.map((o) => o.editable));
    results.push({
      name: `cold start on ${n} stories → the story open last, editable, worst of ${RUNS}`,
      ours: worst,
      peer: peerWorst,
      peerName,
      target: '≤ 0.8 s',
      pass: worst <= 800,
    });
    // No story open last (the library's first start): the first row is clicked once it shows.
    const worstClicked = Math.max(...clicked.map((o) => o.editable));
    results.push({
      name: `cold start on ${n} stories → first row clicked, editable, worst of ${RUNS}`,
      ours: worstClicked,
      peer: peerWorst,
      peerName,
      target: '≤ 0.8 s',
      pass: worstClicked <= 800,
    });
    const heap = Math.max(...ours.map((o) => o.heap));
    heapLine = `- renderer heap with the ${ours[0].rows.toLocaleString('en')}-story list shown (${ours[0].drawn} rows drawn): ${heap.toFixed(1)} MB  beside the bare page's ${Math.max(...peers.map((x) => x.heap)).toFixed(1)} MB  [target < 150 MB: ${heap < 150 ? 'met' : 'NOT met'}]`;
    const imp = await importMany(browser);
    results.push({
      name: `import ${IMPORTS.toLocaleString('en')} files through Import… (progress seen at ${imp.steps} steps)`,
      ours: imp.ms,
      target: '≤ 20 s',
      pass: imp.ms <= 20_000 && imp.steps > 2,
    });
  } finally {
    await browser.close();
  }
  report('app on a big library (Chromium, browser host)', results);
  if (heapLine) console.log(heapLine);
  return results;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await run();
