/** Who may do what with a note (publishing-protocol.md, "Review notes"). */
import { ROLES, type Role } from '../protocol/index.js';

export type NoteAction = 'create' | 'reply' | 'edit' | 'resolve' | 'reopen';

/**
 * Whether a role may take an action on a note. Anyone who may read the story may add a note or a
 * reply; a note's author alone edits its text; resolving or reopening needs `editor` or above, or
 * the note's author.
 */
export function noteActionAllowed(action: NoteAction, role: Role, isAuthor: boolean): boolean {
  switch (action) {
    case 'create':
    case 'reply':
      return true;
    case 'edit':
      return isAuthor;
    case 'resolve':
    case 'reopen':
      return isAuthor || ROLES.indexOf(role) >= ROLES.indexOf('editor');
  }
}
