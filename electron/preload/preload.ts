import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { isCommandId, type CommandId } from '../../shared/api/commands.js';
import { STUDIO_METHODS, type StudioApi } from '../../shared/api/contract.js';
import { COMMAND_CHANNEL, decodeResult, ipcChannel } from '../../shared/api/transport.js';

// The renderer's `window.studio`: one named method per contract method, never raw ipcRenderer.
const api: Record<string, unknown> = {};
for (const method of STUDIO_METHODS) {
  api[method] = async (input: unknown) => decodeResult(await ipcRenderer.invoke(ipcChannel(method), input ?? {}), 'the main process answered something else than a result');
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

contextBridge.exposeInMainWorld('studio', api as unknown as StudioApi);
