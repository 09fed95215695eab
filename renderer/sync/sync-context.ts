import { createContext, useContext } from 'react';
import type { SyncControl } from './use-sync-overview.js';

/**
 * The sync control for parts the app does not hand it to by props (the settings dialog renders
 * the publishing-backend section itself).
 */
export const SyncContext = createContext<SyncControl | null>(null);

export function useSyncControl(): SyncControl | null {
  return useContext(SyncContext);
}
