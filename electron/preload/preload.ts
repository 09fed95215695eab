import { contextBridge, ipcRenderer } from 'electron';
import { STUDIO_METHODS, ipcChannel, type StudioApi, type StudioErrorPayload } from '../../shared/api/contract.js';

// The renderer's `window.studio`: one named method per contract method, never raw ipcRenderer.
const api: Record<string, (input: unknown) => Promise<unknown>> = {};
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
contextBridge.exposeInMainWorld('studio', api as unknown as StudioApi);
