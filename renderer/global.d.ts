import type { StudioApi } from '../shared/api/contract.js';

declare global {
  interface Window {
    /** The studio API: provided by the Electron preload, or installed by renderer/api.ts in the browser host. */
    studio?: StudioApi;
  }
}
export {};
