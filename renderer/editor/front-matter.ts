import { commonmarkLanguage, markdownKeymap, pasteURLAsLink } from '@codemirror/lang-markdown';
import { Language, LanguageSupport } from '@codemirror/language';
import { Prec, type Extension } from '@codemirror/state';
import { keymap } from '@codemirror/view';
import type { MarkdownConfig, MarkdownParser } from '@lezer/markdown';
import { tags } from '@lezer/highlight';

/**
 * Markdown for story files: the YAML front matter at the top is one block of its own (shown as
 * meta), so its last key never reads as a setext heading and its fences never as rules.
 *
 * What `markdown()` of @codemirror/lang-markdown gives, less its HTML: that brings the HTML, CSS and
 * JavaScript grammars (≈ 180 KB, an eighth of the page's code, decoded at start: issue 13's cold
 * start) to highlight and complete tags a story's HTML never renders. The same CommonMark language
 * data (so the list keys' `markdownLanguage.isActiveAt` still holds), its Enter and Backspace keys
 * and pasting a URL over text as a link.
 */
export function storyMarkdown(): Extension {
  const parser = (commonmarkLanguage.parser as MarkdownParser).configure([frontMatter]);
  return new LanguageSupport(new Language(commonmarkLanguage.data, parser, [], 'markdown'), [Prec.high(keymap.of(markdownKeymap)), pasteURLAsLink]);
}

const frontMatter: MarkdownConfig = {
  defineNodes: [{ name: 'FrontMatter', block: true, style: tags.meta }],
  parseBlock: [
    {
      name: 'FrontMatter',
      before: 'HorizontalRule',
      parse(cx, line) {
        if (cx.lineStart !== 0 || line.text.replace(/^\uFEFF/, '').trimEnd() !== '---') return false;
        const start = cx.lineStart;
        let closed = false;
        while (cx.nextLine()) {
          const t = line.text.trimEnd();
          if (t === '---' || t === '...') {
            closed = true;
            break;
          }
        }
        if (closed) cx.nextLine();
        cx.addElement(cx.elt('FrontMatter', start, cx.prevLineEnd()));
        return true;
      },
    },
  ],
};
