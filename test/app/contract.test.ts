import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { STUDIO_EVENT_NAMES, STUDIO_METHODS, eventListenerName, type StudioApi } from '../../shared/api/contract.js';
import { SPELLING_CHOICE_CHANNEL } from '../../shared/api/spelling-menu.js';
import { COMMAND_CHANNEL, eventChannel } from '../../shared/api/transport.js';
import { createHandlers, librarySettings, watchHostEvents } from '../../electron/services/api-handlers.js';
import { SyncService } from '../../electron/services/sync-service/index.js';
import { MemoryVault } from '../../electron/services/vault/index.js';
import { Library } from '../../electron/services/library/index.js';
import { sampleCatalogPath, sampleStoriesDir } from '../../electron/services/paths.js';
import { startHost, type RunningHost } from '../../electron/host/server.js';
import { createFetchApi } from '../../renderer/api.js';
import { contractSuite } from './contract-suite.js';

// A stand-in for Electron's IPC, so that the real preload and the real IPC host run in Node.
const ipc = vi.hoisted(() => {
  const handlers = new Map<string, (event: unknown, input: unknown) => Promise<unknown>>();
  // Listeners the preload put on ipcRenderer (one-way messages from the main process).
  const listeners = new Map<string, Set<(event: unknown, ...args: unknown[]) => void>>();
  const mainFrame = { url: 'studio://app/index.html' };
  const trusted = { mainFrame };
  let exposed: unknown;
  let event: unknown = { sender: trusted, senderFrame: mainFrame };
  return {
    handlers,
    listeners,
    trusted,
    mainFrame,
    get exposed() {
      return exposed;
    },
    set exposed(v) {
      exposed = v;
    },
    get event() {
      return event;
    },
    set event(v) {
      event = v;
    },
  };
});
vi.mock('electron', () => ({
  ipcMain: {
    handle: (channel: string, fn: (event: unknown, input: unknown) => Promise<unknown>) => ipc.handlers.set(channel, fn),
    removeHandler: (channel: string) => ipc.handlers.delete(channel),
  },
  ipcRenderer: {
    invoke: (channel: string, input: unknown) => {
      const fn = ipc.handlers.get(channel);
      if (!fn) return Promise.reject(new Error(`no handler for ${channel}`));
      return fn(ipc.event, structuredClone(input));
    },
    on: (channel: string, fn: (event: unknown, ...args: unknown[]) => void) => {
      if (!ipc.listeners.has(channel)) ipc.listeners.set(channel, new Set());
      ipc.listeners.get(channel)!.add(fn);
    },
    removeListener: (channel: string, fn: (event: unknown, ...args: unknown[]) => void) => {
      ipc.listeners.get(channel)?.delete(fn);
    },
  },
  contextBridge: { exposeInMainWorld: (_key: string, api: unknown) => (ipc.exposed = api) },
}));

/** A sync service that never syncs in the background (no backend in these tests). */
function quietSync(lib: Library): SyncService {
  return new SyncService({ library: lib, vault: new MemoryVault(), intervalMs: 0 });
}

function openLibrary(dir: string): Library {
  return Library.open(join(dir, 'lib.sqlite'), { seed: { catalogPath: sampleCatalogPath(), storiesDir: sampleStoriesDir() } });
}

describe('contract over the loopback host', () => {
  let dir: string;
  let lib: Library;
  let host: RunningHost;
  let api: StudioApi;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'studio-contract-http-'));
    lib = openLibrary(dir);
    const sync = quietSync(lib);
    host = await startHost({ handlers: createHandlers(lib, librarySettings(lib), sync), staticDir: dir, events: (emit) => watchHostEvents(sync, emit) });
    api = createFetchApi(host.secret, host.origin);
  });
  afterAll(async () => {
    await host.close();
    lib.close();
    rmSync(dir, { recursive: true, force: true });
  });
  contractSuite(() => api);
});

