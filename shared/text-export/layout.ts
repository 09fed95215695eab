/** The rules and fixed lines of the plain-text export (story-format.md §4). */
export const HEAVY_RULE = '═'.repeat(64);
export const LIGHT_RULE = '─'.repeat(64);
export const EXPORT_TITLE = 'AIDRAN STORY';
export const EXPORT_FOOTER = ['Source: AIDRAN — https://aidran.ai', 'This content is available under https://aidran.ai/terms'];

/** Whether text is a plain-text export (either form) rather than a story file: it opens with a heavy rule. */
export function looksLikePlainText(text: string): boolean {
  return /^\uFEFF?\s*═{8,}/.test(text);
}
