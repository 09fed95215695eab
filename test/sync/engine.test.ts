import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseStory } from '../../shared/index.js';
import { BACKENDS, type Backend } from './helpers/backends.js';
import { FaultProxy, seeded, type Fault } from './helpers/fault-proxy.js';
import { makeEngine, storyText } from './helpers/stories.js';

for (const b of BACKENDS) {
  describe.skipIf(b.skip)(`sync engine against the ${b.name}`, () => {
    let backend: Backend;
    let writer: string;
    let editor: string;
    let publisher: string;
    beforeAll(async () => {
      backend = await b.start();
      [writer, editor, publisher] = await Promise.all([backend.token('writer'), backend.token('editor'), backend.token('publisher')]);
    });
    afterAll(async () => {
      await backend?.close();
    });

    it('submits, approves and publishes by role; a role too low pauses that story (403)', async () => {
      let token = writer;
      const engine = makeEngine(backend.url, () => token);
      const text = storyText('roles-story-a1b2');
      engine.enqueue(text, 'review');
      let r = await engine.push();
      expect(r.done).toBe(1);
      expect((await backend.story('roles-story-a1b2'))?.version).toBe(1);

      engine.enqueue(text, 'approved');
      r = await engine.push();
      // Only this story waits (issue 11 #5): the queue itself is not paused.
      expect(r.paused).toBe(false);
      expect(r.forbidden).toBe(1);
      const st = engine.status();
      expect(st.paused).toBeNull();
      expect(st.queued[0]?.lastError).toMatch(/403/);
      expect(st.queued[0]?.lastError).not.toContain(writer);
      expect(st.counts.paused).toBe(1);

      token = editor;
      engine.resume();
      r = await engine.push();
      expect(r.done).toBe(1);
      expect(await backend.story('roles-story-a1b2')).toMatchObject({ version: 2, status: 'approved' });

      token = publisher;
      engine.enqueue(text, 'published');
      r = await engine.push();
      expect(r.done).toBe(1);
      expect(await backend.story('roles-story-a1b2')).toMatchObject({ version: 3, status: 'published' });
      expect(engine.status().counts).toEqual({ done: 3 });
    });

    it('an accepted status a crash kept from the text is written back at the next push, before anything else', async () => {
      const engine = makeEngine(backend.url, () => editor);
      const text = storyText('write-back-c3d4');
      engine.local.put('write-back-c3d4', text);
      const row = engine.enqueue(text, 'review');
      expect((await engine.push()).done).toBe(1);
      expect(parseStory(engine.local.get('write-back-c3d4')!).meta.status).toBe('review');
      // As if the process died after the row was marked done and before the text was written.
      engine.local.put('write-back-c3d4', text);
      engine.store.setMeta(`writeback:${row.id}`, 'review');
      expect(engine.store.metaEntries('writeback:')).toHaveLength(1);
      await engine.push();
      expect(parseStory(engine.local.get('write-back-c3d4')!).meta.status).toBe('review');
      expect(engine.store.metaEntries('writeback:')).toEqual([]);
    });

    it('401 pauses the queue with a clear message that does not hold the token', async () => {
      const bad = 'not-a-real-token-0123456789';
      let token = bad;
      const engine = makeEngine(backend.url, () => token);
      engine.enqueue(storyText('unauth-story-0001'), 'review');
      const r = await engine.push();
      expect(r.paused).toBe(true);
      const s = engine.status();
      expect(s.paused).toMatch(/401.*studio login/);
      expect(JSON.stringify(s)).not.toContain(bad);
      expect(await backend.story('unauth-story-0001')).toBeUndefined();
      // pushing again while paused sends nothing
      expect((await engine.push()).sent).toBe(0);
      token = writer;
      engine.resume();
      expect((await engine.push()).done).toBe(1);
      expect((await backend.story('unauth-story-0001'))?.version).toBe(1);
    });

    it('422 marks the story rejected with the diagnostics', async () => {
      const engine = makeEngine(backend.url, () => writer);
      engine.enqueue(storyText('rejected-story-0001', 'See {{entity:no-such-entity-zz}} here.\n', { beat: 'no-such-beat' }), 'review');
      const r = await engine.push();
      expect(r.rejected).toBe(1);
      const s = engine.status();
      expect(s.rejected).toHaveLength(1);
      const rules = (s.rejected[0]!.diagnostics as { rule: string }[]).map((d) => d.rule);
      expect(rules).toContain('meta-beat-unknown');
      expect(rules).toContain('ref-unknown');
      expect(await backend.story('rejected-story-0001')).toBeUndefined();
      // a fixed revision goes out
      engine.enqueue(storyText('rejected-story-0001'), 'review');
      expect((await engine.push()).done).toBe(1);
      expect(engine.status().rejected).toHaveLength(0);
    });

    it('backend down, then up: the queue waits and then drains', async () => {
      const proxy = await new FaultProxy(backend.url).start();
      try {
        let down = true;
        proxy.plan = () => (down ? { kind: 'drop-before' } : { kind: 'pass' });
        const engine = makeEngine(proxy.url, () => writer);
        for (let i = 0; i < 5; i++) engine.enqueue(storyText(`offline-story-${i}`), 'review');
        const r1 = await engine.push({ maxWaitMs: 0 });
        expect(r1.done).toBe(0);
        expect(r1.remaining).toBe(5);
        expect(engine.status().queued.every((q) => q.attempts >= 1 && /network error/.test(q.lastError ?? ''))).toBe(true);
        down = false;
        const r2 = await engine.push();
        expect(r2.done).toBe(5);
        for (let i = 0; i < 5; i++) expect((await backend.story(`offline-story-${i}`))?.version).toBe(1);
      } finally {
        await proxy.close();
      }
    });

    it('503, 429 with Retry-After, dropped connections and slow answers all converge to exactly one version per change', async () => {
      const proxy = await new FaultProxy(backend.url).start();
      try {
        const rnd = seeded(42);
        const faults: Fault[] = [
          { kind: 'status', status: 503 },
          { kind: 'status', status: 429, retryAfter: '0' },
          { kind: 'status', status: 429, retryAfter: '1' },
          { kind: 'drop-before' },
          { kind: 'drop-after' },
          { kind: 'slow', ms: 400, forward: true },
          { kind: 'slow', ms: 400, forward: false },
        ];
        proxy.plan = () => (rnd() < 0.5 ? faults[Math.floor(rnd() * faults.length)]! : { kind: 'pass' });
        const engine = makeEngine(proxy.url, () => editor, { timeoutMs: 200 });
        const N = 15;
        for (let i = 0; i < N; i++) {
          const t = storyText(`faulty-story-${i}`);
          engine.enqueue(t, 'review');
          engine.enqueue(t.replace('the week', 'the week, revised'), 'approved');
        }
        const r = await engine.push({ maxWaitMs: 120_000 });
        expect(r.remaining).toBe(0);
        expect(engine.status().counts).toEqual({ done: 2 * N });
        for (let i = 0; i < N; i++) {
          const s = await backend.story(`faulty-story-${i}`);
          expect(s).toMatchObject({ version: 2, status: 'approved' });
          expect(s!.story.body).toContain('revised');
        }
        const kinds = new Set(proxy.log.map((l) => l.fault));
        for (const k of ['status', 'drop-before', 'drop-after', 'slow']) expect(kinds.has(k as Fault['kind'])).toBe(true);
        // every retry of a row reused its Idempotency-Key: each row made exactly one version
        expect(r.retried).toBeGreaterThan(0);
      } finally {
        await proxy.close();
      }
    }, 180_000);

    it('a push conflict (412) holds the backend current; a merge goes out on it and nothing is lost', async () => {
      const a = makeEngine(backend.url, () => editor);
      const bEng = makeEngine(backend.url, () => editor);
      const slug = 'conflict-story-c0ff';
      const base = storyText(slug, 'First paragraph.\n\nSecond paragraph.\n');
      a.enqueue(base, 'review');
      expect((await a.push()).done).toBe(1);
      // B gets the story by pulling
      const pulled = await bEng.pull();
      expect(pulled.fastForwarded).toContain(slug);
      const bLocal = bEng.local.get(slug)!;
      expect(parseStory(bLocal).body).toBe('First paragraph.\n\nSecond paragraph.\n');
      // A changes the first paragraph, B the second
      a.enqueue(storyText(slug, 'First paragraph, edited by A.\n\nSecond paragraph.\n'), 'review');
      expect((await a.push()).done).toBe(1);
      bEng.enqueue(storyText(slug, 'First paragraph.\n\nSecond paragraph, edited by B.\n'), 'review');
      const r = await bEng.push();
      expect(r.conflicts).toBe(1);
      const [c] = bEng.status().conflicts;
      expect(c).toMatchObject({ slug, origin: 'push', remoteVersion: 2 });
      expect(parseStory(c!.remoteText).body).toContain('edited by A');
      expect(parseStory(c!.localText).body).toContain('edited by B');
      expect(parseStory(c!.baseText!).body).toBe('First paragraph.\n\nSecond paragraph.\n');
      // nothing went out while in conflict
      expect((await backend.story(slug))?.version).toBe(2);
      await bEng.resolveConflict(slug, storyText(slug, 'First paragraph, edited by A.\n\nSecond paragraph, edited by B.\n'));
      expect((await bEng.push()).done).toBe(1);
      const final = await backend.story(slug);
      expect(final?.version).toBe(3);
      expect(final!.story.body).toBe('First paragraph, edited by A.\n\nSecond paragraph, edited by B.\n');
      expect(bEng.status().conflicts).toHaveLength(0);
      expect(bEng.status().counts).toMatchObject({ done: 1, superseded: 1 });
    });

    it('pull fast-forwards stories changed only remotely, pages through changes, and flags stories changed on both sides', async () => {
      const a = makeEngine(backend.url, () => editor);
      const bEng = makeEngine(backend.url, () => editor, { pageSize: 2 });
      for (let i = 0; i < 5; i++) a.enqueue(storyText(`pull-story-${i}`), 'review');
      expect((await a.push()).done).toBe(5);
      const first = await bEng.pull();
      for (let i = 0; i < 5; i++) expect(first.fastForwarded).toContain(`pull-story-${i}`);
      expect(first.catalogChanges).toBeGreaterThan(0);
      expect(bEng.status().cursors.stories).not.toBeNull();
      // remote-only change → fast-forward; change on both sides → conflict
      a.enqueue(storyText('pull-story-0', 'Remote edit zero.\n'), 'review');
      a.enqueue(storyText('pull-story-1', 'Remote edit one.\n'), 'review');
      expect((await a.push()).done).toBe(2);
      bEng.local.put('pull-story-1', storyText('pull-story-1', 'Local edit one.\n'));
      const second = await bEng.pull();
      expect(second.fastForwarded).toEqual(['pull-story-0']);
      expect(second.conflicts).toEqual(['pull-story-1']);
      expect(parseStory(bEng.local.get('pull-story-0')!).body).toBe('Remote edit zero.\n');
      expect(parseStory(bEng.local.get('pull-story-1')!).body).toBe('Local edit one.\n');
      const c = bEng.status().conflicts.find((x) => x.slug === 'pull-story-1')!;
      expect(c.origin).toBe('pull');
      expect(parseStory(c.remoteText).body).toBe('Remote edit one.\n');
      await bEng.resolveConflict('pull-story-1', storyText('pull-story-1', 'Remote edit one.\n\nLocal edit one.\n'), 'review');
      expect((await bEng.push()).done).toBe(1);
      expect(await backend.story('pull-story-1')).toMatchObject({ version: 3 });
      // pulling again: our own write is not a change
      const third = await bEng.pull();
      expect(third.conflicts).toEqual([]);
      expect(third.fastForwarded).toEqual([]);
    });
  });
}
