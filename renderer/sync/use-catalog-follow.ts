import { useEffect, useRef } from 'react';

/**
 * Reads the catalog again when the library's catalog changed (the sync service adopted the
 * backend's): completion, highlighting and lint in the open editor then use it, with no restart.
 * `stamp` is the overview's `catalogStamp` (undefined until the first overview).
 */
export function useCatalogFollow(stamp: string | null | undefined, reload: () => Promise<void>, onError: (m: string) => void): void {
  const seen = useRef<string | null | undefined>(undefined);
  useEffect(() => {
    if (stamp === undefined) return;
    const before = seen.current;
    seen.current = stamp;
    // The catalog loaded at start is the one of the first stamp seen.
    if (before === undefined || before === stamp) return;
    reload().catch((e: Error) => onError(`The new catalog could not be read: ${e.message}`));
  }, [stamp, reload, onError]);
}
