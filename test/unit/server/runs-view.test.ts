// The API's fold of a run's journal (src/server/runs-view.ts) says what the engine's own fold
// (src/engine/journal-state.ts) says, step by step, over journals of every shape: the server may
// not import the engine, so this keeps the two from drifting apart.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { foldJournal } from '../../../src/engine/index.js';
import { foldSteps } from '../../../src/server/runs-view.js';
import type { JournalEntry } from '../../../src/store/index.js';

const entry = fc.record({
  stepId: fc.constantFrom('a', 'b', 'a#undo', null),
  phase: fc.constantFrom('intent', 'effect', 'result', 'note'),
  data: fc.oneof(
    fc.constant({}),
    fc.record({ changed: fc.boolean(), detail: fc.constantFrom('did it', 'other') }),
    fc.record({
      status: fc.constantFrom('succeeded', 'failed'),
      detail: fc.string({ maxLength: 5 }),
    }),
    fc.record({
      status: fc.constant('failed'),
      error: fc.record({ code: fc.constantFrom('X', 'Y'), message: fc.string({ maxLength: 5 }) }),
    }),
    fc.constant({ event: 'approved' }),
  ),
});

describe('the API’s journal fold', () => {
  it('agrees with the engine on each step’s phase, detail and error', () => {
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 30 }), (raw) => {
        const journal: JournalEntry[] = raw.map((e, i) => ({
          runId: 'r',
          seq: i + 1,
          at: 1000 + i,
          token: 1,
          ...e,
        })) as JournalEntry[];
        const engine = foldJournal(journal);
        const api = foldSteps(journal);
        expect([...api.keys()].sort()).toEqual([...engine.keys()].sort());
        for (const [id, rec] of engine) {
          const mine = api.get(id);
          expect(mine?.phase).toBe(rec.phase);
          expect(mine?.detail).toBe(rec.detail);
          if (rec.phase === 'failed') expect(mine?.error).toEqual(rec.error);
        }
      }),
    );
  });
});
