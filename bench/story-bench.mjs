// Story core benchmarks (issue 3): render beside plain markdown-it, lint against a 100,000-entity
// catalog, catalog indexing. Ratios are against a peer measured in the same run.
import MarkdownIt from 'markdown-it';
import { performance } from 'node:perf_hooks';
import { lintStory, loadCatalog, parseStory, renderMarkdown } from '../dist/shared/index.js';
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
  for (let i = 0; i < 3; i++) { renderOurs(); renderPlain(); }
  const ours = [], peer = [];
  for (let i = 0; i < 15; i++) {
    let s = performance.now(); renderPlain(); peer.push(performance.now() - s);
    s = performance.now(); renderOurs(); ours.push(performance.now() - s);
  }
  results.push({
    name: `render 1 MB story (${(body.length / 1e6).toFixed(2)} MB)`,
    ours: median(ours), peer: median(peer), peerName: 'plain markdown-it', target: 'ratio ≤ 1.3', pass: median(ours) / median(peer) <= 1.3,
  });

  // 2. Lint a 10,000-word story against the 100,000-entity catalog (already indexed).
  const story = parseStory(`---\ntitle: Bench\nbeat: beat-1\n---\n${generateStory({ words: 10_000, slugs })}`);
  const words = story.body.split(/\s+/).length;
  for (let i = 0; i < 5; i++) lintStory(story, index);
  const lintTimes = [];
  for (let i = 0; i < 30; i++) { const s = performance.now(); lintStory(story, index); lintTimes.push(performance.now() - s); }
  const lintMs = median(lintTimes);
  // Peer: markdown-it parsing the same body, the floor any lint built on the parser pays.
  const parseTimes = [];
  for (let i = 0; i < 30; i++) { const s = performance.now(); plain.parse(story.body, {}); parseTimes.push(performance.now() - s); }
  results.push({
    name: `lint ${words}-word story, 100,000-entity catalog`,
    ours: lintMs, peer: median(parseTimes), peerName: 'markdown-it parse of the body', target: '≤ 10 ms', pass: lintMs <= 10,
  });

  // 3. Catalog indexing (validation + index) of 100,000 entities.
  results.push({ name: 'catalog load + index, 100,000 entities', ours: indexMs, target: 'reported', pass: true });
  report('story core', results);
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
