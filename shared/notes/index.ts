/** Review notes: their wire shapes, who may do what, and anchoring that survives editing. */
export * from './schema.js';
export { noteActionAllowed, type NoteAction } from './rules.js';
export { anchorAt, movedAnchor, placeAnchors, placeByQuote, type Placement, type PlacedBy } from './anchor.js';
