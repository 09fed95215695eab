export { storyMarkdown, createStoryMarkdown } from './story-markdown.js';
export { isAllowedUrl, isHttpUrl } from './safe-links.js';
export { readCitationMarker } from './citations.js';
export type { StoryEnv, BodyFacts, RawReference, RawCitation } from './env.js';
