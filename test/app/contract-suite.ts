import { expect, it, vi } from 'vitest';
import type { StudioApi } from '../../shared/api/contract.js';
import type { SyncOverview } from '../../shared/api/sync.js';
import { StudioError, type StudioErrorCode } from '../../shared/api/transport.js';

/** The code a rejected call carries (the host's StudioError), or what it threw instead. */
async function codeOf(call: Promise<unknown>): Promise<StudioErrorCode | string> {
  try {
    await call;
    return 'no error';
  } catch (e) {
    return e instanceof StudioError ? e.code : `not a StudioError: ${String(e)}`;
  }
}

/** The contract's behaviour, the same whichever host carries it (loopback HTTP or Electron IPC). */
export function contractSuite(getApi: () => StudioApi): void {
  it('lists the seeded stories and the catalog', async () => {
    const api = getApi();
    const stories = await api.listStories({});
    expect(stories.length).toBeGreaterThanOrEqual(8);
    const catalog = await api.getCatalog({});
    expect(catalog.beats.some((b) => b.slug === 'open-source-ai')).toBe(true);
  });

  it('creates, saves, searches, versions and restores a story', async () => {
    const api = getApi();
    const rec = await api.createStory({ title: 'Contract story' });
    const text = '---\ntitle: Contract story\nbeat: open-source-ai\n---\nAbout quokkas.\n';
    const saved = await api.saveStory({ id: rec.id, text });
    expect(saved.changed).toBe(true);
    expect((await api.search({ query: 'quokkas' }))[0]?.id).toBe(rec.id);
    const revs = await api.listRevisions({ id: rec.id });
    expect(revs).toHaveLength(2);
    await api.restoreRevision({ revisionId: revs[1]!.id });
    expect((await api.getStory({ id: rec.id })).text).not.toContain('quokkas');
    expect((await api.getRevision({ revisionId: revs[0]!.id })).text).toBe(text);
  });

  it('trashes and restores', async () => {
    const api = getApi();
    const rec = await api.createStory({});
    expect((await api.trashStory({ id: rec.id })).trashed).toBe(true);
    expect((await api.listStories({ trashed: true })).map((s) => s.id)).toContain(rec.id);
    expect((await api.restoreStory({ id: rec.id })).trashed).toBe(false);
  });

  it('imports files with a report per file and exports in three formats', async () => {
    const api = getApi();
    const reports = await api.importFiles({
      files: [
        { name: 'good.md', text: '---\ntitle: Imported piece\nbeat: open-source-ai\n---\nHello.\n' },
        { name: 'bad.md', text: '---\n: [\n---\n' },
      ],
    });
    expect(reports.map((r) => r.ok)).toEqual([true, false]);
    expect(reports[1]!.error).toMatch(/^bad\.md: /);
    for (const format of ['md', 'text', 'html'] as const) {
      const out = await api.exportStory({ id: reports[0]!.id!, format });
      expect(out.content.length).toBeGreaterThan(10);
    }
  });

  it('keeps settings and refuses invalid ones with a one-line error', async () => {
    const api = getApi();
    expect((await api.setSettings({ theme: 'dark' })).theme).toBe('dark');
    expect((await api.getSettings({})).theme).toBe('dark');
    await expect(api.setSettings({ autosaveMs: 5000 })).rejects.toThrow(/^setSettings: autosaveMs:/);
    await expect(api.getStory({ id: 'missing' })).rejects.toThrow(/no story with id missing/);
  });

  it('fails with the same error codes whichever host carries the call', async () => {
    const api = getApi();
    expect(await codeOf(api.getStory({ id: 42 as never }))).toBe('bad-input');
    expect(await codeOf(api.getStory({ id: 'missing' }))).toBe('not-found');
    expect(await codeOf(api.getRevision({ revisionId: 987_654 }))).toBe('not-found');
    expect(await codeOf(api.setSettings({ autosaveMs: 5000 }))).toBe('bad-input');
    expect(await codeOf(api.saveStory({ id: 'missing', text: 'x' }))).toBe('not-found');
  });

  it('tells the window about sync changes by an event carrying what the host holds now', async () => {
    const api = getApi();
    const first: SyncOverview[] = [];
    const second: SyncOverview[] = [];
    const offFirst = api.onSyncChanged((o) => first.push(o));
    const offSecond = api.onSyncChanged((o) => second.push(o));
    const rec = await api.createStory({ title: 'Event story' });
    await api.saveStory({ id: rec.id, text: '---\ntitle: Event story\nbeat: open-source-ai\n---\nAbout events.\n' });
    const before = (await api.syncStatus({})).queued;
    await api.syncEnqueue({ id: rec.id, action: 'review' });
    await vi.waitFor(() => expect(first.at(-1)?.queued).toBe(before + 1), { timeout: 10_000 });
    expect((await api.syncStatus({})).queued).toBe(before + 1);
    // Unsubscribing one listener leaves the other: the next change reaches the second only.
    offFirst();
    const seen = first.length;
    const other = await api.createStory({ title: 'Event story two' });
    await api.saveStory({ id: other.id, text: '---\ntitle: Event story two\nbeat: open-source-ai\n---\nMore.\n' });
    await api.syncEnqueue({ id: other.id, action: 'review' });
    await vi.waitFor(() => expect(second.at(-1)?.queued).toBe(before + 2), { timeout: 10_000 });
    expect(first).toHaveLength(seen);
    offSecond();
  });
}
