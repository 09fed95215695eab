import { useCallback, useEffect, useMemo, useState } from 'react';
import type { StoryRecord, StudioApi } from '../../shared/api/contract.js';
import { EMPTY_CATALOG, indexCatalog, type Catalog, type CatalogIndex } from '../../shared/index.js';
import { startStudio } from '../start-studio.js';
import { useSettings, type SettingsControl } from './use-settings.js';

export interface Studio {
  api: StudioApi | null;
  /** Why the studio cannot start (no secret, host unreachable), shown instead of the app. */
  fatal: string | null;
  catalog: Catalog;
  catalogIndex: CatalogIndex;
  settings: SettingsControl;
  /** Stored settings the host found unusable and reset (one sentence each), to tell the person once. */
  settingsProblems: string[];
  /** Reads the library's catalog again (it changed: the sync service adopted the backend's). */
  reloadCatalog(): Promise<void>;
  /** The story open when the studio last closed, read at start (null: none, deleted since, or no host). */
  lastStory: Promise<StoryRecord | null>;
}

const NO_STORY: Promise<StoryRecord | null> = Promise.resolve(null);

/** Connects to the host (`window.studio`) and loads the catalog (again when asked) and the settings once. */
export function useStudio(): Studio {
  const [api, setApi] = useState<StudioApi | null>(null);
  const [fatal, setFatal] = useState<string | null>(null);
  const [catalog, setCatalog] = useState<Catalog>(EMPTY_CATALOG);
  const [settingsProblems, setSettingsProblems] = useState<string[]>([]);
  const settings = useSettings(api);
  const { load } = settings;
  // Started by main.tsx before the app's code loaded: this takes its answers.
  const [start] = useState(startStudio);

  useEffect(() => {
    if ('error' in start) {
      setFatal(start.error.message);
      return;
    }
    setApi(start.api);
    start.first.then(
      ([c, { problems, ...s }]) => {
        setCatalog(c);
        load(s);
        if (problems?.length) setSettingsProblems(problems);
      },
      (e: Error) => setFatal(e.message),
    );
  }, [load, start]);

  const reloadCatalog = useCallback(async () => {
    if (api) setCatalog(await api.getCatalog({}));
  }, [api]);

  const catalogIndex = useMemo(() => indexCatalog(catalog), [catalog]);
  const lastStory = 'error' in start ? NO_STORY : start.lastStory;
  return { api, fatal, catalog, catalogIndex, settings, settingsProblems, reloadCatalog, lastStory };
}
