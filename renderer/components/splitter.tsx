import { useRef } from 'react';

/** A draggable divider between two panes; reports the pointer's x as a percentage of the window. */
export function Splitter({ onDrag, onDone, label }: { onDrag(percent: number): void; onDone(): void; label: string }) {
  const dragging = useRef(false);
  return (
    <div
      className="splitter"
      role="separator"
      aria-orientation="vertical"
      aria-label={label}
      onPointerDown={(e) => {
        dragging.current = true;
        (e.target as HTMLElement).setPointerCapture(e.pointerId);
      }}
      onPointerMove={(e) => {
        if (dragging.current) onDrag((e.clientX / window.innerWidth) * 100);
      }}
      onPointerUp={() => {
        if (!dragging.current) return;
        dragging.current = false;
        onDone();
      }}
    />
  );
}
