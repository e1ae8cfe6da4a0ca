// The proposal gate: a planned-run transform (src/core/runbook/gate.ts), executed by the engine
// like any step: it survives a restart of the controller, and `lifeboat approve` (the store's
// approval, given by another process) lets the run go on.
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/controller/clock.js';
import { Controller } from '../../../src/controller/controller.js';
import { withApprovalGate } from '../../../src/core/runbook/index.js';
import { recordApproval, runData } from '../../../src/engine/index.js';
import { planned } from '../engine/helpers.js';
import { harness, loaded, testPlan, until } from './helpers.js';

describe('the approval gate', () => {
  it('puts one confirm step in front, bound to nothing new: same plan hash, same params', () => {
    const run = planned('failover', 'app-db');
    const gated = withApprovalGate(run, { reason: 'outage of a', role: 'approver' });
    expect(gated.steps).toHaveLength(run.steps.length + 1);
    expect(gated.steps[0]).toMatchObject({
      id: 'app-db/approve-run',
      action: 'engine.confirm',
      readOnly: true,
      pointOfNoReturn: false,
      approval: { when: 'always', role: 'approver', distinctFromRequester: true },
    });
    expect(gated.steps[1]?.needs).toEqual(['app-db/approve-run']);
    expect(gated.steps.slice(1).map((s) => s.id)).toEqual(run.steps.map((s) => s.id));
    expect(gated.planHash).toBe(run.planHash);
    expect(gated.params).toEqual(run.params);
    // Pure: the run given is unchanged.
    expect(run.steps[0]?.needs).toEqual([]);
  });

  it('a proposal survives a controller restart; approved from the CLI, the new controller takes it to the end', async () => {
    const plan = testPlan('propose');
    const h = harness(plan);
    try {
      await h.rounds(2);
      h.net.down.add('a');
      await h.rounds(3);
      await until(() => h.c.service('app-db')?.outage?.action === 'proposed');
      const runId = h.c.service('app-db')?.outage?.runId as string;
      await until(async () => (await h.store.runs.get(runId))?.state === 'waiting-approval');
      await h.c.stop();

      const clock = new ManualClock();
      const c2 = new Controller({
        file: 'plan.yaml',
        load: () => loaded(plan),
        drivers: () => h.drivers,
        store: h.store,
        clock,
        engine: { pollMs: 20, retryBackoffMs: 10, siteGateMs: 200, leaseTtlMs: 2000 },
      });
      try {
        await c2.start();
        expect(c2.service('app-db')?.activeRunId).toBe(runId);
        const run = await h.store.runs.get(runId);
        // What `lifeboat approve <run> app-db/approve-run` records, from another process.
        await recordApproval(h.store, {
          runId,
          stepId: 'app-db/approve-run',
          approver: 'dave',
          planHash: run?.planHash as string,
          roles: {},
        });
        await clock.advance(2_000);
        await until(async () => (await h.store.runs.get(runId))?.state === 'succeeded');
        const done = await h.store.runs.get(runId);
        expect(done && runData(done).pointOfNoReturnPassed).toBe(true);
        expect(h.world.effects.filter((e) => e === 'promote b')).toHaveLength(1);
        await until(() => c2.service('app-db')?.activeSite === 'b');
      } finally {
        await c2.stop();
      }
    } finally {
      await h.close();
    }
  });
});
