import { useRef } from 'react';

export interface SplitterProps {
  label: string;
  /** The left pane's share, 0–100, for assistive technology. */
  value: number;
  /** The border moved by `fraction` of the width the panes share (negative: to the left). */
  onResize(fraction: number): void;
  onDone(): void;
}

/** The step of one arrow-key press, as a fraction of the panes' width. */
const KEY_STEP = 0.02;

/**
 * A divider between two panes: dragged with the pointer, or focused and moved with the arrow keys
 * (Home/End move it as far as it goes). Reports movement as a fraction of its container's width.
 */
export function Splitter({ label, value, onResize, onDone }: SplitterProps) {
  const last = useRef<number | null>(null);
  const width = (el: HTMLElement) => el.parentElement?.getBoundingClientRect().width || window.innerWidth;
  return (
    <div
      className="splitter"
      role="separator"
      tabIndex={0}
      aria-orientation="vertical"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={Math.round(value)}
      onPointerDown={(e) => {
        last.current = e.clientX;
        e.currentTarget.setPointerCapture(e.pointerId);
      }}
      onPointerMove={(e) => {
        if (last.current === null) return;
        const dx = e.clientX - last.current;
        last.current = e.clientX;
        if (dx !== 0) onResize(dx / width(e.currentTarget));
      }}
      onPointerUp={() => {
        if (last.current === null) return;
        last.current = null;
        onDone();
      }}
      onKeyDown={(e) => {
        const step = e.key === 'ArrowLeft' ? -KEY_STEP : e.key === 'ArrowRight' ? KEY_STEP : e.key === 'Home' ? -1 : e.key === 'End' ? 1 : 0;
        if (!step) return;
        e.preventDefault();
        onResize(step);
        onDone();
      }}
    />
  );
}
