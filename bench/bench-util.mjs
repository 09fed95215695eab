// Shared helpers of the benchmarks: generated catalogs and stories, medians, a printed table.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

/** A deterministic pseudo-random generator, so every run measures the same text. */
export function rng(seed = 42) {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

const TYPES = ['person', 'organization', 'state', 'government', 'product', 'technology', 'legislation', 'concept'];

/** A catalog of `n` entities, 50 beats and 1,000 stories. */
export function generateCatalog(n) {
  const entities = [];
  const slugs = [];
  for (let i = 0; i < n; i++) {
    const slug = `entity-${i.toString(36)}-${((i * 7919) % 10007).toString(36)}`;
    slugs.push(slug);
    entities.push({ slug, name: `Entity ${i} Name`, type: TYPES[i % TYPES.length], aliases: [`E${i}`] });
  }
  const beats = Array.from({ length: 50 }, (_, i) => ({ slug: `beat-${i}`, name: `Beat ${i}` }));
  const stories = Array.from({ length: 1000 }, (_, i) => ({ slug: `story-${i}-abcd`, title: `Story ${i}`, beat: `beat-${i % 50}` }));
  return { catalog: { entities, beats, stories }, slugs };
}

const WORDS = 'the model release drew a quiet response from builders who kept shipping local tools while regulators argued about weights and moats'.split(' ');

/** A story body of about `bytes` characters or `words` words, with references, citations, lists and quotes. */
export function generateStory({ bytes, words, slugs }) {
  const r = rng(7);
  const out = [];
  let size = 0;
  let count = 0;
  let para = 0;
  while (bytes ? size < bytes : count < words) {
    const parts = [];
    const n = 40 + Math.floor(r() * 60);
    for (let i = 0; i < n; i++) {
      const x = r();
      if (x < 0.02) parts.push(`{{entity:${slugs[Math.floor(r() * slugs.length)]}|Entity}}`);
      else if (x < 0.025) parts.push(`{{beat:beat-${Math.floor(r() * 50)}}}`);
      else if (x < 0.03) parts.push('[¹]');
      else if (x < 0.04) parts.push('*emphasis*');
      else parts.push(WORDS[Math.floor(r() * WORDS.length)]);
    }
    count += n;
    const kind = para++ % 12;
    const text =
      kind === 5
        ? `> ${parts.join(' ')}`
        : kind === 9
          ? `- ${parts.slice(0, 20).join(' ')}\n- ${parts.slice(20).join(' ')}`
          : kind === 0
            ? `## ${parts.slice(0, 6).join(' ')}\n\n${parts.join(' ')}`
            : parts.join(' ');
    out.push(text);
    size += text.length + 2;
  }
  return `${out.join('\n\n')}\n`;
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

export function percentile(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

/** Prints one table: measurement, ours, the peer, the ratio and the target. */
export function report(title, rows) {
  console.log(`\n## ${title}`);
  for (const r of rows) {
    const ratio = r.peer ? `  ratio ${(r.ours / r.peer).toFixed(2)}× vs ${r.peerName} (${fmt(r.peer)})` : '';
    console.log(`- ${r.name}: ${fmt(r.ours)}${ratio}  [target ${r.target}: ${r.pass ? 'met' : 'NOT met'}]`);
  }
}

function fmt(ms) {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(2)} ms`;
}

const TICK_MS = (() => {
  try {
    return 1000 / Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
  } catch {
    return 10;
  }
})();

/**
 * CPU time of a process (all its threads), in ms, from /proc (Linux; elsewhere null). On a machine
 * whose cores are shared, rates swing with the neighbours' load; CPU time per request much less.
 */
export function cpuMs(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return null;
  }
}

/** Bundles TypeScript sources (the app's own, as its build does) into `outfile` and imports that bundle afresh. */
export async function importBundled(outfile, options) {
  const { build } = await import('esbuild');
  await build({ ...options, outfile, bundle: true, platform: 'node', format: 'esm', packages: 'external', logLevel: 'warning' });
  return import(`${pathToFileURL(outfile).href}?t=${Date.now()}`);
}
