import type { MarkdownIt, StateCore } from 'markdown-it';
import { escapeHtml } from '../text-util.js';
import type { StoryEnv } from './env.js';

/**
 * Stamps `data-line` (the block's first line in the whole file) on every block element, so the
 * editor and the preview can scroll together; and tells the inline rules which block they are in.
 */
export function sourceMapPlugin(md: MarkdownIt): void {
  md.core.ruler.after('block', 'story_data_line', (state: StateCore) => {
    const offset = (state.env as unknown as StoryEnv).lineOffset ?? 1;
    for (const token of state.tokens) {
      if (token.map && token.nesting >= 0 && token.block && token.type !== 'inline') {
        token.attrSet('data-line', String(token.map[0] + offset));
      }
    }
  });
  // markdown-it's own inline rule, plus a note of the block being parsed (for source offsets).
  md.core.ruler.at('inline', (state: StateCore) => {
    const env = state.env as unknown as StoryEnv;
    for (const token of state.tokens) {
      if (token.type !== 'inline') continue;
      env.block = token;
      state.md.inline.parse(token.content, state.md, state.env, token.children ?? (token.children = []));
    }
    env.block = undefined;
  });
  // An empty blockquote opens and closes on lines of their own, as CommonMark renders it.
  md.renderer.rules.blockquote_open = (tokens, idx, options, _env, self) => {
    const html = self.renderToken(tokens, idx, options);
    return tokens[idx + 1]?.type === 'blockquote_close' && !html.endsWith('\n') ? `${html}\n` : html;
  };
  // Code blocks: data-line on <pre>, the block element, not on the inline <code>.
  const renderCode = (content: string, info: string, line: string | null) => {
    const lang = info.trim().split(/\s+/)[0] ?? '';
    const cls = lang ? ` class="language-${escapeHtml(lang)}"` : '';
    const dataLine = line ? ` data-line="${line}"` : '';
    return `<pre${dataLine}><code${cls}>${escapeHtml(content)}</code></pre>\n`;
  };
  md.renderer.rules.fence = (tokens, idx) => {
    const t = tokens[idx]!;
    return renderCode(t.content, md.utils.unescapeAll(t.info), t.attrGet('data-line') as string | null);
  };
  md.renderer.rules.code_block = (tokens, idx) => {
    const t = tokens[idx]!;
    return renderCode(t.content, '', t.attrGet('data-line') as string | null);
  };
}
