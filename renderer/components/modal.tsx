import { useEffect, useId, useRef, type ReactNode } from 'react';

export interface ModalProps {
  title: string;
  onClose(): void;
  className?: string;
  /** Also a test handle. */
  testId?: string;
  children: ReactNode;
}

/** What a dialog's keyboard starts on: its first field, else its first control after the close button. */
const FIRST_FIELD = ':is(input:not([type=hidden]), select, textarea):not(:disabled), .modal-head ~ * button:not(:disabled)';

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
    // The first field has the keyboard (showModal gives it to the first focusable element, the
    // close button, where typing does nothing and Enter closes the dialog).
    dialog.querySelector<HTMLElement>(FIRST_FIELD)?.focus();
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
        <button type="button" className="icon" aria-label={`Close ${title.toLowerCase()}`} onClick={() => closeRef.current()}>
          ×
        </button>
      </header>
      {children}
    </dialog>
  );
}
