import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { Annotation, EditorState, StateEffect, StateField, type Extension } from '@codemirror/state';
import { Decoration, EditorView, WidgetType, keymap, type DecorationSet } from '@codemirror/view';
import { useEffect, useMemo, useRef, useState } from 'react';
import type { StorySync } from '../../shared/api/sync.js';
import { mergeStories, type MergeConflict } from '../../shared/index.js';
import { PUSH_STATUSES, type PushStatus } from '../../shared/protocol/index.js';
import { storyMarkdown } from '../editor/front-matter.js';
import { studioTheme } from '../editor/theme.js';

export type Conflict = NonNullable<StorySync['conflict']>;

export interface ConflictViewProps {
  conflict: Conflict;
  /** The person's text (the editor's, saved): their side of the merge. */
  mine: string;
  title: string;
  busy: boolean;
  /** Sends the chosen text; the view closes when it went into the outbox. */
  onResolve(text: string, status?: PushStatus): void;
  onClose(): void;
}

/** How a conflict was settled: one of its choices, or by the person's own typing inside it. */
type Choice = 'mine' | 'theirs' | 'both' | 'edited';

const CHOICES: { choice: Exclude<Choice, 'edited'>; label: string }[] = [
  { choice: 'mine', label: 'Keep mine' },
  { choice: 'theirs', label: "Take the desk's" },
  { choice: 'both', label: 'Keep both' },
];

/** A choice made from a button: its change does not count as the person's typing. */
const chosen = Annotation.define<boolean>();
const settle = StateEffect.define<number>();

/** Each open conflict's range in the merge (where "mine" stands), by its number, kept through edits. */
function conflictMarks(conflicts: readonly MergeConflict[], choose: (n: number, c: Exclude<Choice, 'edited'>) => void): StateField<DecorationSet> {
  const build = () =>
    Decoration.set(
      conflicts.flatMap((c, n) => [
        Decoration.mark({
          class: 'cm-conflict-mine',
          attributes: { 'data-conflict': String(n + 1), title: `Conflict ${n + 1}: yours` },
          n,
          inclusiveStart: true,
          inclusiveEnd: true,
        }).range(c.from, c.to),
        Decoration.widget({ widget: new TheirsWidget(n, c, choose), side: 1, n }).range(c.to),
      ]),
      true,
    );
  return StateField.define<DecorationSet>({
    create: build,
    update(set, tr) {
      let next = set.map(tr.changes);
      for (const e of tr.effects) if (e.is(settle)) next = next.update({ filter: (_f, _t, d) => d.spec.n !== e.value });
      return next;
    },
    provide: (f) => EditorView.decorations.from(f),
  });
}

/** The desk's side of a conflict, shown after the person's, with the choices as buttons. */
class TheirsWidget extends WidgetType {
  constructor(
    readonly n: number,
    readonly c: MergeConflict,
    readonly choose: (n: number, c: Exclude<Choice, 'edited'>) => void,
  ) {
    super();
  }
  override eq(other: TheirsWidget) {
    return other.n === this.n && other.c === this.c;
  }
  toDOM() {
    const box = document.createElement('span');
    box.className = 'cm-conflict-theirs';
    box.setAttribute('contenteditable', 'false');
    const label = document.createElement('span');
    label.className = 'cm-conflict-label';
    label.textContent = ` ⟷ the desk's: `;
    const text = document.createElement('span');
    text.className = 'cm-conflict-text';
    text.textContent = this.c.theirs || '(removed)';
    box.append(label, text, ' ');
    for (const { choice, label: l } of CHOICES) {
      if (choice === 'both' && this.c.both === null) continue;
      const b = document.createElement('button');
      b.type = 'button';
      b.textContent = l;
      b.tabIndex = -1; // the keyboard's way is the list of conflicts above the text
      b.addEventListener('mousedown', (e) => e.preventDefault());
      b.addEventListener('click', () => this.choose(this.n, choice));
      box.append(b);
    }
    return box;
  }
  override ignoreEvent() {
    return true;
  }
}

