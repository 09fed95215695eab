import { app, BrowserWindow, Menu, net, protocol, session } from 'electron';
import Store from 'electron-store';
import { dirname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { COMMAND_CHANNEL, RENDERER_CSP, eventChannel } from '../../shared/api/transport.js';
import { createHandlers, openConfSettings, watchHostEvents } from '../services/api-handlers.js';
import { Library } from '../services/library/index.js';
import { defaultLibraryPath, privateDataDir, sampleCatalogPath, sampleStoriesDir } from '../services/paths.js';
import { SyncService } from '../services/sync-service/index.js';
import { credentialsPath } from '../services/vault/index.js';
import { denyPermissions, guardContents, menuDevTools } from './guards.js';
import { showSpellingMenu } from './context-menu.js';
import { registerIpc, registerSpellingMenu } from './ipc.js';
import { electronTokenVault } from './token-vault.js';
import { menuTemplate } from './menu.js';

const here = dirname(fileURLToPath(import.meta.url));
const SCHEME = 'studio';
const APP_ORIGIN = `${SCHEME}://app/`;
const rendererDir = resolve(here, '..', 'renderer');

// codeCache: V8 keeps the renderer's compiled code between starts, as Chromium does for http(s) pages
// (off by default for a custom scheme), so a daily start does not compile the app's 1 MB again.
protocol.registerSchemesAsPrivileged([{ scheme: SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } }]);

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  let win: BrowserWindow | null = null;
  let lib: Library | null = null;
  let sync: SyncService | null = null;

  app.on('second-instance', () => {
    if (win) {
      if (win.isMinimized()) win.restore();
      win.focus();
    }
  });

  // No navigation, redirect or frame navigation away from the app and no new windows, in any web
  // contents; web links open outside (guards.ts, tested against a fake electron).
  app.on('web-contents-created', (_e, contents) => guardContents(contents, APP_ORIGIN));
  const devTools = menuDevTools(app);

  app.whenReady().then(async () => {
    denyPermissions(session.defaultSession);
    protocol.handle(SCHEME, async (request) => {
      const url = new URL(request.url);
      const rel = normalize(decodeURIComponent(url.pathname)).replace(/^([/\\])+/, '') || 'index.html';
      const file = resolve(rendererDir, rel);
      if (url.host !== 'app' || (file !== rendererDir && !file.startsWith(rendererDir + sep))) return new Response('not found', { status: 404 });
      const res = await net.fetch(pathToFileURL(file).toString());
      const headers = new Headers(res.headers);
      if (file.endsWith('.html')) headers.set('Content-Security-Policy', RENDERER_CSP);
      return new Response(res.body, { status: res.status, headers });
    });

    privateDataDir();
    const libraryPath = defaultLibraryPath();
    try {
      lib = Library.open(libraryPath, { seed: { catalogPath: sampleCatalogPath(), storiesDir: sampleStoriesDir() } });
    } catch (e) {
      console.error(`studio: ${(e as Error).message}`);
      app.exit(2);
      return;
    }
    // electron-store is Conf with Electron's paths: the same validated store as the browser host's.
    const settings = openConfSettings(
      (clearInvalidConfig) => new Store<Record<string, unknown>>({ name: 'settings', configFileMode: 0o600, clearInvalidConfig }),
      app.getPath('userData'),
    );
    // Sync runs in this process: the token never reaches the window.
    const { vault, storageNote } = await electronTokenVault(credentialsPath(dirname(libraryPath)));
    sync = new SyncService({ library: lib, vault, storageNote });
    sync.start();
    registerIpc(createHandlers(lib, settings, sync), (contents) => win !== null && contents === win.webContents, APP_ORIGIN);
    // Right-click on a misspelt word: the renderer's suggestions in a native menu (context-menu.ts).
    registerSpellingMenu(showSpellingMenu, (contents) => win !== null && contents === win.webContents, APP_ORIGIN);
    // Host events go one way to the app window only (see the preload's onSyncChanged).
    watchHostEvents(sync, (event, payload) => win?.webContents.send(eventChannel(event), payload));

    // Menu commands go one way to the app window only, as a bare command id (see the preload's onCommand).
    Menu.setApplicationMenu(Menu.buildFromTemplate(menuTemplate((id) => win?.webContents.send(COMMAND_CHANNEL, id), process.platform, devTools)));

    win = new BrowserWindow({
      width: 1400,
      height: 900,
      title: 'Newsdesk Studio',
      show: false,
      webPreferences: {
        preload: join(here, 'preload.cjs'),
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        webSecurity: true,
        // One checker, the studio's (it knows the catalog): Chromium's would underline names ours knows.
        spellcheck: false,
        devTools,
      },
    });
    win.once('ready-to-show', () => win?.show());
    win.on('closed', () => {
      win = null;
    });
    void win.loadURL(`${APP_ORIGIN}index.html`);
  });

  app.on('window-all-closed', () => {
    sync?.stop();
    // A sync under way finishes its request first, so that its answer is recorded.
    void (sync?.idle() ?? Promise.resolve()).finally(() => {
      lib?.close();
      app.quit();
    });
  });
}
