// The engine on fakes with a real SQLite store: the journal, approvals, interlocks, abort and
// the point of no return. (test/lab/runbooks/*.test.ts runs the same on the real servers.)
import { afterEach, describe, expect, it } from 'vitest';
import { foldJournal, runData } from '../../../src/engine/index.js';
import { type Bench, bench, planned } from './helpers.js';

let b: Bench;
afterEach(async () => {
  await b.close();
});

const codeOf = async (p: Promise<unknown>) =>
  p.then(
    () => 'resolved',
    (e: { code?: string }) => e.code ?? String(e),
  );

describe('failover of app-db on fakes', () => {
  it('fences, checks, promotes, switches, verifies; journal has intent, effect, result per step', async () => {
    b = bench();
    const out = await b.engine('alice').start(planned('failover', 'app-db'));
    expect(out.state).toBe('succeeded');
    expect(b.world.effects).toEqual([
      'fence a',
      'promote b',
      'switch app-db#0 to b',
      'switch app-db#1 to b',
    ]);
    const entries = await b.store.journal.read(out.runId);
    const records = foldJournal(entries);
    for (const s of runData((await b.store.runs.get(out.runId))!).planned.steps) {
      const phases = entries
        .filter((e) => e.stepId === s.id)
        .map((e) => e.phase)
        .filter((p) => p !== 'note');
      expect(phases, s.id).toEqual(['intent', 'effect', 'result']);
      expect(records.get(s.id)?.phase).toBe('succeeded');
    }
    // Every write carries the run lease's token.
    const tokens = new Set(entries.map((e) => e.token));
    expect(tokens.size).toBe(1);
    expect((await b.store.audit.verify()).ok).toBe(true);
    const actions = (await b.store.audit.read()).map((a) => a.action);
    expect(actions).toEqual(['run.start', 'run.point-of-no-return', 'run.succeeded']);
  });

  it('refuses to promote a replica that is behind with asynchronous replication, before the point of no return', async () => {
    b = bench({ synchronous: false });
    const db = b.world.databases.get('b')!;
    db.lagBytes = 10_000_000;
    // Streaming but lag unknown in ms and not zero bytes: not ready.
    const out = await b.engine('alice').start(planned('failover', 'app-db'));
    expect(out.state).toBe('failed');
    expect(out.code).toBe('LB_E_ENGINE_NOT_READY');
    expect(b.world.effects).toEqual(['fence a']);
    expect(runData((await b.store.runs.get(out.runId))!).pointOfNoReturnPassed).toBe(false);
  });

  it('--accept-data-loss needs a reason, and is recorded', async () => {
    b = bench({ synchronous: false });
    b.world.databases.get('b')!.lagBytes = 10_000_000;
    expect(
      await codeOf(
        b.engine('alice').start(planned('failover', 'app-db', { acceptDataLoss: true })),
      ),
    ).toBe('LB_E_ENGINE_REASON_REQUIRED');
    const out = await b
      .engine('alice')
      .start(planned('failover', 'app-db', { acceptDataLoss: true, reason: 'site a burned down' }));
    expect(out.state).toBe('succeeded');
    const notes = (await b.store.journal.read(out.runId)).filter(
      (e) => e.phase === 'note' && (e.data as { event?: string }).event === 'data-loss-accepted',
    );
    expect(notes).toHaveLength(1);
    expect((await b.store.audit.read()).map((a) => a.action)).toContain('run.override');
  });

  it('never promotes while the old primary still accepts writes', async () => {
    b = bench();
    // A switchover fences read-only; make the fence a no-op lie: the primary stays writable.
    const p = planned('failover', 'app-db');
    const noFence = {
      ...p,
      steps: p.steps.filter((s) => s.kind !== 'fence').map((s) => ({ ...s, needs: [] })),
    };
    const out = await b.engine('alice').start(noFence);
    expect(out.state).toBe('failed');
    expect(out.code).toBe('LB_E_ENGINE_TWO_PRIMARIES');
    expect(b.world.effects).toEqual([]);
  });

  it('an unreachable old primary is recorded unfenced and waits for an approval by someone else', async () => {
    b = bench();
    b.world.databases.get('a')!.up = false;
    const out = await b
      .engine('alice', { waitForApprovals: false })
      .start(planned('failover', 'app-db'));
    expect(out.state).toBe('waiting-approval');
    expect(out.stepId).toBe('app-db/fence/a');
    const hash = runData((await b.store.runs.get(out.runId))!).planned.planHash;
    expect(await codeOf(b.engine('alice').approve(out.runId, out.stepId!, hash))).toBe(
      'LB_E_ENGINE_APPROVER_IS_REQUESTER',
    );
    expect(await codeOf(b.engine('bob').approve(out.runId, out.stepId!, 'sha256:other'))).toBe(
      'LB_E_ENGINE_PLAN_CHANGED',
    );
    await b.engine('bob').approve(out.runId, out.stepId!, hash);
    const done = await b.engine('alice').resume(out.runId, hash);
    expect(done.state).toBe('succeeded');
    expect(b.world.effects).toEqual(['promote b', 'switch app-db#0 to b', 'switch app-db#1 to b']);
    const approvals = await b.store.approvals.list(out.runId);
    expect(approvals.map((a) => [a.approver, a.used])).toEqual([['bob', true]]);
  });

  it('never moves traffic to a site whose probes fail', async () => {
    b = bench();
    b.site.probeOk.set('b', false);
    const p = planned('failover', 'app-db');
    // Shorten the wait: the site gate polls for 10 s, the fake never recovers.
    const out = await b.engine('alice').start(p);
    expect(out.code).toBe('LB_E_ENGINE_SITE_UNHEALTHY');
    expect(b.world.effects).toEqual(['fence a', 'promote b']);
  }, 30_000);

  it('one run per service: a second run is refused while the first waits', async () => {
    b = bench();
    b.world.databases.get('a')!.up = false;
    const first = await b
      .engine('alice', { waitForApprovals: false })
      .start(planned('failover', 'app-db'));
    expect(first.state).toBe('waiting-approval');
    expect(await codeOf(b.engine('alice').start(planned('failover', 'app-db')))).toBe(
      'LB_E_ENGINE_SERVICE_BUSY',
    );
  });
});

