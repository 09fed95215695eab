/**
 * The pull: the catalog and story changes since the stored cursors. A story unchanged here since
 * the last sync is fast-forwarded to the backend's version; one changed on both sides is a conflict.
 */
import {
  catalogPageSchema, storyGetAnswerSchema, storyListPageSchema, type RemoteStory,
} from '../../../shared/protocol/index.js';
import { contentKey, remoteToText } from './revision.js';
import type { SyncContext } from './context.js';
import type { PullResult } from './types.js';

type StoryOutcome = 'skip' | 'fast-forward' | 'conflict' | 'same';

export class Pull {
  constructor(private readonly cx: SyncContext) {}

  async run(): Promise<PullResult> {
    const result: PullResult = { fastForwarded: [], conflicts: [], catalogChanges: 0, storiesSeen: 0 };
    await this.pullCatalog(result);
    await this.pullStories(result);
    this.cx.store.setMeta('lastPullAt', String(this.cx.clock.now()));
    return result;
  }

  private async pullCatalog(result: PullResult): Promise<void> {
    const { store } = this.cx;
    for (;;) {
      const since = store.cursor('catalog');
      const page = catalogPageSchema.parse(await this.cx.http.getJson(`/api/v1/catalog?${query(since, this.cx.pageSize)}`));
      store.transaction(() => {
        for (const kind of ['entities', 'beats', 'stories'] as const) {
          for (const item of page[kind]) {
            store.putCatalogItem(kind, item.slug, (item as { deleted?: boolean }).deleted === true ? null : item);
            result.catalogChanges++;
          }
        }
        if (page.cursor !== undefined && page.cursor !== null) store.setCursor('catalog', String(page.cursor));
      });
      if (!morePages(page, since)) break;
    }
  }

  private async pullStories(result: PullResult): Promise<void> {
    const { store } = this.cx;
    for (;;) {
      const since = store.cursor('stories');
      const page = storyListPageSchema.parse(await this.cx.http.getJson(`/api/v1/stories?${query(since, this.cx.pageSize)}`));
      for (const [i, item] of page.items.entries()) {
        result.storiesSeen++;
        this.cx.progress({ phase: 'pull', done: result.storiesSeen, total: page.hasMore ? null : result.storiesSeen + page.items.length - i - 1 });
        const outcome = await this.pullStory(item.slug, item.version);
        if (outcome === 'fast-forward') result.fastForwarded.push(item.slug);
        else if (outcome === 'conflict') result.conflicts.push(item.slug);
      }
      if (page.cursor !== undefined && page.cursor !== null) store.setCursor('stories', String(page.cursor));
      if (!morePages(page, since)) break;
    }
  }

  private async pullStory(slug: string, version: number): Promise<StoryOutcome> {
    const { store } = this.cx;
    const state = store.story(slug);
    if (state?.lastVersion !== null && state?.lastVersion !== undefined && state.lastVersion >= version) return 'skip';
    // A change of ours still on its way: the push settles it (a 412 there if the backend moved on).
    if (store.hasPending(slug)) return 'skip';
    const json = await this.cx.http.getJson(`/api/v1/stories/${encodeURIComponent(slug)}`, true);
    if (json === undefined) return 'skip';
    const remote = storyGetAnswerSchema.parse(json);
    const local = await this.cx.local.get(slug);
    const remoteText = remoteToText(slug, remote.story as RemoteStory, remote.status, local);
    const now = this.cx.clock.now();
    const unchangedLocally = local === undefined || (state?.lastText != null && contentKey(local) === contentKey(state.lastText));
    if (unchangedLocally || contentKey(local) === contentKey(remoteText)) {
      await this.cx.local.put(slug, remoteText, 'pull');
      store.transaction(() => {
        store.setSynced(slug, remote.version, remoteText, remote.status, now);
        if (state?.conflict) store.setConflict(slug, null, now);
      });
      this.cx.log(`pulled ${slug} (v${remote.version})`);
      return unchangedLocally ? 'fast-forward' : 'same';
    }
    this.recordConflict(slug, remote.version, remote.status, remoteText, local, state?.lastText ?? null, now);
    return 'conflict';
  }

  /** Changed here and on the backend: the person (or the merge) settles it. */
  private recordConflict(slug: string, remoteVersion: number, remoteStatus: string, remoteText: string, localText: string, baseText: string | null, now: number): void {
    this.cx.store.setConflict(slug, { origin: 'pull', remoteVersion, remoteStatus, remoteText, localText, baseText, detectedAt: now }, now);
    this.cx.log(`conflict on ${slug}: changed here and on the backend (v${remoteVersion})`);
  }
}

/** Whether to ask for the next page: the backend says there is one and its cursor moved. */
function morePages(page: { hasMore: boolean; cursor?: string | number | null }, since: string | undefined): boolean {
  return page.hasMore && page.cursor !== undefined && page.cursor !== null && String(page.cursor) !== since;
}

function query(since: string | undefined, limit: number): string {
  const q = new URLSearchParams();
  if (since !== undefined) q.set('since', since);
  q.set('limit', String(limit));
  return q.toString();
}
