import { useEffect, useRef } from 'react';

type Item = Record<string, unknown>;
const isItem = (v: unknown): v is Item => typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown): string => (typeof v === 'string' || typeof v === 'number' ? String(v) : '');
const FIELDS = [
  { key: 'url', label: 'URL', placeholder: 'https://…' },
  { key: 'title', label: 'Title', placeholder: 'Title of the cited article' },
  { key: 'source', label: 'Source', placeholder: 'Publisher or platform' },
] as const;

/**
 * The front matter's `citations` list as rows of n, URL, title and source. Works on the list as
 * written (each item a copy with one key changed), so keys the form does not know survive an edit;
 * an emptied field removes its key. `undefined` removes the whole list.
 */
export function CitationsEditor({
  value,
  onChange,
  focus,
  onDone,
}: {
  value: unknown;
  onChange(next: unknown[] | undefined): void;
  /** A citation (by number) whose URL field takes the focus once it is listed. */
  focus?: { n: number } | null;
  /** Enter in a field: the person is done here. */
  onDone?(): void;
}) {
  const list: unknown[] = Array.isArray(value) ? value : [];
  const added = useRef(false);
  const table = useRef<HTMLTableSectionElement>(null);
  const focused = useRef<{ n: number } | null>(null);

  // A citation added from the editor: its row's URL, once (the list may arrive after the request).
  useEffect(() => {
    if (!focus || focused.current === focus) return;
    const i = list.findIndex((c) => isItem(c) && Number(c.n) === focus.n);
    if (i < 0) return;
    focused.current = focus;
    table.current?.querySelectorAll<HTMLInputElement>('input[data-key=url]')[i]?.focus();
  });
  const done = (e: React.KeyboardEvent<HTMLElement>) => {
    if (e.key !== 'Enter' || !onDone || e.isComposing) return;
    e.preventDefault();
    onDone();
  };

  // A new row's URL field gets the focus.
  useEffect(() => {
    if (!added.current) return;
    added.current = false;
    table.current?.querySelector<HTMLInputElement>('tr:last-child input[data-key=url]')?.focus();
  }, [list.length]);

  function set(i: number, key: string, v: unknown) {
    const next = list.map((item, j) => {
      if (j !== i || !isItem(item)) return item;
      const copy: Item = { ...item };
      if (v === undefined) delete copy[key];
      else copy[key] = v;
      return copy;
    });
    onChange(next);
  }

  function add() {
    const numbers = list.map((c) => (isItem(c) ? Number(c.n) : NaN)).filter((n) => Number.isInteger(n));
    added.current = true;
    onChange([...list, { n: numbers.length ? Math.max(...numbers) + 1 : 1, url: '' }]);
  }

  return (
    <fieldset className="citations-editor">
      <legend>Citations</legend>
      {list.length > 0 && (
        <table>
          <thead>
            <tr>
              <th scope="col">n</th>
              {FIELDS.map((f) => (
                <th key={f.key} scope="col">
                  {f.label}
                </th>
              ))}
              <th>
                <span className="sr-only">Remove</span>
              </th>
            </tr>
          </thead>
          <tbody ref={table}>
            {list.map((item, i) =>
              isItem(item) ? (
                <tr key={i} data-testid="citation-row">
                  <td>
                    <input
                      className="n"
                      type="number"
                      min={1}
                      step={1}
                      aria-label={`Citation ${i + 1} number`}
                      value={text(item.n)}
                      onChange={(e) => set(i, 'n', e.currentTarget.value === '' ? undefined : Number(e.currentTarget.value))}
                      onKeyDown={done}
                    />
                  </td>
                  {FIELDS.map((f) => (
                    <td key={f.key}>
                      <input
                        data-key={f.key}
                        aria-label={`Citation ${i + 1} ${f.label}`}
                        placeholder={f.placeholder}
                        value={text(item[f.key])}
                        spellcheck={f.key !== 'url'}
                        onChange={(e) => set(i, f.key, e.currentTarget.value === '' ? undefined : e.currentTarget.value)}
                        onKeyDown={done}
                      />
                    </td>
                  ))}
                  <td>
                    <button
                      type="button"
                      className="icon"
                      aria-label={`Remove citation ${i + 1}`}
                      title="Remove"
                      onClick={() => {
                        const next = list.filter((_, j) => j !== i);
                        onChange(next.length ? next : undefined);
                      }}
                    >
                      ×
                    </button>
                  </td>
                </tr>
              ) : (
                <tr key={i}>
                  <td colSpan={5} className="field-problem">
                    Item {i + 1} is not a citation: edit it in the text.
                  </td>
                </tr>
              ),
            )}
          </tbody>
        </table>
      )}
      <button type="button" onClick={add}>
        Add citation
      </button>
    </fieldset>
  );
}