describe('abort and the point of no return', () => {
  it('before the point of no return, abort undoes every started step in reverse', async () => {
    b = bench();
    b.world.databases.get('a')!.lagBytes = 0;
    b.world.databases.get('b')!.up = false; // check-ready fails: the run stops after the fence
    const out = await b.engine('alice').start(planned('failover', 'app-db'));
    expect(out.state).toBe('failed');
    expect(b.world.effects).toEqual(['fence a']);
    const ab = await b.engine('bob').abort(out.runId, 'replica is down');
    expect(ab.state).toBe('aborted');
    expect(b.world.effects).toEqual(['fence a', 'unfence a']);
    expect((await b.store.audit.read()).map((a) => a.action)).toContain('run.abort-request');
  });

  it('after the point of no return, abort is refused and the run only goes forward', async () => {
    b = bench();
    b.site.probeOk.set('b', false);
    const out = await b.engine('alice').start(planned('failover', 'app-db'));
    expect(out.code).toBe('LB_E_ENGINE_SITE_UNHEALTHY');
    expect(await codeOf(b.engine('bob').abort(out.runId, 'changed my mind'))).toBe(
      'LB_E_ENGINE_PAST_POINT_OF_NO_RETURN',
    );
    b.site.probeOk.set('b', true);
    const hash = runData((await b.store.runs.get(out.runId))!).planned.planHash;
    const done = await b.engine('alice').resume(out.runId, hash);
    expect(done.state).toBe('succeeded');
    // Promote was not re-applied: each effect once.
    expect(b.world.effects.filter((e) => e === 'promote b')).toHaveLength(1);
  }, 30_000);

  it('every undo runs even when one fails, and each is reported', async () => {
    b = bench();
    // A switchover fences a read-only (undo: unfence); make the run fail at wait-catch-up by
    // taking b down, and a unreachable too, so that the unfence fails; the abort still finishes.
    b.world.databases.get('b')!.up = false;
    const out = await b.engine('alice').start(planned('switchover', 'app-db'));
    expect(out.state).toBe('failed');
    expect(b.world.effects).toEqual(['fence a']);
    b.world.databases.get('a')!.up = false;
    const ab = await b.engine('bob').abort(out.runId, 'b is down');
    expect(ab.state).toBe('aborted');
    expect(ab.message).toMatch(
      /1 undo\(s\) FAILED \(app-db\/read-only\/a\/pg: LB_E_DRIVER_UNREACHABLE/,
    );
  });

  it('abort runs all undos in reverse order even when one fails', async () => {
    b = bench();
    const base = planned('failover', 'app-db');
    const step = (n: number, undo: string, extra = {}) => ({
      ...(base.steps[0] as (typeof base.steps)[number]),
      id: `app-db/s${n}`,
      kind: 'custom' as const,
      action: 'command.run',
      target: 'a',
      args: { argv: [`do${n}`] },
      approval: undefined,
      undo: { action: 'command.run', target: 'a', args: { argv: [undo] }, description: undo },
      needs: [],
      retries: 0,
      ...extra,
    });
    const run = {
      ...base,
      steps: [
        step(1, 'undo1'),
        step(2, 'fail'),
        step(3, 'undo3'),
        step(4, 'x', { args: { argv: ['fail'] } }),
      ],
    };
    const out = await b.engine('alice').start(run);
    expect(out.state).toBe('failed');
    const ab = await b.engine('alice').abort(out.runId, 'test');
    expect(b.site.commands).toEqual(['a: do1', 'a: do2', 'a: do3', 'a: x', 'a: undo3', 'a: undo1']);
    expect(ab.message).toMatch(
      /3 step\(s\) undone.*1 undo\(s\) FAILED \(app-db\/s2: LB_E_DRIVER_COMMAND_FAILED/,
    );
    // s4 failed: its undo ran first (a failed step may have partly happened).
  });
});
