/**
 * The pull: the catalog and story changes since the stored cursors. A story unchanged here since
 * the last sync is fast-forwarded to the backend's version; one changed on both sides is a conflict.
 * Nothing from the backend is trusted: every item is checked against the shared schemas (slugs,
 * names, the story's fields within the PUT's limits, no control characters, bounded nesting) and
 * one that fails is skipped and reported, so that one bad item never stops the pulls after it. A
 * pull asks for a bounded number of pages; the rest comes with the next sync.
 */
import { STORY_STATUSES, beatSchema, catalogStorySchema, entitySchema, isValidSlug } from '../../../shared/index.js';
import {
  PUSH_STATUSES,
  catalogPageSchema,
  storyGetAnswerSchema,
  storyListPageSchema,
  storyPutBodySchema,
  type PushStatus,
  type RemoteStory,
  type StoryGetAnswer,
} from '../../../shared/protocol/index.js';
import { CONTROL_CHARS } from '../../../shared/text-util.js';
import type { z } from 'zod';
import type { SyncContext } from './context.js';
import { UnreadableAnswerError } from './http-client.js';
import { contentKey, remoteToText, withStatus } from './revision.js';
import { oneLine, type PullResult, type PullSkip } from './types.js';

type StoryOutcome = 'skip' | 'fast-forward' | 'conflict' | 'same';

const CATALOG_KINDS = [
  { kind: 'entities', skip: 'entity', schema: entitySchema },
  { kind: 'beats', skip: 'beat', schema: beatSchema },
  { kind: 'stories', skip: 'catalog-story', schema: catalogStorySchema },
] as const satisfies readonly { kind: string; skip: PullSkip['kind']; schema: z.ZodType }[];

function emptyPull(): PullResult {
  return { fastForwarded: [], conflicts: [], catalogChanges: 0, storiesSeen: 0, skipped: [], truncated: null };
}

export class Pull {
  constructor(private readonly cx: SyncContext) {}

  async run(): Promise<PullResult> {
    const result = emptyPull();
    await this.pullCatalog(result);
    await this.pullStories(result);
    this.cx.store.setMeta('lastPullAt', String(this.cx.clock.now()));
    return result;
  }

  /** Only the catalog (at login: the next command already knows the backend's beats and entities). */
  async catalog(): Promise<PullResult> {
    const result = emptyPull();
    await this.pullCatalog(result);
    return result;
  }

  private skip(result: PullResult, kind: PullSkip['kind'], slug: unknown, reason: string): void {
    const s: PullSkip = { kind, slug: printable(typeof slug === 'string' ? slug : (JSON.stringify(slug) ?? '?'), 200), reason: printable(reason, 300) };
    result.skipped.push(s);
    this.cx.log(`skipped ${s.kind} ${JSON.stringify(s.slug)} from the backend: ${s.reason}`);
  }

  private async pullCatalog(result: PullResult): Promise<void> {
    const { store } = this.cx;
    for (let pages = 1; ; pages++) {
      const since = store.cursor('catalog');
      const page = catalogPageSchema.parse(await this.cx.http.getJson(`/api/v1/catalog?${query(since, this.cx.pageSize)}`));
      store.transaction(() => {
        for (const { kind, skip, schema } of CATALOG_KINDS) {
          for (const item of page[kind]) {
            if ((item as { deleted?: unknown }).deleted === true) {
              if (isValidSlug(item.slug)) store.putCatalogItem(kind, item.slug, null);
              else this.skip(result, skip, item.slug, 'not a valid slug');
              continue;
            }
            const problem = schemaProblem(schema, item) ?? controlProblem(item);
            if (problem) {
              this.skip(result, skip, item.slug, problem);
              continue;
            }
            store.putCatalogItem(kind, item.slug, item);
            result.catalogChanges++;
          }
        }
        if (page.cursor !== undefined && page.cursor !== null) store.setCursor('catalog', String(page.cursor));
      });
      if (!morePages(page, since)) break;
      if (pages >= this.cx.maxPages) {
        result.truncated = this.truncated('catalog');
        break;
      }
    }
  }

  private async pullStories(result: PullResult): Promise<void> {
    const { store } = this.cx;
    for (let pages = 1; ; pages++) {
      const since = store.cursor('stories');
      const page = storyListPageSchema.parse(await this.cx.http.getJson(`/api/v1/stories?${query(since, this.cx.pageSize)}`));
      for (const [i, item] of page.items.entries()) {
        result.storiesSeen++;
        this.cx.progress({ phase: 'pull', done: result.storiesSeen, total: page.hasMore ? null : result.storiesSeen + page.items.length - i - 1 });
        if (!isValidSlug(item.slug)) {
          this.skip(result, 'story', item.slug, 'not a valid slug');
          continue;
        }
        const outcome = await this.pullStory(item.slug, item.version, result);
        if (outcome === 'fast-forward') result.fastForwarded.push(item.slug);
        else if (outcome === 'conflict') result.conflicts.push(item.slug);
      }
      if (page.cursor !== undefined && page.cursor !== null) store.setCursor('stories', String(page.cursor));
      if (!morePages(page, since)) break;
      if (pages >= this.cx.maxPages) {
        result.truncated = this.truncated('stories');
        break;
      }
    }
  }

