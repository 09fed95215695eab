import { useCallback, useEffect, useRef, useState } from 'react';
import type { StudioApi } from '../../shared/api/contract.js';
import type { SyncOverview } from '../../shared/api/sync.js';

export interface SyncControl {
  /** The sync service's overview; null until the first answer. */
  overview: SyncOverview | null;
  /** Whether the browser itself thinks it has a network (navigator.onLine). */
  networkUp: boolean;
  refresh(): Promise<SyncOverview | null>;
  syncNow(): Promise<void>;
  /** Resolves to null when logged in, else the host's one-line reason. */
  login(backendUrl: string, token: string): Promise<string | null>;
  logout(): Promise<void>;
}

/**
 * The sync overview the status bar and the settings show: read once, then taken from the host's
 * `syncChanged` events (a sync started, progressed or ended, a login, a change queued) and from the
 * answer to every action; nothing is polled. When the browser comes back online the studio syncs at
 * once rather than waiting for the host's next probe.
 */
export function useSyncOverview(api: StudioApi | null, onError: (m: string) => void): SyncControl {
  const [overview, setOverview] = useState<SyncOverview | null>(null);
  const [networkUp, setNetworkUp] = useState(() => navigator.onLine);
  // Answers can cross (a read sent before a login answers after it): only the newest request's or
  // event's counts.
  const asked = useRef(0);
  const configured = useRef(false);
  const errorRef = useRef(onError);
  errorRef.current = onError;

  const take = useCallback((o: SyncOverview, n: number) => {
    if (n !== asked.current) return;
    configured.current = o.configured;
    setOverview(o);
  }, []);

  const refresh = useCallback(async () => {
    if (!api) return null;
    const n = ++asked.current;
    try {
      const o = await api.syncStatus({});
      take(o, n);
      return o;
    } catch {
      // The host is away (it says so on the next call that matters); its next event says more.
      return null;
    }
  }, [api, take]);

  const syncNow = useCallback(async () => {
    if (!api) return;
    const n = ++asked.current;
    try {
      take(await api.syncNow({}), n);
    } catch (e) {
      errorRef.current((e as Error).message);
    }
    void refresh();
  }, [api, take, refresh]);

  const login = useCallback(
    async (backendUrl: string, token: string) => {
      if (!api) return 'the studio is not connected';
      const n = ++asked.current;
      try {
        take(await api.syncLogin({ backendUrl, token }), n);
        return null;
      } catch (e) {
        return (e as Error).message.replace(/\s+/g, ' ');
      }
    },
    [api, take],
  );

  const logout = useCallback(async () => {
    if (!api) return;
    const n = ++asked.current;
    try {
      take(await api.syncLogout({}), n);
    } catch (e) {
      errorRef.current((e as Error).message);
    }
  }, [api, take]);

  useEffect(() => {
    if (!api) return;
    const off = api.onSyncChanged((o) => take(o, ++asked.current));
    void refresh();
    return off;
  }, [api, refresh, take]);

  useEffect(() => {
    const online = () => {
      setNetworkUp(true);
      // Back on the network: send what waited now (the host also probes the backend on its own).
      if (configured.current) void syncNow();
    };
    const offline = () => {
      setNetworkUp(false);
      void refresh();
    };
    window.addEventListener('online', online);
    window.addEventListener('offline', offline);
    return () => {
      window.removeEventListener('online', online);
      window.removeEventListener('offline', offline);
    };
  }, [syncNow, refresh]);

  return { overview, networkUp, refresh, syncNow, login, logout };
}
