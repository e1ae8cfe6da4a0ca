import { describe, expect, it } from 'vitest';
import type { SequencedEvent } from '../../../src/server/api-types.js';
import { parseEvent, SequenceTracker } from '../../../web/src/lib/events.js';
import {
  applyJournalEntry,
  awaitingStep,
  type JournalEntryJson,
  pointOfNoReturnIndex,
  reduceRun,
} from '../../../web/src/lib/run-state.js';
import { run } from './fixtures.js';

let at = Date.parse('2026-11-21T10:00:01Z');
function entry(
  seq: number,
  stepId: string | null,
  phase: string,
  data: unknown = {},
): JournalEntryJson {
  at += 1000;
  return { runId: 'run-1', seq, at, stepId, phase, data };
}
function journal(id: number, e: JournalEntryJson): SequencedEvent {
  return {
    id,
    at: new Date(e.at).toISOString(),
    event: { type: 'journal', runId: e.runId, entry: e as never },
  };
}

describe('a run kept current by journal events', () => {
  it('moves steps through intent, effect and result, with what they did', () => {
    let r = run();
    for (const e of [
      entry(1, null, 'note', { event: 'started' }),
      entry(2, 'fence', 'intent'),
      entry(3, 'fence', 'effect', { changed: true, detail: 'stopped postgres on a1' }),
    ]) {
      const x = applyJournalEntry(r, e);
      expect(x.refetch).toBe(false);
      r = x.run;
    }
    expect(r.journalSeq).toBe(3);
    expect(r.steps[0]).toMatchObject({ phase: 'effect', detail: 'stopped postgres on a1' });
    expect(r.steps[0]?.startedAt).toBeDefined();
    r = applyJournalEntry(r, entry(4, 'fence', 'result', { status: 'succeeded' })).run;
    expect(r.steps[0]?.phase).toBe('succeeded');
    expect(r.steps[0]?.endedAt).toBeDefined();
    r = applyJournalEntry(r, entry(5, 'promote', 'intent')).run;
    r = applyJournalEntry(
      r,
      entry(6, 'promote', 'result', {
        status: 'failed',
        error: { code: 'LB_E_X', message: 'no replica' },
      }),
    ).run;
    expect(r.steps[1]).toMatchObject({
      phase: 'failed',
      error: { code: 'LB_E_X', message: 'no replica' },
    });
  });

  it('ignores entries already in the picture and asks for a refetch on a skipped seq', () => {
    const r = run({ journalSeq: 4 });
    expect(applyJournalEntry(r, entry(3, 'fence', 'intent')).run).toBe(r);
    const skip = applyJournalEntry(r, entry(6, 'fence', 'intent'));
    expect(skip).toEqual({ run: r, refetch: true });
    expect(applyJournalEntry(r, { ...entry(5, 'fence', 'intent'), runId: 'other' }).run).toBe(r);
  });

  it('shows a waiting approval, then its approval', () => {
    let r = applyJournalEntry(
      run(),
      entry(1, 'promote', 'note', {
        event: 'waiting-approval',
        role: 'approver',
        reason: 'promote b1',
      }),
    ).run;
    expect(awaitingStep(r)?.id).toBe('promote');
    expect(r.steps[1]).toMatchObject({ awaitingApproval: true, approvalRole: 'approver' });
    expect(r.waiting?.reason).toBe('promote b1');
    r = applyJournalEntry(
      r,
      entry(2, 'promote', 'note', { event: 'approved', approver: 'alice' }),
    ).run;
    expect(awaitingStep(r)).toBeUndefined();
    expect(r.steps[1]?.detail).toBe('approved by alice');
  });

  it('marks the point of no return passed (run note, or its step started)', () => {
    expect(pointOfNoReturnIndex(run().steps)).toBe(1);
    const r = applyJournalEntry(
      run(),
      entry(1, null, 'note', { event: 'point-of-no-return', stepId: 'promote' }),
    ).run;
    expect(r.pointOfNoReturnPassed).toBe(true);
    expect(applyJournalEntry(run(), entry(1, 'promote', 'intent')).run.pointOfNoReturnPassed).toBe(
      true,
    );
    expect(applyJournalEntry(run(), entry(1, 'fence', 'intent')).run.pointOfNoReturnPassed).toBe(
      false,
    );
  });

  it("shows an undo on its step (as the server's fold does), an unknown step as a new row", () => {
    let r = applyJournalEntry(run(), entry(1, 'fence#undo', 'intent')).run;
    expect(r.steps).toHaveLength(3);
    expect(r.steps[0]?.undo).toEqual({ phase: 'intent' });
    r = applyJournalEntry(
      r,
      entry(2, 'fence#undo', 'result', { status: 'failed', error: { message: 'a1 unreachable' } }),
    ).run;
    expect(r.steps[0]?.undo).toEqual({ phase: 'failed', detail: 'a1 unreachable' });
    expect(r.steps[0]?.phase).toBe('pending');
    const extra = applyJournalEntry(run(), entry(1, 'engine.confirm', 'intent')).run;
    expect(extra.steps[3]).toMatchObject({ id: 'engine.confirm', phase: 'intent' });
  });

  it('keeps what the run waits for, until approved or aborted', () => {
    let r = applyJournalEntry(
      run(),
      entry(1, 'promote', 'note', {
        event: 'waiting-approval',
        purpose: 'step',
        reason: 'promote b1',
        role: 'approver',
      }),
    ).run;
    expect(r.waiting).toEqual({
      stepId: 'promote',
      purpose: 'step',
      reason: 'promote b1',
      role: 'approver',
    });
    r = applyJournalEntry(r, entry(2, null, 'note', { event: 'aborting', by: 'bob' })).run;
    expect(r.waiting).toBeUndefined();
    expect(r.state).toBe('aborting');
    expect(awaitingStep(r)).toBeUndefined();
  });

  it('follows run events: state, no approval awaited once it moves on, duration at the end', () => {
    let r = applyJournalEntry(
      run(),
      entry(1, 'promote', 'note', { event: 'waiting-approval' }),
    ).run;
    const ev = (state: string, when: string): SequencedEvent => ({
      id: 9,
      at: when,
      event: {
        type: 'run',
        runId: 'run-1',
        service: 'app-db',
        runbook: 'failover',
        state: state as never,
        message: '',
      },
    });
    r = reduceRun(r, ev('running', '2026-11-21T10:00:30Z')).run;
    expect(r.state).toBe('running');
    expect(awaitingStep(r)).toBeUndefined();
    expect(reduceRun(r, ev('running', '2026-11-21T10:00:31Z')).refetch).toBe(false);
    const end = reduceRun(r, ev('succeeded', '2026-11-21T10:01:00Z'));
    expect(end.refetch).toBe(true);
    r = end.run;
    expect(r.durationMs).toBe(60_000);
    expect(r.state).toBe('succeeded');
    expect(reduceRun(r, ev('succeeded', '2026-11-21T10:01:01Z')).refetch).toBe(false);
    const other = run();
    expect(
      reduceRun(other, {
        ...ev('failed', 'x'),
        event: { ...ev('failed', 'x').event, runId: 'zzz' } as never,
      }).run,
    ).toBe(other);
  });

  it('reduces a stream of SequencedEvents', () => {
    let r = run();
    const events = [
      entry(1, 'fence', 'intent'),
      entry(2, 'fence', 'result', { status: 'succeeded' }),
    ].map((e, i) => journal(i + 1, e));
    for (const e of events) r = reduceRun(r, e).run;
    expect(r.steps[0]?.phase).toBe('succeeded');
  });
});