const common: Extension = [EditorView.lineWrapping, storyMarkdown(), studioTheme];

/**
 * A conflict, pre-merged (shared/merge): everything that merged cleanly is already in the text;
 * each place where both sides changed the same words is marked, with the desk's side beside it and
 * the choices in words — Keep mine, Take the desk's, Keep both — here and in the list above the
 * text, which the keyboard reaches. The text stays editable. Nothing is sent or replaced until the
 * person sends the merge (on the backend's current version) or picks a whole side.
 */
export function ConflictView({ conflict, mine, title, busy, onResolve, onClose }: ConflictViewProps) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  // The person's text when the conflict opened: later renders must not rebuild the merge.
  const [mineAtOpen] = useState(mine);
  const merge = useMemo(() => mergeStories(conflict.baseText ?? '', mineAtOpen, conflict.remoteText), [conflict.baseText, conflict.remoteText, mineAtOpen]);
  const [settled, setSettled] = useState<Record<number, Choice>>({});
  const [current, setCurrent] = useState(0);

  const marks = useRef<StateField<DecorationSet> | null>(null);
  const rangeOf = (n: number): { from: number; to: number } | null => {
    const v = view.current;
    if (!v || !marks.current) return null;
    let found: { from: number; to: number } | null = null;
    v.state.field(marks.current).between(0, v.state.doc.length, (from, to, d) => {
      if (d.spec.n === n && from < to && !d.spec.widget) found = { from, to };
      if (d.spec.n === n && !found && d.spec.widget) found = { from, to: from };
    });
    return found;
  };

  const choose = (n: number, choice: Exclude<Choice, 'edited'>) => {
    const v = view.current;
    const c = merge.conflicts[n];
    const r = rangeOf(n);
    if (!v || !c || !r) return;
    const insert = choice === 'mine' ? c.mine : choice === 'theirs' ? c.theirs : (c.both ?? c.mine);
    v.dispatch({
      changes: { from: r.from, to: r.to, insert },
      effects: settle.of(n),
      annotations: chosen.of(true),
      selection: { anchor: r.from + insert.length },
    });
    setSettled((s) => ({ ...s, [n]: choice }));
  };
  const chooseRef = useRef(choose);
  chooseRef.current = choose;

  useEffect(() => {
    const field = conflictMarks(merge.conflicts, (n, c) => chooseRef.current(n, c));
    marks.current = field;
    const v = new EditorView({
      parent: host.current!,
      state: EditorState.create({
        doc: merge.text,
        extensions: [
          common,
          history(),
          field,
          keymap.of([...historyKeymap, ...defaultKeymap]),
          EditorView.contentAttributes.of({ 'aria-label': 'The merge (editable): each conflict holds your text until you choose' }),
          // Typing inside a conflict settles it as the person wrote it.
          EditorView.updateListener.of((u) => {
            if (!u.docChanged) return;
            const edited: number[] = [];
            for (const tr of u.transactions) {
              if (tr.annotation(chosen) || !tr.docChanged) continue;
              const before = tr.startState.field(field);
              tr.changes.iterChangedRanges((fromA, toA) => {
                before.between(fromA, toA, (_f, _t, d) => {
                  if (typeof d.spec.n === 'number') edited.push(d.spec.n);
                });
              });
            }
            if (edited.length) setSettled((s) => Object.fromEntries([...Object.entries(s), ...edited.filter((n) => !(n in s)).map((n) => [n, 'edited'])]));
          }),
        ],
      }),
    });
    view.current = v;
    setSettled({});
    // Open on the first conflict: the front matter above it may fill the pane.
    const first = merge.conflicts[0];
    if (first) v.dispatch({ effects: EditorView.scrollIntoView(first.from, { y: 'center' }) });
    return () => {
      v.destroy();
      view.current = null;
    };
  }, [merge]);

  const goTo = (n: number) => {
    const v = view.current;
    const r = rangeOf(n);
    setCurrent(n);
    if (!v || !r) return;
    v.dispatch({ selection: { anchor: r.from, head: r.to }, effects: EditorView.scrollIntoView(r.from, { y: 'center' }) });
  };

  const open = merge.conflicts.map((_c, n) => n).filter((n) => !(n in settled));
  const remoteStatus = PUSH_STATUSES.includes(conflict.remoteStatus as PushStatus) ? (conflict.remoteStatus as PushStatus) : undefined;
  const text = () => view.current?.state.doc.toString() ?? merge.text;
  const choiceWord: Record<Choice, string> = { mine: 'kept yours', theirs: "took the desk's", both: 'kept both', edited: 'edited by you' };

  return (
    <section className="pane conflict" aria-label="Conflict" data-testid="conflict-view">
      <div className="toolbar conflict-bar">
        <strong className="conflict-title">Conflict: {title}</strong>
        <span className="muted">
          changed here and on the backend (v{conflict.remoteVersion}
          {conflict.remoteStatus ? `, ${conflict.remoteStatus}` : ''})
        </span>
        <span className="spacer" />
        <button type="button" disabled={merge.conflicts.length < 2} onClick={() => goTo((current - 1 + merge.conflicts.length) % merge.conflicts.length)}>
          Previous conflict
        </button>
        <button type="button" disabled={merge.conflicts.length < 2} onClick={() => goTo((current + 1) % merge.conflicts.length)}>
          Next conflict
        </button>
      </div>
      <div className="conflict-summary" role="status" data-testid="merge-summary">
        {merge.changes.some((c) => c.side === 'remote')
          ? `Merged already: ${merge.changes
              .filter((c) => c.side === 'remote')
              .map((c) => c.description)
              .filter((d, i, a) => a.indexOf(d) === i)
              .join(', ')}. `
          : ''}
        {merge.conflicts.length === 0
          ? 'Nothing overlaps: the merge holds both sides.'
          : `${merge.conflicts.length === 1 ? 'One place' : `${merge.conflicts.length} places`} where you and the desk changed the same words${open.length < merge.conflicts.length ? ` (${open.length} left to choose)` : ''}.`}
      </div>
      {merge.conflicts.length > 0 && (
        <ol className="conflict-list" aria-label="Conflicts" data-testid="conflict-list">
          {merge.conflicts.map((c, n) => (
            <li key={n} className={n in settled ? 'settled' : ''}>
              <button type="button" className="link" onClick={() => goTo(n)} aria-label={`Show conflict ${n + 1}: ${c.description}`}>
                {capital(c.description)}
              </button>
              {n in settled ? (
                <span className="muted"> — {choiceWord[settled[n]!]}</span>
              ) : (
                <span className="conflict-choices" role="group" aria-label={`Conflict ${n + 1}`}>
                  {CHOICES.filter((x) => x.choice !== 'both' || c.both !== null).map((x) => (
                    <button key={x.choice} type="button" disabled={busy} onClick={() => choose(n, x.choice)}>
                      {x.label}
                    </button>
                  ))}
                </span>
              )}
            </li>
          ))}
        </ol>
      )}
      <div className="conflict-merge" ref={host} data-testid="merge-view" />
      <div className="toolbar conflict-actions">
        <span className="muted">Nothing is sent until you choose.</span>
        <span className="spacer" />
        <button type="button" onClick={onClose} disabled={busy}>
          Decide later
        </button>
        <button type="button" disabled={busy} onClick={() => onResolve(mine)} title="Send your whole text as it was, over the backend's version">
          Keep all mine
        </button>
        <button
          type="button"
          disabled={busy}
          onClick={() => onResolve(conflict.remoteText, remoteStatus)}
          title="Your text becomes the backend's (yours stays in History)"
        >
          Take all the desk's
        </button>
        <button
          type="button"
          className="primary"
          disabled={busy || open.length > 0}
          onClick={() => onResolve(text())}
          title={open.length > 0 ? 'Choose for each conflict first' : "Send the merged text on the backend's version"}
        >
          Send the merge
        </button>
      </div>
    </section>
  );
}

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
