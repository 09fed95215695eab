import {
  STUDIO_API,
  StudioCallError,
  isStudioMethod,
  parseStudioInput,
  type StudioEventName,
  type StudioEventPayload,
  type StudioHandlers,
  type StudioMethod,
} from '../../shared/api/contract.js';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { failure, type CallResult, type StudioErrorPayload } from '../../shared/api/transport.js';
import { EMPTY_CATALOG } from '../../shared/index.js';
import { LibraryError } from './library/errors.js';
import type { Library } from './library/library.js';
import { SyncService } from './sync-service/index.js';
import { librarySettings, type SettingsStore } from './settings.js';
import { MemoryVault } from './vault/index.js';

export { confSettings, DEFAULT_SETTINGS, librarySettings, openConfSettings, settingsFile, type SettingsStore } from './settings.js';

/** dictionary-en's two files, read from the installed package (its entry point is the folder's index.js). */
function readDictionary(): { aff: string; dic: string } {
  const dir = dirname(createRequire(import.meta.url).resolve('dictionary-en'));
  return { aff: readFileSync(join(dir, 'index.aff'), 'utf8'), dic: readFileSync(join(dir, 'index.dic'), 'utf8') };
}

/**
 * One handler per contract method, over a library, a settings store and the sync service (by
 * default one that keeps its token in memory and never syncs in the background).
 */
export function createHandlers(
  lib: Library,
  settings: SettingsStore = librarySettings(lib),
  sync: SyncService = new SyncService({ library: lib, vault: new MemoryVault(), intervalMs: 0 }),
): StudioHandlers {
  return {
    listStories: (f) => lib.listStories(f),
    listStoryPage: ({ offset, limit, ...filter }) => lib.listStoryPage(filter, offset, limit),
    getStory: ({ id }) => lib.getStory(id),
    saveStory: ({ id, text, baseRevision }) => {
      const saved = lib.saveStory(id, text);
      if (saved.changed) sync.noteSave(id, baseRevision, text);
      return saved;
    },
    createStory: (i) => lib.createStory(i),
    importText: ({ name, text }) => lib.importText(name, text),
    importFiles: ({ files }) => lib.importFiles(files),
    // Logged in, links go where the backend serves its pages; else to the site setting.
    exportStory: async ({ id, format }) => lib.exportStory(id, format, (await sync.overview()).site ?? settings.get().site),
    listRevisions: ({ id }) => lib.listRevisions(id),
    getRevision: ({ revisionId }) => lib.getRevision(revisionId),
    restoreRevision: ({ revisionId }) => lib.restoreRevision(revisionId),
    trashStory: ({ id }) => lib.trashStory(id),
    restoreStory: ({ id }) => lib.restoreStory(id),
    search: ({ query, limit }) => lib.search(query, limit),
    getCatalog: () => lib.catalog()?.data ?? EMPTY_CATALOG,
    getDictionary: () => readDictionary(),
    getSettings: () => settings.get(),
    setSettings: (patch) => settings.set(patch),
    syncStatus: () => sync.overview(),
    syncLogin: ({ backendUrl, token }) => sync.login(backendUrl, token),
    syncLogout: () => sync.logout(),
    syncNow: () => sync.syncNow(),
    storySync: ({ id }) => sync.storySync(id),
    syncEnqueue: ({ id, action, force }) => sync.enqueue(id, action, { force }),
    syncResolve: ({ id, text, status }) => sync.resolve(id, text, status),
    syncCancel: ({ id }) => sync.cancel(id),
    listNotes: ({ id }) => sync.notes.list(id),
    // The anchor names the backend version its offsets are in (0: a story not on the backend yet).
    addNote: async ({ id, anchor, body }) => sync.notes.add(id, { ...anchor, revision: (await sync.storySync(id)).remoteVersion ?? 0 }, body),
    replyNote: ({ noteId, body }) => sync.notes.reply(noteId, body),
    editNote: ({ noteId, body }) => sync.notes.edit(noteId, body),
    setNoteState: ({ noteId, state }) => sync.notes.setState(noteId, state),
    resolveNoteConflict: ({ noteId, body, state }) => sync.notes.resolveConflict(noteId, body, state),
  };
}

/** Runs one call through the contract: unknown methods and invalid input are refused before any handler runs. */
export async function dispatch(handlers: StudioHandlers, method: string, input: unknown): Promise<CallResult> {
  if (!isStudioMethod(method)) return failure('unknown-method', `no such method: ${method}`);
  try {
    const parsed = parseStudioInput(method, input);
    const handler = handlers[method] as (i: unknown) => unknown;
    return { ok: true, value: await handler(parsed) };
  } catch (e) {
    return { ok: false, error: toPayload(e) };
  }
}

/** An error as the caller sees it: one line, no stack; internal details stay in the host's log. */
export function toPayload(e: unknown): StudioErrorPayload {
  if (e instanceof StudioCallError) return { code: e.code, message: e.message };
  if (e instanceof LibraryError) return { code: 'library', message: e.message };
  console.error(e);
  return { code: 'internal', message: 'internal error (see the host log)' };
}

export const METHODS: readonly StudioMethod[] = Object.keys(STUDIO_API) as StudioMethod[];

/** Sends one host event to one window or stream. */
export type EmitEvent = <E extends StudioEventName>(event: E, payload: StudioEventPayload<E>) => void;

/**
 * The host events of one window (Electron) or one event stream (the browser host): the sync
 * overview at once, then after every change the sync service reports, coalesced so that a burst of
 * progress costs one overview per `coalesceMs` (each computed when sent, so the last one is current).
 * Returns the function that stops.
 */
export function watchHostEvents(sync: SyncService, emit: EmitEvent, coalesceMs = 100): () => void {
  let live = true;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const send = async () => {
    timer = undefined;
    try {
      const overview = await sync.overview();
      if (live) emit('syncChanged', overview);
    } catch (e) {
      console.error(`studio: the sync overview failed: ${(e as Error).message}`);
    }
  };
  const off = sync.onChange(() => {
    if (live && !timer) timer = setTimeout(() => void send(), coalesceMs);
  });
  void send();
  return () => {
    live = false;
    clearTimeout(timer);
    off();
  };
}
