/** Review notes in the studio: the library's notes, their outbox and their sync round. */
export { NotesService } from './service.js';
export { NotesStore, type LocalNote } from './store.js';
export { syncNotes, type NotesRoundResult } from './sync.js';
