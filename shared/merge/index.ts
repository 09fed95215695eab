/**
 * Three-way merge of stories: the base (last synced), the local text and the backend's. Pure.
 * The front matter merges field by field, the body block by block, then word by word.
 */
export { mergeStories, type MergeChange, type MergeConflict, type MergeOptions, type MergeSide, type StoryMerge } from './story-merge.js';
export { mergeWords, piecesText, type ConflictText, type MergePiece } from './text-merge.js';
export { tokenize, splitBlocks, blockStarts, blockAt } from './tokens.js';
export { diff3Regions, type Region } from './regions.js';
