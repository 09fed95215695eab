import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { isCommandId, type CommandId } from '../../shared/api/commands.js';
import { COMMAND_CHANNEL, STUDIO_METHODS, ipcChannel, type StudioApi, type StudioErrorPayload } from '../../shared/api/contract.js';

// The renderer's `window.studio`: one named method per contract method, never raw ipcRenderer.
const api: Record<string, unknown> = {};
for (const method of STUDIO_METHODS) {
  api[method] = async (input: unknown) => {
    const result = (await ipcRenderer.invoke(ipcChannel(method), input ?? {})) as { ok: boolean; value?: unknown; error?: StudioErrorPayload };
    if (!result.ok) {
      const err = new Error(result.error?.message ?? 'unknown error');
      err.name = result.error?.code ?? 'internal';
      throw err;
    }
    return result.value;
  };
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
