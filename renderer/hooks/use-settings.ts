import { useCallback, useEffect, useRef, useState } from 'react';
import type { Settings, StudioApi } from '../../shared/api/contract.js';

/** Puts the theme on the page: `data-theme` on <html>, the system's choice resolved now. */
export function applyTheme(theme: Settings['theme']): void {
  const dark = theme === 'dark' || (theme === 'system' && window.matchMedia?.('(prefers-color-scheme: dark)').matches);
  document.documentElement.dataset.theme = dark ? 'dark' : 'light';
}

export interface SettingsControl {
  settings: Settings | null;
  /** The newest settings, changes not yet rendered included (for a change built on the previous one). */
  latest(): Settings | null;
  /** Loads settings read from the host (at start). */
  load(s: Settings): void;
  /**
   * Changes settings. `optimistic` (the default) shows the change at once and saves it behind the
   * scenes (a theme click must not wait for a round trip); otherwise the change shows once the host
   * accepted it. Resolves to null, or to the host's one-line reason for refusing.
   */
  update(patch: Partial<Settings>, options?: { optimistic?: boolean }): Promise<string | null>;
}

/**
 * The studio's settings as the page sees them. The latest value lives in a ref as well as in state,
 * so that quick successive changes (clicking the theme button twice) each start from the previous
 * one rather than from the last render; only the answer to the newest save is taken, since answers
 * may come back out of order.
 */
export function useSettings(api: StudioApi | null): SettingsControl {
  const [settings, setSettings] = useState<Settings | null>(null);
  const latest = useRef<Settings | null>(null);
  const seq = useRef(0);

  const load = useCallback((s: Settings) => {
    latest.current = s;
    setSettings(s);
    applyTheme(s.theme);
  }, []);

  const update = useCallback(
    async (patch: Partial<Settings>, options: { optimistic?: boolean } = {}) => {
      if (!api || !latest.current) return 'the studio is not ready';
      const previous = latest.current;
      if (options.optimistic !== false) load({ ...previous, ...patch });
      const mine = ++seq.current;
      try {
        const saved = await api.setSettings(patch);
        if (mine === seq.current) load(saved);
        return null;
      } catch (e) {
        if (mine === seq.current) load(previous);
        return (e as Error).message;
      }
    },
    [api, load],
  );

  // "system" follows the operating system's scheme as it changes.
  const theme = settings?.theme;
  useEffect(() => {
    if (theme !== 'system' || !window.matchMedia) return;
    const query = window.matchMedia('(prefers-color-scheme: dark)');
    const follow = () => applyTheme('system');
    query.addEventListener('change', follow);
    return () => query.removeEventListener('change', follow);
  }, [theme]);

  const current = useCallback(() => latest.current, []);
  return { settings, latest: current, load, update };
}
