/**
 * Security battery, idempotency scope (issue 15 #17): keys belong to the token that sent them (its
 * identity), not to its name. A token re-created under the same name replays nothing old.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken, newToken } from '../../server/auth.js';
import { putStory, sampleStory, startServer, type TestServer } from '../server/helpers.js';

let s: TestServer;
beforeAll(async () => {
  s = await startServer();
});
afterAll(async () => {
  await s?.close();
});

describe('idempotency keys and token identity', () => {
  it("a re-created token of the same name does not get the old token's answer", async () => {
    const old = newToken();
    await s.store.createToken('alice', 'writer', hashToken(old));
    const key = `alice-key-${Date.now()}`;
    const first = await putStory(s, 'scoped-key', sampleStory(), { token: old, ifNoneMatch: '*', key });
    expect(first.status).toBe(201);
    // The same token again: the first answer, replayed.
    const again = await putStory(s, 'scoped-key', sampleStory(), { token: old, ifNoneMatch: '*', key });
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');

    expect(await s.store.revokeToken('alice')).toBe(true);
    const fresh = newToken();
    await s.store.createToken('alice', 'writer', hashToken(fresh));
    const r = await putStory(s, 'scoped-key', sampleStory(), { token: fresh, ifNoneMatch: '*', key });
    // A new request of a new token: the story exists, so a create is a conflict, answered now.
    expect(r.status).toBe(412);
    expect(r.headers.get('idempotent-replayed')).toBeNull();
  });

  it('two live tokens never share a key, whatever their names', async () => {
    const key = `shared-key-${Date.now()}`;
    const a = await putStory(s, 'scoped-a', sampleStory(), { token: s.tokens.writer, ifNoneMatch: '*', key });
    const b = await putStory(s, 'scoped-a', sampleStory(), { token: s.tokens.writer2, ifNoneMatch: '*', key });
    expect(a.status).toBe(201);
    expect(b.status).toBe(412);
    expect(b.headers.get('idempotent-replayed')).toBeNull();
  });
});
