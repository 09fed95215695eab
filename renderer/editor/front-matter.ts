import { markdown } from '@codemirror/lang-markdown';
import type { Extension } from '@codemirror/state';
import { tags } from '@lezer/highlight';

/**
 * Markdown for story files: the YAML front matter at the top is one block of its own (shown as
 * meta), so its last key never reads as a setext heading and its fences never as rules.
 */
export function storyMarkdown(): Extension {
  return markdown({
    extensions: [
      {
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
      },
    ],
  });
}
