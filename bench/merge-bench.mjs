// Three-way merge (issue 11): a 10,000-word story with 50 scattered edits on each side, merged from
// its texts (a fresh parse each time, as a sync does), beside a plain two-way word diff of the same
// texts (jsdiff's diffWords of the base against the local text), the floor any comparison pays.
import { diffWords } from 'diff';
import { performance } from 'node:perf_hooks';
import { mergeStories } from '../dist/shared/index.js';
import { generateCatalog, generateStory, median, report, rng } from './bench-util.mjs';

/** The text with `count` words replaced at random places, each side its own words. */
function scatter(text, count, word, r, taken) {
  const at = [];
  const re = /\b[a-z]{4,}\b/g;
  for (let m = re.exec(text); m; m = re.exec(text)) at.push([m.index, m[0].length]);
  const picks = new Set();
  while (picks.size < count) {
    const i = Math.floor(r() * at.length);
    // Not next to a word the other side edits: scattered edits, not overlapping ones.
    if (![i - 2, i - 1, i, i + 1, i + 2].some((j) => taken.has(j))) picks.add(i);
  }
  for (const i of picks) taken.add(i);
  let out = text;
  for (const i of [...picks].sort((a, b) => b - a)) {
    const [from, len] = at[i];
    out = out.slice(0, from) + `${word}${i}` + out.slice(from + len);
  }
  return out;
}

export async function run() {
  const { slugs } = generateCatalog(1_000);
  const body = generateStory({ words: 10_000, slugs });
  const base = `---\ntitle: Merge bench\nbeat: beat-1\nstatus: draft\n---\n\n${body}`;
  const r = rng(11);
  const taken = new Set();
  const local = scatter(base, 50, 'local', r, taken);
  const remote = scatter(base, 50, 'remote', r, taken);
  const check = mergeStories(base, local, remote);
  if (!check.clean || (check.text.match(/\blocal\d+/g) ?? []).length !== 50 || (check.text.match(/\bremote\d+/g) ?? []).length !== 50) {
    throw new Error(`merge bench: expected a clean merge holding all 100 edits (conflicts: ${check.conflicts.length})`);
  }
  const ours = [];
  const peer = [];
  for (let i = 0; i < 3; i++) {
    mergeStories(base, local, remote);
    diffWords(base, local);
  }
  for (let i = 0; i < 15; i++) {
    let s = performance.now();
    diffWords(base, local);
    peer.push(performance.now() - s);
    s = performance.now();
    mergeStories(base, local, remote);
    ours.push(performance.now() - s);
  }
  const ms = median(ours);
  report('Three-way merge', [
    {
      name: `merge a ${body.split(/\s+/).length}-word story, 50 scattered edits per side (${check.changes.length} changes told)`,
      ours: ms,
      peer: median(peer),
      peerName: 'two-way diffWords of base → local',
      target: '≤ 50 ms',
      pass: ms <= 50,
    },
  ]);
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
