/**
 * Issue 11 #4 against the reference backend: after a 422, the backend's findings follow the text
 * through the edits made since (never drawn over the front matter); those whose words were edited
 * are kept apart as "before your last edit"; what the local lint also says is not said twice.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { carryFindings, type Catalog, type Diagnostic } from '../../shared/index.js';
import { storyStanding } from '../../shared/api/sync.js';
import { Library } from '../../electron/services/library/index.js';
import { sampleCatalogPath } from '../../electron/services/paths.js';
import { SyncService } from '../../electron/services/sync-service/index.js';
import { MemoryVault } from '../../electron/services/vault/index.js';
import { startServer, type TestServer } from '../server/helpers.js';
import { storyText } from './helpers/stories.js';

const finding = (from: number, to: number, rule = 'ref-unknown'): Diagnostic => ({
  rule,
  severity: 'error',
  message: `m ${from}`,
  line: 1,
  column: 1,
  from,
  to,
});

describe('carryFindings', () => {
  const sent = 'Para one.\n\nThe {{entity:a}} here.\n\nThe {{entity:b}} there.\n';
  it('moves a finding with its words, sets apart one whose words were edited, drops one the local lint makes', () => {
    const a = sent.indexOf('{{entity:a}}');
    const b = sent.indexOf('{{entity:b}}');
    const now = `A new first paragraph.\n\n${sent.replace('{{entity:b}}', '{{entity:bb}}')}`;
    const { placed, stale } = carryFindings([finding(a, a + 12), finding(b, b + 12)], sent, now);
    const at = now.indexOf('{{entity:a}}');
    expect(placed).toEqual([{ ...finding(a, a + 12), from: at, to: at + 12, line: 5, column: 5 }]);
    expect(stale).toEqual([finding(b, b + 12)]);
    // The local lint says the first one already, at the same place: said once.
    expect(carryFindings([finding(a, a + 12)], sent, now, [finding(at, at + 12)]).placed).toEqual([]);
  });

  it('costs time linear in the text: 200 findings on a text twice as long take about twice as long', () => {
    const text = (n: number) => Array.from({ length: n }, (_, i) => `Paragraph ${i} with {{entity:x${i}}} in it.`).join('\n\n');
    const inputs = [5_000, 10_000, 20_000, 40_000].map((n) => {
      const t = text(n);
      const fs = Array.from({ length: 200 }, (_, i) => {
        const at = t.indexOf(`{{entity:x${i * Math.floor(n / 200)}}}`);
        return finding(at, at + 5);
      });
      return { t, edited: `Top.\n\n${t}`, fs };
    });
    // The best CPU time of three interleaved rounds (as test/security/linear-time.test.ts): other work
    // on the machine does not count. Linear grows 2× a doubling, quadratic 4×; one doubling of the
    // three must stay under 2.5×.
    const cpu = () => {
      const u = process.cpuUsage();
      return (u.user + u.system) / 1000;
    };
    const best = inputs.map(() => Infinity);
    for (let round = 0; round < 3; round++) {
      for (const [i, x] of inputs.entries()) {
        const start = cpu();
        carryFindings(x.fs, x.t, x.edited);
        best[i] = Math.min(best[i]!, cpu() - start);
      }
    }
    const growth = best.slice(1).map((ms, i) => ms / Math.max(best[i]!, 0.01));
    expect(Math.min(...growth), best.map((ms) => ms.toFixed(1)).join(' → ')).toBeLessThan(2.5);
  });
});

let backend: TestServer;
let dir: string;
let lib: Library;
let sync: SyncService;

beforeEach(async () => {
  backend = await startServer();
  dir = mkdtempSync(join(tmpdir(), 'findings-drift-'));
  lib = Library.open(join(dir, 'library.sqlite'), { seed: { catalogPath: sampleCatalogPath() } });
  sync = new SyncService({ library: lib, vault: new MemoryVault(), intervalMs: 0 });
  await sync.login(backend.url, backend.tokens.writer);
  // The library knows an entity the backend does not (after the login's catalog pull): the check
  // here passes, the backend refuses.
  const local = lib.catalog()!.data as Catalog;
  lib.setCatalog({ ...local, entities: [...local.entities, { slug: 'heron-trust', name: 'Heron Trust', type: 'organization', aliases: [] }] });
});
afterEach(async () => {
  lib.close();
  await backend.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("the backend's findings after edits (issue 11 #4)", () => {
  it('follow the text through an edit and a reopen; an edited one is set apart, never on the front matter', async () => {
    const body = 'First, the {{entity:heron-trust|Heron Trust}} spoke.\n\nA quiet middle.\n\nLast, the {{entity:heron-trust|trust}} voted.\n';
    const text = storyText('drifting-findings-d1e2', body);
    const id = lib.putBySlug('drifting-findings-d1e2', text).id;
    const checked = await sync.enqueue(id, 'review');
    expect(checked.check, JSON.stringify(checked.check)).toMatchObject({ queued: true });
    await sync.run();
    let s = (await sync.storySync(id)).rejected!;
    const lineOf = (t: string, needle: string) => t.slice(0, t.indexOf(needle)).split('\n').length;
    expect(s.diagnostics.map((d) => [d.rule, d.line])).toEqual([
      ['ref-unknown', lineOf(text, 'the {{entity:heron-trust|Heron')],
      ['ref-unknown', lineOf(text, 'the {{entity:heron-trust|trust')],
    ]);
    expect(s.stale).toEqual([]);

    // A paragraph added at the top and the last reference's label rewritten, saved; then the story is read again (a reopen).
    const edited = text.replace('First, the', 'A new opening line.\n\nFirst, the').replace('{{entity:heron-trust|trust}}', '{{entity:heron-trust|the trust}}');
    lib.saveStory(id, edited);
    s = (await sync.storySync(id)).rejected!;
    const head = edited.indexOf('\n---\n') + 5;
    expect(s.diagnostics).toHaveLength(1);
    const placed = s.diagnostics[0]!;
    expect(placed.from).toBeGreaterThanOrEqual(head);
    expect(edited.slice(placed.from, placed.to)).toBe('{{entity:heron-trust|Heron Trust}}');
    expect(placed.line).toBe(lineOf(edited, 'the {{entity:heron-trust|Heron'));
    expect(s.stale!.map((d) => d.rule)).toEqual(['ref-unknown']);
    // Still two problems the backend found.
    expect(storyStanding(await sync.storySync(id)).label).toBe('Rejected: 2 problems');
  });
});
