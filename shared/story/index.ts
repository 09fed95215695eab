export * from './types.js';
export { storyFields } from './fields.js';
export { parseStory, serializeStory, updateMeta, createStory, type ParseOptions } from './parse.js';
