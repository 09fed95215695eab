import Database from 'better-sqlite3';
import { SyncEngine, MemoryStories, type SyncEngineOptions } from '../../../electron/services/sync/index.js';

/** A valid story file (beat from the sample catalog). */
export function storyText(
  slug: string,
  body = `A paragraph about {{entity:sam-altman|Sam Altman}} and the week.\n`,
  opts: { title?: string; beat?: string; status?: string; extra?: string } = {},
): string {
  return [
    '---',
    `title: ${opts.title ?? `Story ${slug}`}`,
    `beat: ${opts.beat ?? 'open-source-ai'}`,
    `slug: ${slug}`,
    `status: ${opts.status ?? 'draft'}`,
    ...(opts.extra ? [opts.extra] : []),
    '---',
    body,
  ].join('\n');
}

/** An engine on a fresh in-memory database with fast retries. */
export function makeEngine(url: string, token: () => string | undefined, extra: Partial<SyncEngineOptions<MemoryStories>> = {}): SyncEngine<MemoryStories> {
  return new SyncEngine<MemoryStories>({
    db: new Database(':memory:'),
    backendUrl: url,
    token,
    local: new MemoryStories(),
    backoff: { baseMs: 5, capMs: 40 },
    timeoutMs: 2_000,
    ...extra,
  });
}
