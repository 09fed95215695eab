import { useRef, type MutableRefObject } from 'react';

/** A ref that always holds the latest value: for callbacks an editor made once keeps calling. */
export function useLatest<T>(value: T): MutableRefObject<T> {
  const ref = useRef(value);
  ref.current = value;
  return ref;
}
