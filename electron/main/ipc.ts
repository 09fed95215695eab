import { ipcMain, type IpcMainInvokeEvent, type WebContents } from 'electron';
import { STUDIO_METHODS, type StudioHandlers } from '../../shared/api/contract.js';
import { readSpellingMenu, SPELLING_MENU_CHANNEL, type SpellingMenu } from '../../shared/api/spelling-menu.js';
import { failure, ipcChannel, type CallResult } from '../../shared/api/transport.js';
import { dispatch } from '../services/api-handlers.js';

/** Whether a call comes from the studio window's main frame, showing the app. */
function fromStudio(event: IpcMainInvokeEvent, isTrusted: (contents: WebContents) => boolean, appOrigin: string): boolean {
  const frame = event.senderFrame;
  return isTrusted(event.sender) && frame !== null && frame === event.sender.mainFrame && frame.url.startsWith(appOrigin);
}

/** The only file that touches ipcMain: one handler per contract method, each checking its sender. */
export function registerIpc(handlers: StudioHandlers, isTrusted: (contents: WebContents) => boolean, appOrigin: string): () => void {
  for (const method of STUDIO_METHODS) {
    ipcMain.handle(ipcChannel(method), async (event: IpcMainInvokeEvent, input: unknown): Promise<CallResult> => {
      if (!fromStudio(event, isTrusted, appOrigin)) return failure('refused', 'refused: not the studio window');
      return dispatch(handlers, method, input);
    });
  }
  return () => {
    for (const method of STUDIO_METHODS) ipcMain.removeHandler(ipcChannel(method));
  };
}

/**
 * The spelling context menu's request (spelling-menu.ts), checked like a contract call: from the
 * studio window only, and only a well-formed menu is shown.
 */
export function registerSpellingMenu(
  show: (contents: WebContents, menu: SpellingMenu) => void,
  isTrusted: (contents: WebContents) => boolean,
  appOrigin: string,
): () => void {
  ipcMain.handle(SPELLING_MENU_CHANNEL, async (event: IpcMainInvokeEvent, input: unknown): Promise<CallResult> => {
    if (!fromStudio(event, isTrusted, appOrigin)) return failure('refused', 'refused: not the studio window');
    const menu = readSpellingMenu(input);
    if (!menu) return failure('bad-input', 'not a spelling menu');
    show(event.sender, menu);
    return { ok: true, value: null };
  });
  return () => ipcMain.removeHandler(SPELLING_MENU_CHANNEL);
}
