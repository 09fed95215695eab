export { SyncService, type SyncServiceOptions, type SyncRunOptions, type SyncRunResult } from './service.js';
