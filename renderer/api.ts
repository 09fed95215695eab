import { STUDIO_EVENT_NAMES, STUDIO_METHODS, eventListenerName, type StudioApi } from '../shared/api/contract.js';
import { SECRET_HEADER, SESSION_PATH, StudioError, apiPath, decodeResult } from '../shared/api/transport.js';
import { hostEventStream } from './host-events.js';

const SECRET_KEY = 'newsdesk-studio-secret';
/** Marks the fetch API, so that a second getStudio() call does not take it for Electron's preload. */
const FETCH_API = Symbol('studio fetch api');

/**
 * The fetch-based studio API of the loopback browser host, derived from the contract. The secret
 * comes from the URL fragment (`#secret=…`), is kept for the tab's session and removed from the
 * address bar.
 */
export function createFetchApi(secret: string | Promise<string>, base = ''): StudioApi {
  const api: Record<string, unknown> = {};
  const known = Promise.resolve(secret);
  known.catch(() => undefined); // each call reports a failed exchange itself
  for (const method of STUDIO_METHODS) {
    api[method] = async (input: unknown) => {
      const key = await known;
      let res: Response;
      try {
        res = await fetch(`${base}${apiPath(method)}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', [SECRET_HEADER]: key },
          body: JSON.stringify(input ?? {}),
        });
      } catch (e) {
        throw new StudioError('transport', `the studio host is not reachable (${(e as Error).message})`);
      }
      return decodeResult(await res.json().catch(() => null), `the studio host answered ${res.status}`);
    };
  }
  // Host events (STUDIO_EVENTS) arrive on one server-sent event stream.
  const events = hostEventStream(known, base);
  for (const event of STUDIO_EVENT_NAMES) api[eventListenerName(event)] = (listener: (payload: unknown) => void) => events.subscribe(event, listener);
  // The browser host has no application menu: commands come from the page's own keymap and menu
  // bar, so this registration never fires.
  const onCommand: StudioApi['onCommand'] = () => () => undefined;
  return Object.assign(api, { onCommand, [FETCH_API]: true }) as unknown as StudioApi;
}

/** Exchanges the one-time code of the address the page was opened on for the secret (once; it expires). */
async function exchangeCode(code: string, stored: string | null): Promise<string> {
  let res: Response;
  try {
    res = await fetch(SESSION_PATH, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code }) });
  } catch (e) {
    throw new StudioError('transport', `the studio host is not reachable (${(e as Error).message})`);
  }
  try {
    const { secret } = decodeResult(await res.json().catch(() => null), `the studio host answered ${res.status}`) as { secret: string };
    sessionStorage.setItem(SECRET_KEY, secret);
    return secret;
  } catch (e) {
    // An old address opened again in a tab that already has the secret: keep working.
    if (stored) return stored;
    throw e;
  }
}

function takeSecret(): string | Promise<string> | null {
  const params = new URLSearchParams(location.hash.replace(/^#/, ''));
  const code = params.get('code');
  if (code) {
    history.replaceState(null, '', location.pathname + location.search);
    return exchangeCode(code, sessionStorage.getItem(SECRET_KEY));
  }
  const fromHash = params.get('secret');
  if (fromHash) {
    sessionStorage.setItem(SECRET_KEY, fromHash);
    history.replaceState(null, '', location.pathname + location.search);
    return fromHash;
  }
  return sessionStorage.getItem(SECRET_KEY);
}

/** Whether the page runs in Electron (its preload put `window.studio` there before any script of ours ran). */
let electronHost = false;

/** The host the renderer runs in: Electron has a native application menu, the browser host does not. */
export function hostKind(): 'electron' | 'browser' {
  return electronHost ? 'electron' : 'browser';
}

/** The studio API: the preload's in Electron, else the browser host's over fetch. */
export function getStudio(): StudioApi {
  if (window.studio) {
    electronHost = !(window.studio as { [FETCH_API]?: true })[FETCH_API];
    return window.studio;
  }
  const secret = takeSecret();
  if (!secret) throw new StudioError('transport', 'no studio secret: open the address the studio printed (it ends in #code=…)');
  const api = createFetchApi(secret);
  window.studio = api;
  return api;
}