describe('contract over Electron IPC (preload + IPC host, Electron mocked)', () => {
  let dir: string;
  let lib: Library;
  let unregister: () => void;
  let unwatch: () => void;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'studio-contract-ipc-'));
    lib = openLibrary(dir);
    const sync = quietSync(lib);
    const { registerIpc } = await import('../../electron/main/ipc.js');
    unregister = registerIpc(createHandlers(lib, librarySettings(lib), sync), (c) => c === ipc.trusted, 'studio://app/');
    // What main.ts does with webContents.send: the payload (structured-cloned) to the preload's listeners.
    unwatch = watchHostEvents(sync, (event, payload) => {
      for (const fn of ipc.listeners.get(eventChannel(event)) ?? []) fn({ sender: 'the IPC event must not reach the page' }, structuredClone(payload));
    });
    await import('../../electron/preload/preload.js');
  });
  afterAll(() => {
    unwatch();
    unregister();
    lib.close();
    rmSync(dir, { recursive: true, force: true });
  });
  contractSuite(() => ipc.exposed as StudioApi);

  it('exposes the contract methods, onCommand and the event subscriptions only, never ipcRenderer', () => {
    expect(Object.keys(ipc.exposed as object).sort()).toEqual(
      [...STUDIO_METHODS, 'onCommand', 'showSpellingMenu', 'onSpellingChoice', ...STUDIO_EVENT_NAMES.map(eventListenerName)].sort(),
    );
  });

  it('asks for the spelling menu through the checked channel and relays only well-formed choices, one way', async () => {
    const api = ipc.exposed as StudioApi;
    const shown: unknown[] = [];
    const { registerSpellingMenu } = await import('../../electron/main/ipc.js');
    const off = registerSpellingMenu(
      (_c, menu) => void shown.push(menu),
      (c) => c === ipc.trusted,
      'studio://app/',
    );
    try {
      await api.showSpellingMenu!({ word: 'Karpaty', suggestions: ['Karpathy'] });
      expect(shown).toEqual([{ word: 'Karpaty', suggestions: ['Karpathy'] }]);
      await expect(api.showSpellingMenu!({ word: 'Karpaty' } as never)).rejects.toThrow(/needs a word/);
    } finally {
      off();
    }
    const got: unknown[][] = [];
    const stop = api.onSpellingChoice!((...args: unknown[]) => got.push(args));
    const send = (...args: unknown[]) => {
      for (const fn of ipc.listeners.get(SPELLING_CHOICE_CHANNEL) ?? []) fn({ sender: 'the IPC event must not reach the page' }, ...args);
    };
    send({ word: 'Karpaty', replace: 'Karpathy' });
    send({ word: 'Karpaty', replace: 'Karpathy', add: true });
    send('Karpathy');
    send({ word: 'Karpaty', add: true });
    expect(got).toEqual([[{ word: 'Karpaty', replace: 'Karpathy' }], [{ word: 'Karpaty', add: true }]]);
    stop();
    expect(ipc.listeners.get(SPELLING_CHOICE_CHANNEL)?.size ?? 0).toBe(0);
  });

  it('relays menu commands one way as bare ids of the shared list, and unregisters', () => {
    const api = ipc.exposed as StudioApi;
    const got: unknown[][] = [];
    const off = api.onCommand((...args: unknown[]) => got.push(args));
    const send = (...args: unknown[]) => {
      for (const fn of ipc.listeners.get(COMMAND_CHANNEL) ?? []) fn({ sender: 'the IPC event must not reach the page' }, ...args);
    };
    send('view.review');
    send('not.a.command');
    send({ toString: () => 'view.review' });
    send('theme.dark');
    expect(got).toEqual([['view.review'], ['theme.dark']]);
    off();
    send('view.review');
    expect(got).toHaveLength(2);
    expect(ipc.listeners.get(COMMAND_CHANNEL)?.size ?? 0).toBe(0);
    expect(() => api.onCommand('not a function' as never)).toThrow(/needs a function/);
  });

  it('refuses calls from another window, a subframe or another origin', async () => {
    const api = ipc.exposed as StudioApi;
    const saved = ipc.event;
    try {
      ipc.event = { sender: { mainFrame: ipc.mainFrame }, senderFrame: ipc.mainFrame };
      await expect(api.listStories({})).rejects.toThrow(/not the studio window/);
      await expect(api.listStories({})).rejects.toMatchObject({ code: 'refused' });
      ipc.event = { sender: ipc.trusted, senderFrame: { url: 'studio://app/index.html' } };
      await expect(api.listStories({})).rejects.toThrow(/not the studio window/);
      const evil = { url: 'https://evil.example/' };
      ipc.event = { sender: { mainFrame: evil }, senderFrame: evil };
      await expect(api.listStories({})).rejects.toThrow(/not the studio window/);
    } finally {
      ipc.event = saved;
    }
    expect((await api.listStories({})).length).toBeGreaterThan(0);
  });
});
