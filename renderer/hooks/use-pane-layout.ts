import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { HIDEABLE_PANES } from '../../shared/api/contract.js';
import type { SettingsControl } from './use-settings.js';

export type HideablePane = (typeof HIDEABLE_PANES)[number];
/** Library, editor, preview: the order of `sizes`. */
export const PANES = ['library', 'editor', 'preview'] as const;
export type PaneId = (typeof PANES)[number];

const DEFAULT_SIZES = [22, 42, 36];
/** No pane narrower than this share (sizes are shares of 100, used as grid `fr`). */
const MIN_SHARE = 10;

export interface PaneLayout {
  sizes: number[];
  hidden: ReadonlySet<HideablePane>;
  isShown(pane: HideablePane): boolean;
  toggle(pane: HideablePane): void;
  /** Moves the border between two neighbouring panes by a fraction of the width the visible panes share. */
  resize(left: PaneId, right: PaneId, fraction: number): void;
  /** Keeps the sizes in the settings (at the end of a drag or a key press on a splitter). */
  commit(): void;
}

/** Pane sizes and which panes are hidden, both kept in the settings. */
export function usePaneLayout({ settings, update }: SettingsControl): PaneLayout {
  const [sizes, setSizes] = useState<number[]>(settings?.paneSizes ?? DEFAULT_SIZES);
  const sizesRef = useRef(sizes);
  const loaded = settings !== null;
  // The same set while the same panes are hidden, so that the callbacks below stay put.
  const hiddenKey = (settings?.hiddenPanes ?? []).join(',');
  const hidden = useMemo(() => new Set<HideablePane>(hiddenKey ? (hiddenKey.split(',') as HideablePane[]) : []), [hiddenKey]);

  // The sizes of the settings once they have loaded; after that, dragging owns them.
  const initial = settings?.paneSizes;
  const applied = useRef(false);
  useEffect(() => {
    if (!loaded || !initial || applied.current) return;
    applied.current = true;
    sizesRef.current = initial;
    setSizes(initial);
  }, [loaded, initial]);

  const toggle = useCallback(
    (pane: HideablePane) => {
      const now = new Set(hidden);
      if (now.has(pane)) now.delete(pane);
      else now.add(pane);
      void update({ hiddenPanes: HIDEABLE_PANES.filter((p) => now.has(p)) });
    },
    [hidden, update],
  );

  // Computed from the ref, not from a state updater: a key press resizes and commits in one go,
  // before the new sizes are rendered.
  const resize = useCallback(
    (left: PaneId, right: PaneId, fraction: number) => {
      const current = sizesRef.current;
      const li = PANES.indexOf(left);
      const ri = PANES.indexOf(right);
      const visible = PANES.filter((p) => p === 'editor' || !hidden.has(p as HideablePane));
      const total = visible.reduce((sum, p) => sum + current[PANES.indexOf(p)]!, 0);
      const pair = current[li]! + current[ri]!;
      const nextLeft = Math.max(MIN_SHARE, Math.min(pair - MIN_SHARE, current[li]! + fraction * total));
      const next = [...current];
      next[li] = Math.round(nextLeft * 10) / 10;
      next[ri] = Math.round((pair - nextLeft) * 10) / 10;
      sizesRef.current = next;
      setSizes(next);
    },
    [hidden],
  );

  const commit = useCallback(() => {
    void update({ paneSizes: sizesRef.current.map((s) => Math.max(5, Math.min(90, s))) });
  }, [update]);

  return { sizes, hidden, isShown: (p) => !hidden.has(p), toggle, resize, commit };
}
