export * from './types.js';
export { storyFields } from './fields.js';
export { citationFieldSchema, frontMatterFieldSchemas, frontMatterProblems, frontMatterSchema, isIsoDate } from './schema.js';
export { parseStory, serializeStory, updateMeta, createStory, type ParseOptions } from './parse.js';
