import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { isCommandId, type CommandId } from '../../shared/api/commands.js';
import { STUDIO_EVENT_NAMES, STUDIO_METHODS, eventListenerName, type StudioApi } from '../../shared/api/contract.js';
import { readSpellingChoice, readSpellingMenu, SPELLING_CHOICE_CHANNEL, SPELLING_MENU_CHANNEL, type SpellingChoice } from '../../shared/api/spelling-menu.js';
import { COMMAND_CHANNEL, decodeResult, eventChannel, ipcChannel } from '../../shared/api/transport.js';

// The renderer's `window.studio`: one named method per contract method, never raw ipcRenderer.
const api: Record<string, unknown> = {};
for (const method of STUDIO_METHODS) {
  api[method] = async (input: unknown) =>
    decodeResult(await ipcRenderer.invoke(ipcChannel(method), input ?? {}), 'the main process answered something else than a result');
}

// Menu commands from the main process: the listener gets the command id only (never the IPC event,
// which would hand the page `sender`), and only ids of the shared command list get through.
api.onCommand = (listener: (id: CommandId) => void) => {
  if (typeof listener !== 'function') throw new TypeError('onCommand needs a function');
  const relay = (_event: IpcRendererEvent, id: unknown) => {
    if (isCommandId(id)) listener(id);
  };
  ipcRenderer.on(COMMAND_CHANNEL, relay);
  return () => {
    ipcRenderer.removeListener(COMMAND_CHANNEL, relay);
  };
};

// The spelling context menu (spelling-menu.ts): a well-formed request only, and choices read again
// before the listener gets them (the choice only, never the IPC event).
api.showSpellingMenu = async (menu: unknown) => {
  const checked = readSpellingMenu(menu);
  if (!checked) throw new TypeError('showSpellingMenu needs a word and its suggestions');
  decodeResult(await ipcRenderer.invoke(SPELLING_MENU_CHANNEL, checked), 'the main process answered something else than a result');
};
api.onSpellingChoice = (listener: (choice: SpellingChoice) => void) => {
  if (typeof listener !== 'function') throw new TypeError('onSpellingChoice needs a function');
  const relay = (_event: IpcRendererEvent, choice: unknown) => {
    const checked = readSpellingChoice(choice);
    if (checked) listener(checked);
  };
  ipcRenderer.on(SPELLING_CHOICE_CHANNEL, relay);
  return () => {
    ipcRenderer.removeListener(SPELLING_CHOICE_CHANNEL, relay);
  };
};

// Host events (STUDIO_EVENTS): the listener gets the payload only, never the IPC event; the main
// process sends objects only.
for (const event of STUDIO_EVENT_NAMES) {
  api[eventListenerName(event)] = (listener: (payload: unknown) => void) => {
    if (typeof listener !== 'function') throw new TypeError(`${eventListenerName(event)} needs a function`);
    const relay = (_event: IpcRendererEvent, payload: unknown) => {
      if (typeof payload === 'object' && payload !== null) listener(payload);
    };
    ipcRenderer.on(eventChannel(event), relay);
    return () => {
      ipcRenderer.removeListener(eventChannel(event), relay);
    };
  };
}

contextBridge.exposeInMainWorld('studio', api as unknown as StudioApi);
