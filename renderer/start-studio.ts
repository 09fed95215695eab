import type { StoryRecord, StudioApi } from '../shared/api/contract.js';
import type { Catalog } from '../shared/index.js';
import { getStudio } from './api.js';

export type Started =
  | {
      api: StudioApi;
      first: Promise<[Catalog, Awaited<ReturnType<StudioApi['getSettings']>>]>;
      /** The story open when the studio last closed (null: none, or deleted since), read as soon as the settings name it. */
      lastStory: Promise<StoryRecord | null>;
    }
  | { error: Error };
let started: Started | undefined;

/**
 * Connects to the host and asks for the catalog, the settings and then the story open last, once
 * per page. `main.tsx` calls it before it even loads the app's code (Preact, the editor: most of
 * the page's), so the host answers while that code is fetched and compiled, and the story is read
 * once (issue 13's cold start); `useStudio` takes the answers.
 */
export function startStudio(): Started {
  if (!started) {
    try {
      const api = getStudio();
      const settings = api.getSettings({});
      const first = Promise.all([api.getCatalog({}), settings]);
      first.catch(() => undefined); // said by useStudio
      // A story deleted since is simply not reopened (no error at start).
      const lastStory = settings.then(
        (s) => (s.lastStory ? api.getStory({ id: s.lastStory.id }).catch(() => null) : null),
        () => null,
      );
      started = { api, first, lastStory };
    } catch (e) {
      started = { error: e as Error };
    }
  }
  return started;
}