describe('the SSE stream', () => {
  it('parses SequencedEvents and bare ControllerEvents, and refuses the rest', () => {
    const ev = parseEvent(JSON.stringify({ id: 7, at: 'T', event: { type: 'plan', status: {} } }));
    expect(ev).toMatchObject({ id: 7, at: 'T', event: { type: 'plan' } });
    expect(
      parseEvent(JSON.stringify({ type: 'recovered', service: 's', site: 'a' }), '12')?.id,
    ).toBe(12);
    expect(parseEvent('not json')).toBeUndefined();
    expect(parseEvent(JSON.stringify({ type: 'weird' }))).toBeUndefined();
    expect(parseEvent('null')).toBeUndefined();
  });

  it('notices a gap in the ids and ignores repeats', () => {
    const t = new SequenceTracker();
    expect(t.next(5)).toEqual({ gap: false, stale: false });
    expect(t.next(6)).toEqual({ gap: false, stale: false });
    expect(t.next(6)).toEqual({ gap: false, stale: true });
    expect(t.next(9)).toEqual({ gap: true, stale: false });
  });

  it('after a reconnect, a restarted sequence is a gap (a new controller), not a repeat', () => {
    const t = new SequenceTracker();
    t.next(40);
    t.opened();
    expect(t.next(1)).toEqual({ gap: true, stale: false });
    t.opened();
    expect(t.next(2)).toEqual({ gap: false, stale: false });
  });
});
