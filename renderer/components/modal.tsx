import { useEffect, useId, useRef, type ReactNode } from 'react';

export interface ModalProps {
  title: string;
  onClose(): void;
  className?: string;
  /** Also a test handle. */
  testId?: string;
  children: ReactNode;
}

/**
 * A modal dialog on the native <dialog>: the page behind is inert, focus stays inside, Escape
 * closes it, and focus returns to where it was.
 */
export function Modal({ title, onClose, className, testId, children }: ModalProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const closeRef = useRef(onClose);
  closeRef.current = onClose;
  useEffect(() => {
    const dialog = ref.current!;
    const before = document.activeElement as HTMLElement | null;
    if (!dialog.open) dialog.showModal();
    return () => {
      dialog.close();
      before?.focus?.();
    };
  }, []);
  return (
    <dialog
      ref={ref}
      className={`modal ${className ?? ''}`}
      aria-labelledby={titleId}
      data-testid={testId}
      onCancel={(e) => {
        e.preventDefault();
        closeRef.current();
      }}
    >
      <header className="modal-head">
        <h2 id={titleId}>{title}</h2>
        <button type="button" className="icon" aria-label={`Close ${title.toLowerCase()}`} onClick={() => closeRef.current()}>×</button>
      </header>
      {children}
    </dialog>
  );
}
