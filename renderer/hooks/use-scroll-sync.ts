import type { EditorView } from '@codemirror/view';
import { useCallback, useRef } from 'react';
import { ScrollSync } from '../editor/index.js';

/**
 * Scroll sync between the editor and the preview, rebuilt whenever either comes or goes (a story
 * opens, the preview is hidden and shown again).
 */
export function useScrollSync() {
  const view = useRef<EditorView | null>(null);
  const preview = useRef<HTMLDivElement | null>(null);
  const sync = useRef<ScrollSync | null>(null);
  const rebuild = () => {
    sync.current?.dispose();
    sync.current = view.current && preview.current ? new ScrollSync(view.current, preview.current) : null;
  };
  const onView = useCallback((v: EditorView | null) => {
    view.current = v;
    rebuild();
  }, []);
  const previewRef = useCallback((el: HTMLDivElement | null) => {
    preview.current = el;
    rebuild();
  }, []);
  const onEditorScroll = useCallback(() => sync.current?.onEditorScroll(), []);
  const onPreviewScroll = useCallback(() => sync.current?.onPreviewScroll(), []);
  return { view, onView, previewRef, onEditorScroll, onPreviewScroll };
}
