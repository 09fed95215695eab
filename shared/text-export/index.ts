export { toPlainText, type PlainTextOptions } from './export.js';
export { parsePlainText } from './import.js';
export { looksLikePlainText, HEAVY_RULE, LIGHT_RULE } from './layout.js';
