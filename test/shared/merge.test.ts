/**
 * The three-way merge (shared/merge): front matter field by field, the body block by block and
 * word by word, what came in said in words, and conflicts with both sides. The property test runs
 * random base texts with random edits on both sides (MERGE_RUNS, default 1,000; MERGE_SEED replays).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mergeStories, mergeWords, parseStory, storyFields } from '../../shared/index.js';

const story = (title: string, paragraphs: string[], extra = '') => `---\ntitle: ${title}\nbeat: ai-policy\n${extra}---\n\n${paragraphs.join('\n\n')}\n`;
const P = [
  'The council met on Monday. It voted on the budget.',
  'Residents spoke for an hour. Most were against the plan.',
  'The mayor said little. She left early.',
  'A second vote is due in May.',
];

describe('mergeStories', () => {
  it('merges a desk edit to paragraph 3 and a local edit to paragraph 1, and says what came in', () => {
    const local = [...P];
    local[0] = 'The council met on Tuesday. It voted on the budget.';
    const remote = [...P];
    remote[2] = 'The mayor said nothing. She left early.';
    const m = mergeStories(story('Budget', P), story('Budget', local), story('Budget', remote));
    expect(m.clean).toBe(true);
    expect(m.text).toBe(story('Budget', [local[0]!, P[1]!, remote[2]!, P[3]!]));
    expect(m.summary).toBe('The desk changed paragraph 3.');
    const incoming = m.changes.filter((c) => c.side === 'remote');
    expect(incoming.map((c) => [c.paragraph, c.description])).toEqual([[3, 'the desk changed paragraph 3']]);
    expect(m.text.split('\n')[incoming[0]!.line - 1]).toBe(remote[2]);
    expect(m.changes.filter((c) => c.side === 'local').map((c) => c.description)).toEqual(['you changed paragraph 1']);
  });

  it('merges different words of one sentence, and the same change made on both sides once', () => {
    const local = [...P];
    local[1] = 'Residents spoke for two hours. Most were against the plan.';
    const remote = [...P];
    remote[1] = 'Residents spoke for an hour. Most were firmly against the plan.';
    remote[3] = local[3] = 'A second vote is due in June.';
    const m = mergeStories(story('Budget', P), story('Budget', local), story('Budget', remote));
    expect(m.clean).toBe(true);
    expect(m.text).toContain('Residents spoke for two hours. Most were firmly against the plan.');
    expect(m.text.match(/June/g)).toHaveLength(1);
  });

  it('raises one conflict for the same words changed differently, widened to the sentence, with both sides', () => {
    const local = [...P];
    local[2] = 'The mayor said very little. She left early.';
    const remote = [...P];
    remote[2] = 'The mayor said a lot. She left early.';
    remote[0] = 'The council met on Friday. It voted on the budget.';
    const m = mergeStories(story('Budget', P), story('Budget', local), story('Budget', remote));
    expect(m.clean).toBe(false);
    expect(m.conflicts).toHaveLength(1);
    const [c] = m.conflicts;
    expect(c).toMatchObject({
      paragraph: 3,
      mine: 'The mayor said very little.',
      theirs: 'The mayor said a lot.',
      both: 'The mayor said very little. The mayor said a lot.',
    });
    expect(c!.description).toBe('you and the desk both changed paragraph 3');
    expect(m.text.slice(c!.from, c!.to)).toBe(c!.mine);
    expect(m.text).toContain('Friday');
    expect(m.summary).toBe('The desk changed paragraph 1. One change conflicts: paragraph 3.');
  });

  it('merges the front matter field by field, keeping the local file’s comments', () => {
    const base = story('Budget vote', P, 'dek: The council votes\n');
    const local = story('Budget vote tonight', P, 'dek: The council votes\n# keep me\n');
    const remote = story('Budget vote', P, 'dek: The city council votes\n');
    const m = mergeStories(base, local, remote);
    expect(m.clean).toBe(true);
    expect(storyFields(parseStory(m.text))).toMatchObject({ title: 'Budget vote tonight', dek: 'The city council votes' });
    expect(m.text).toContain('# keep me');
    expect(m.summary).toBe('The desk changed the standfirst (dek).');
  });

  it('makes a conflict of one field both changed, placed on its value, with no "keep both"', () => {
    const m = mergeStories(story('Budget', P), story('Budget cut', P), story('Budget rise', P));
    expect(m.conflicts).toHaveLength(1);
    const [c] = m.conflicts;
    expect(c).toMatchObject({ field: 'title', mine: 'Budget cut', theirs: 'Budget rise', both: null, line: 2 });
    expect(m.text.slice(c!.from, c!.to)).toBe('Budget cut');
  });

  it('merges citations one by one and lets the backend decide the status', () => {
    const cite = (n: number, url: string) => `  - n: ${n}\n    url: ${url}\n`;
    const base = story('T', P, `status: draft\ncitations:\n${cite(1, 'https://a.example/1')}`);
    const local = story('T', P, `status: published\ncitations:\n${cite(1, 'https://a.example/1')}${cite(2, 'https://b.example/2')}`);
    const remote = story('T', P, `status: review\ncitations:\n${cite(1, 'https://a.example/one')}`);
    const m = mergeStories(base, local, remote);
    expect(m.clean).toBe(true);
    const f = storyFields(parseStory(m.text));
    expect(f.status).toBe('review');
    expect(f.citations.map((c) => c.url)).toEqual(['https://a.example/one', 'https://b.example/2']);
  });

  it('takes either side when only one changed, and tells what the desk brought in', () => {
    const remote = [...P];
    remote.splice(2, 1);
    remote.push('The next meeting is open to all.');
    const m = mergeStories(story('T', P), story('T', P), story('T', remote));
    expect(m.text).toBe(story('T', remote));
    expect(m.changes.map((c) => c.description)).toEqual(['the desk removed paragraph 3 (of the last synced text)', 'the desk added paragraph 4']);
    expect(mergeStories(story('T', P), story('T x', P), story('T', P))).toMatchObject({ text: story('T x', P), summary: '', clean: true });
  });

  it('is linear in practice: a story twice as long with twice the edits takes about twice as long', () => {
    const words = (n: number, seed: string) => Array.from({ length: n }, (_, i) => `${seed}${i % 97}w${i}`);
    const build = (n: number) => {
      const paras: string[] = [];
      const w = words(n, 'x');
      for (let i = 0; i < w.length; i += 50) paras.push(`${w.slice(i, i + 50).join(' ')}.`);
      const local = paras.map((p, i) => (i % 4 === 0 ? p.replace(/^\S+/, 'LOCAL') : p));
      const remote = paras.map((p, i) => (i % 4 === 2 ? p.replace(/\S+\.$/, 'REMOTE.') : p));
      return [story('T', paras), story('T', local), story('T', remote)] as const;
    };
    // The best CPU time of three interleaved rounds (as test/security/linear-time.test.ts): other
    // work on the machine does not count. Linear grows 2× a doubling, quadratic 4×; one doubling
    // of the three must stay under 2.5×.
    const inputs = [5_000, 10_000, 20_000, 40_000].map(build);
    for (const [b, l, r] of inputs) mergeStories(b, l, r);
    const cpu = () => {
      const u = process.cpuUsage();
      return (u.user + u.system) / 1000;
    };
    const best = inputs.map(() => Infinity);
    for (let round = 0; round < 3; round++) {
      for (const [i, [b, l, r]] of inputs.entries()) {
        const start = cpu();
        mergeStories(b, l, r);
        best[i] = Math.min(best[i]!, cpu() - start);
      }
    }
    const growth = best.slice(1).map((ms, i) => ms / Math.max(best[i]!, 0.01));
    expect(Math.min(...growth), best.map((ms) => ms.toFixed(1)).join(' → ')).toBeLessThan(2.5);
  });
});

describe('merge property', () => {
  const runs = Number(process.env.MERGE_RUNS ?? 1000);
  const seed = process.env.MERGE_SEED ? Number(process.env.MERGE_SEED) : Date.now() % 2 ** 31;
  const vocab = fc.constantFrom(
    'council',
    'vote',
    'budget',
    'mayor',
    'city',
    'road',
    'school',
    'tax',
    'plan',
    'May',
    'said',
    'the',
    'a',
    'of',
    'to',
    'in',
    'new',
    'park',
    'fund',
    'rail',
  );
  // Where a text has a word twice, a diff cannot tell which one an edit beside it kept (no diff can:
  // both readings are as short), so each base word is made unique by a number; the sentences,
  // paragraphs and edits are random.
  const sentence = fc.array(vocab, { minLength: 3, maxLength: 9 });
  const paragraph = fc.array(sentence, { minLength: 1, maxLength: 3 });
  const baseText = fc.array(paragraph, { minLength: 1, maxLength: 6 }).map((doc) => {
    let k = 0;
    return doc.map((p) => p.map((s) => s.map((w) => `${w}${k++}`)));
  }) as fc.Arbitrary<string[][][]>;
  type Edit = { at: number; kind: 'replace' | 'insert' | 'delete'; word: string };
  const edit = (word: fc.Arbitrary<string>) => fc.record({ at: fc.nat(), kind: fc.constantFrom('replace', 'insert', 'delete'), word }) as fc.Arbitrary<Edit>;

  // The base as a flat list of word slots; a text is rebuilt from the slots (each a list of words).
  const render = (doc: string[][][], slots: string[][]) => {
    let k = 0;
    return `---\ntitle: T\n---\n\n${doc
      .map((p) =>
        p
          .map(
            (s) =>
              `${s
                .map(() => slots[k++]!.join(' '))
                .filter((w) => w !== '')
                .join(' ')}.`,
          )
          .join(' '),
      )
      .join('\n\n')}\n`;
  };
  const apply = (slots: string[][], e: Edit, i: number) => {
    const base = slots[i]!;
    slots[i] = e.kind === 'replace' ? [e.word] : e.kind === 'insert' ? [...base, e.word] : [];
  };

  console.log(`merge property: ${runs} runs, seed ${seed} (MERGE_SEED=${seed} replays)`);

  it('merges edits to different words on both sides, holding both and losing no word', () => {
    fc.assert(
      fc.property(
        baseText,
        fc.array(edit(fc.constantFrom('LOCALX', 'LOCALY')), { minLength: 1, maxLength: 4 }),
        fc.array(edit(fc.constantFrom('REMOTEX', 'REMOTEY')), { minLength: 1, maxLength: 4 }),
        (doc, le, re) => {
          const flat = doc.flat(2);
          const n = flat.length;
          // Slots taken by edits are kept two words apart across sides, so that no two edits touch.
          const used = new Map<number, 'l' | 'r'>();
          const pick = (e: Edit, side: 'l' | 'r') => {
            for (let d = 0; d < n; d++) {
              const i = (e.at + d) % n;
              const clash = [i - 2, i - 1, i, i + 1, i + 2].some((j) => used.has(j) && used.get(j) !== side) || used.has(i);
              if (!clash) {
                used.set(i, side);
                return i;
              }
            }
            return -1;
          };
          const base = flat.map((w) => [w]);
          const local = base.map((s) => [...s]);
          const remote = base.map((s) => [...s]);
          const both = base.map((s) => [...s]);
          for (const e of le) {
            const i = pick(e, 'l');
            if (i >= 0) {
              apply(local, e, i);
              apply(both, e, i);
            }
          }
          for (const e of re) {
            const i = pick(e, 'r');
            if (i >= 0) {
              apply(remote, e, i);
              apply(both, e, i);
            }
          }
          // A sentence emptied on one side while the other edits it is an overlap, not a case here.
          const m = mergeStories(render(doc, base), render(doc, local), render(doc, remote));
          const expected = render(doc, both);
          const emptied = (slots: string[][]) => {
            let k = 0;
            return doc.some((p) => p.some((s) => s.every(() => slots[k++]!.length === 0)));
          };
          fc.pre(!emptied(local) && !emptied(remote));
          expect(m.conflicts).toEqual([]);
          expect(m.text).toBe(expected);
        },
      ),
      { numRuns: runs, seed },
    );
  });

  it('raises a conflict for the same word changed differently and keeps both sides’ text', () => {
    fc.assert(
      fc.property(baseText, fc.nat(), (doc, at) => {
        const flat = doc.flat(2);
        const i = at % flat.length;
        const base = flat.map((w) => [w]);
        const local = base.map((s) => [...s]);
        const remote = base.map((s) => [...s]);
        local[i] = ['LOCALX'];
        remote[i] = ['REMOTEX'];
        const m = mergeStories(render(doc, base), render(doc, local), render(doc, remote));
        expect(m.clean).toBe(false);
        expect(m.conflicts.length).toBeGreaterThanOrEqual(1);
        expect(m.conflicts.some((c) => c.mine.includes('LOCALX') && c.theirs.includes('REMOTEX'))).toBe(true);
        expect(m.text.slice(m.conflicts[0]!.from, m.conflicts[0]!.to)).toBe(m.conflicts[0]!.mine);
        // Nothing else is lost: every base word but the one both replaced is still in the merged text.
        const count = (text: string, w: string) => text.split(/\W+/).filter((x) => x === w).length;
        for (const w of new Set(flat)) expect(count(m.text, w)).toBeGreaterThanOrEqual(count(render(doc, base), w) - (w === flat[i] ? 1 : 0));
      }),
      { numRuns: runs, seed },
    );
  });

  it('word merge of a plain sentence', () => {
    expect(mergeWords('a b c d e', 'a X c d e', 'a b c Y e')).toEqual([{ text: 'a X c Y e' }]);
  });
});
