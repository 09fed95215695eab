export * from './engine.js';
export * from './outbox.js';
export * from './backoff.js';
export * from './lock.js';
export * from './revision.js';
export * from './library-stories.js';
export * from './http-client.js';
