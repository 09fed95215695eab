// Story core benchmarks (issue 3): render beside plain markdown-it, lint against a 100,000-entity
// catalog, catalog indexing. Ratios are against a peer measured in the same run.
import MarkdownIt from 'markdown-it';
import { performance } from 'node:perf_hooks';
import { init as initMd4w, mdToHtml } from 'md4w';
import { IncrementalLint, IncrementalRender, lintStory, loadCatalog, parseStory, renderMarkdown } from '../dist/shared/index.js';
import { generateCatalog, generateStory, median, report } from './bench-util.mjs';

export async function run() {
  const results = [];

  // 1. Render a 1 MB story beside plain markdown-it (CommonMark, no HTML) on the same text.
  const { catalog: bigCatalog, slugs } = generateCatalog(100_000);
  const t0 = performance.now();
  const index = loadCatalog(bigCatalog);
  const indexMs = performance.now() - t0;
  const body = generateStory({ bytes: 1_000_000, slugs });
  const plain = new MarkdownIt('commonmark', { html: false });
  const renderOurs = () => renderMarkdown(body, { catalog: index });
  const renderPlain = () => plain.render(body);
  for (let i = 0; i < 3; i++) {
    renderOurs();
    renderPlain();
  }
  const ours = [],
    peer = [];
  for (let i = 0; i < 15; i++) {
    let s = performance.now();
    renderPlain();
    peer.push(performance.now() - s);
    s = performance.now();
    renderOurs();
    ours.push(performance.now() - s);
  }
  results.push({
    name: `render 1 MB story (${(body.length / 1e6).toFixed(2)} MB)`,
    ours: median(ours),
    peer: median(peer),
    peerName: 'plain markdown-it',
    target: 'ratio ≤ 1.3',
    pass: median(ours) / median(peer) <= 1.3,
  });

  // 2. Lint a 10,000-word story against the 100,000-entity catalog (already indexed).
  const story = parseStory(`---\ntitle: Bench\nbeat: beat-1\n---\n${generateStory({ words: 10_000, slugs })}`);
  const words = story.body.split(/\s+/).length;
  for (let i = 0; i < 5; i++) lintStory(story, index);
  const lintTimes = [];
  for (let i = 0; i < 30; i++) {
    const s = performance.now();
    lintStory(story, index);
    lintTimes.push(performance.now() - s);
  }
  const lintMs = median(lintTimes);
  // Peer: markdown-it parsing the same body, the floor any lint built on the parser pays.
  const parseTimes = [];
  for (let i = 0; i < 30; i++) {
    const s = performance.now();
    plain.parse(story.body, {});
    parseTimes.push(performance.now() - s);
  }
  results.push({
    name: `lint ${words}-word story, 100,000-entity catalog`,
    ours: lintMs,
    peer: median(parseTimes),
    peerName: 'markdown-it parse of the body',
    target: '≤ 10 ms',
    pass: lintMs <= 10,
  });

  // 2b. The same lint as a person meets it: from the text (a fresh parse each time), issue 9.
  const text10k = `---\ntitle: Bench\nbeat: beat-1\n---\n${generateStory({ words: 10_000, slugs })}`;
  for (let i = 0; i < 5; i++) lintStory(parseStory(text10k), index);
  const fromText = [];
  for (let i = 0; i < 30; i++) {
    const s = performance.now();
    lintStory(parseStory(text10k), index);
    fromText.push(performance.now() - s);
  }
  results.push({
    name: `lint ${words}-word story from its text (fresh parse each time)`,
    ours: median(fromText),
    peer: median(parseTimes),
    peerName: 'markdown-it parse of the body',
    target: '≤ 10 ms',
    pass: median(fromText) <= 10,
  });

  // 2c. A keystroke on a 200,000-word story (issue 13): the incremental render and lint beside a
  // full render by plain markdown-it and by md4w (md4c in WebAssembly), and a full lint.
  await initMd4w();
  const bigText = `---\ntitle: Bench\nbeat: beat-1\n---\n${generateStory({ words: 200_000, slugs })}`;
  const bigStory = parseStory(bigText);
  const bigBody = bigStory.body;
  const inc = new IncrementalRender({ catalog: index });
  const incLint = new IncrementalLint();
  inc.render(bigBody, bigStory.bodyStart.line);
  incLint.lint(bigStory, index);
  // Keystrokes typed into the middle of the story, one character at a time, each a new text.
  const mid = bigText.indexOf(' ', Math.floor(bigText.length / 2));
  const keystrokes = Array.from({ length: 60 }, (_, i) => bigText.slice(0, mid) + 'x'.repeat(i + 1) + bigText.slice(mid));
  const renderKey = [],
    lintKey = [];
  let previous = bigStory;
  for (const [i, t] of keystrokes.entries()) {
    const story = parseStory(t);
    let s = performance.now();
    inc.render(story.body, story.bodyStart.line);
    renderKey.push(performance.now() - s);
    // What the editor tells the linter of each keystroke (its transaction's changed range): an 'x'
    // typed at `mid + i`, the rest of the text left alone.
    const at = mid + i - story.bodyStart.offset;
    s = performance.now();
    incLint.edited(previous.body, story.body, { prefix: at, suffix: previous.body.length - at });
    incLint.lint(story, index);
    lintKey.push(performance.now() - s);
    previous = story;
  }
  const fullRender = [],
    md4wRender = [],
    fullLint = [];
  for (let i = 0; i < 5; i++) {
    let s = performance.now();
    plain.render(bigBody);
    fullRender.push(performance.now() - s);
    s = performance.now();
    mdToHtml(bigBody);
    md4wRender.push(performance.now() - s);
    s = performance.now();
    lintStory(parseStory(keystrokes[i]), index);
    fullLint.push(performance.now() - s);
  }
  const p95 = (xs) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.95))];
  const bigWords = bigBody.split(/\s+/).length;
  results.push({
    name: `keystroke → body HTML, ${bigWords}-word story (incremental, p50 ${median(renderKey).toFixed(2)} / p95 ${p95(renderKey).toFixed(2)} ms)`,
    ours: p95(renderKey),
    peer: median(fullRender),
    peerName: `plain markdown-it full render (md4w: ${median(md4wRender).toFixed(1)} ms)`,
    target: 'p95 ≤ 16 ms',
    pass: p95(renderKey) <= 16,
  });
  results.push({
    name: `re-lint after a keystroke, ${bigWords}-word story (incremental)`,
    ours: median(lintKey),
    peer: median(fullLint),
    peerName: 'full lint from the text',
    target: 'median ≤ 1 ms',
    pass: median(lintKey) <= 1,
  });

  // 3. Catalog indexing (validation + index) of 100,000 entities.
  results.push({ name: 'catalog load + index, 100,000 entities', ours: indexMs, target: 'reported', pass: true });
  report('story core', results);
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