  private truncated(kind: string): string {
    const msg = `the backend still had more ${kind} after ${this.cx.maxPages} pages: the rest comes with the next sync`;
    this.cx.log(msg);
    return msg;
  }

  /** The backend's story, or why the studio does not take it. */
  private async fetchStory(slug: string): Promise<StoryGetAnswer | undefined | string> {
    let json: unknown;
    try {
      json = await this.cx.http.getJson(`/api/v1/stories/${encodeURIComponent(slug)}`, true);
    } catch (e) {
      if (e instanceof UnreadableAnswerError) return e.message;
      throw e;
    }
    if (json === undefined) return undefined;
    const answer = storyGetAnswerSchema.safeParse(json);
    if (!answer.success) return `the answer does not fit the protocol: ${oneLine(answer.error.issues[0]?.message ?? '')}`;
    if (answer.data.slug !== slug) return `the answer is for another slug (${answer.data.slug})`;
    const problem = storyProblem(answer.data.story);
    return problem ?? answer.data;
  }

  private async pullStory(slug: string, version: number, result: PullResult): Promise<StoryOutcome> {
    const { store } = this.cx;
    const state = store.story(slug);
    const known = state?.lastVersion !== null && state?.lastVersion !== undefined && state.lastVersion >= version;
    if (known && !state.refresh) return 'skip';
    // A change of ours still on its way: the push settles it (a 412 there if the backend moved on).
    if (store.hasPending(slug)) return 'skip';
    const remote = await this.fetchStory(slug);
    if (remote === undefined) return 'skip';
    if (typeof remote === 'string') {
      this.skip(result, 'story', slug, remote);
      return 'skip';
    }
    const local = await this.cx.local.get(slug);
    const remoteText = remoteToText(slug, remote.story as RemoteStory, remote.status, local);
    const now = this.cx.clock.now();
    if (known) return this.refreshed(slug, remote, local, now);
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

  /**
   * A story at the version we pushed, fetched again for what only the backend knew: its status and
   * published date go into the text (if its content is still the version's), nothing else.
   */
  private async refreshed(slug: string, remote: StoryGetAnswer, local: string | undefined, now: number): Promise<StoryOutcome> {
    const { store } = this.cx;
    const state = store.story(slug)!;
    store.setSynced(slug, state.lastVersion!, state.lastText ?? '', state.lastStatus ?? remote.status, now);
    if (local === undefined || state.lastText === null || contentKey(local) !== contentKey(state.lastText)) return 'skip';
    const status = remote.status === 'withdrawn' ? 'draft' : STORY_STATUSES.find((s) => s === remote.status);
    if (!status || remote.version !== state.lastVersion) return 'skip';
    const text = withStatus(local, status, remote.story.published ?? undefined);
    if (text === local) return 'skip';
    await this.cx.local.put(slug, text, 'status');
    store.setSynced(slug, state.lastVersion, withStatus(state.lastText, status, remote.story.published ?? undefined), state.lastStatus ?? remote.status, now);
    this.cx.log(`pulled the backend's ${remote.status} date of ${slug}`);
    return 'fast-forward';
  }

  /** Changed here and on the backend: the person (or the merge) settles it. */
  private recordConflict(
    slug: string,
    remoteVersion: number,
    remoteStatus: string,
    remoteText: string,
    localText: string,
    baseText: string | null,
    now: number,
  ): void {
    this.cx.store.setConflict(slug, { origin: 'pull', remoteVersion, remoteStatus, remoteText, localText, baseText, detectedAt: now }, now);
    this.cx.log(`conflict on ${slug}: changed here and on the backend (v${remoteVersion})`);
  }
}

/**
 * Why a pulled story is not one the studio takes: it must be a story the backend itself would
 * accept in a PUT (the shared schema and its limits), with no control characters in its fields.
 */
function storyProblem(story: RemoteStory): string | undefined {
  const status = PUSH_STATUSES.includes(story.status as PushStatus) ? story.status : 'review';
  const body = {
    title: story.title,
    beat: story.beat,
    body: story.body,
    citations: story.citations ?? [],
    status,
    ...(story.dek != null ? { dek: story.dek } : {}),
  };
  return schemaProblem(storyPutBodySchema, body) ?? controlProblem(body);
}

function schemaProblem(schema: z.ZodType, value: unknown): string | undefined {
  const r = schema.safeParse(value);
  if (r.success) return undefined;
  const issue = r.error.issues[0];
  return `does not fit the shared schema: ${issue?.path.join('.') || 'value'}: ${issue?.message ?? ''}`;
}

/** The first string (a name, a title; the body may hold tabs and newlines) with a control character in it. */
function controlProblem(value: unknown): string | undefined {
  const stack: [unknown, string][] = [[value, '']];
  while (stack.length > 0) {
    const [v, path] = stack.pop()!;
    if (typeof v === 'string') {
      CONTROL_CHARS.lastIndex = 0;
      if (CONTROL_CHARS.test(v) || (path !== 'body' && /[\n\t]/.test(v))) return `${path || 'value'} holds control characters`;
    } else if (v !== null && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) stack.push([x, path ? `${path}.${k}` : k]);
    }
  }
  return undefined;
}

function printable(s: string, max: number): string {
  return oneLine(s.replace(CONTROL_CHARS, '?').replace(/[\n\t]/g, ' '), max);
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
