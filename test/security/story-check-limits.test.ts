/**
 * Security battery, story checks (issue 15 #3, the server's side): a check in a story worker has a
 * time limit, so a story that is slow to lint answers 422 and never holds up health or other PUTs.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../server/app.js';
import { hashToken, newToken } from '../../server/auth.js';
import { SqliteStore } from '../../server/store/sqlite-store.js';
import { STORY_LIMITS } from '../../shared/protocol/index.js';
import { ROOT, SAMPLE_CATALOG, sampleStory } from '../server/helpers.js';

const BUNDLE = pathToFileURL(join(ROOT, 'dist/server/cli.js'));
let app: Awaited<ReturnType<typeof buildServer>>;
let store: SqliteStore;
let url = '';
const token = newToken();

/**
 * The limit under test: well above what an ordinary story's check costs (a few ms), well below what
 * checking a whole body of "{{a" costs now that the parser is linear (about half a second on a quiet
 * machine), so the test does not depend on how fast the machine lints.
 */
const CHECK_LIMIT_MS = 200;

beforeAll(async () => {
  execFileSync(process.execPath, [join(ROOT, 'scripts/build.mjs'), 'server'], { cwd: ROOT, stdio: 'pipe' });
  store = new SqliteStore(':memory:');
  await store.seedCatalog(SAMPLE_CATALOG);
  await store.createToken('w', 'writer', hashToken(token));
  app = await buildServer({ store, logger: process.env.CHECK_LOG ? undefined : false, storyWorkers: { file: BUNDLE, count: 2, timeLimitMs: CHECK_LIMIT_MS } });
  await app.listen({ port: 0, host: '127.0.0.1' });
  url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
});
afterAll(async () => {
  await app?.close();
  await store?.close();
});

const put = (slug: string, body: unknown) =>
  fetch(`${url}/api/v1/stories/${slug}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': `k-${slug}`, 'if-none-match': '*' },
    body: JSON.stringify(body),
  });

describe('story checks in workers, with a time limit', () => {
  it('a story too slow to check answers 422 within the limit, while health and other PUTs go on', async () => {
    // One line of "{{a" as long as a body may be: the slowest input the reference rule knows.
    const hostile = put('slow-to-check', sampleStory({ body: '{{a'.repeat(Math.floor(STORY_LIMITS.body / 3)), citations: [] }));
    const t0 = performance.now();
    for (let i = 0; i < 5; i++) {
      const h0 = performance.now();
      expect((await fetch(`${url}/api/v1/health`)).status).toBe(200);
      // Far below the seconds the check takes (the machine may be shared and busy).
      expect(performance.now() - h0).toBeLessThan(1_500);
    }
    const meanwhile = await put('fine-meanwhile', sampleStory());
    expect(meanwhile.status, await meanwhile.clone().text()).toBe(201);
    const r = await hostile;
    const elapsed = performance.now() - t0;
    const answer = (await r.json()) as { error: string; diagnostics: { rule: string; message: string }[] };
    expect(r.status).toBe(422);
    expect(answer.error).toBe('invalid_story');
    expect(answer.diagnostics).toEqual([expect.objectContaining({ rule: 'check-limit', message: expect.stringMatching(/longer than 0\.2 s/) })]);
    expect(elapsed).toBeLessThan(8_000);
    // The worker that was stopped has been replaced: checks go on.
    const after = await put('fine-after', sampleStory());
    expect(after.status, await after.clone().text()).toBe(201);
  });
});
