import { ipcMain, type IpcMainInvokeEvent, type WebContents } from 'electron';
import { STUDIO_METHODS, type StudioHandlers } from '../../shared/api/contract.js';
import { failure, ipcChannel, type CallResult } from '../../shared/api/transport.js';
import { dispatch } from '../services/api-handlers.js';

/** The only file that touches ipcMain: one handler per contract method, each checking its sender. */
export function registerIpc(handlers: StudioHandlers, isTrusted: (contents: WebContents) => boolean, appOrigin: string): () => void {
  for (const method of STUDIO_METHODS) {
    ipcMain.handle(ipcChannel(method), async (event: IpcMainInvokeEvent, input: unknown): Promise<CallResult> => {
      const frame = event.senderFrame;
      const trusted = isTrusted(event.sender) && frame !== null && frame === event.sender.mainFrame && frame.url.startsWith(appOrigin);
      if (!trusted) return failure('refused', 'refused: not the studio window');
      return dispatch(handlers, method, input);
    });
  }
  return () => {
    for (const method of STUDIO_METHODS) ipcMain.removeHandler(ipcChannel(method));
  };
}
