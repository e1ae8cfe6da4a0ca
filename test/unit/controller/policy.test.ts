// The `onOutage` policies through the engine: a proposal waits for an approval and then runs to
// the end; `failover` runs at once, but not when the standby is not ready; one run per service.
import { afterEach, describe, expect, it } from 'vitest';
import { gateStepId, withApprovalGate } from '../../../src/core/runbook/index.js';
import { Engine, runData } from '../../../src/engine/index.js';
import { planned } from '../engine/helpers.js';
import { type Harness, harness, testPlan, until } from './helpers.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function outage(x: Harness): Promise<void> {
  await x.rounds(2);
  x.net.down.add('a');
  await x.rounds(3);
}

const runOf = async (x: Harness) => {
  let id: string | undefined;
  await until(() => {
    const o = x.c.service('app-db')?.outage;
    id = o?.action === 'proposed' || o?.action === 'failing-over' ? o.runId : undefined;
    return id !== undefined;
  });
  return id as string;
};

describe('onOutage: propose', () => {
  it('creates a failover run that waits for an approval, touching nothing; approved, it succeeds and the service is active at b', async () => {
    h = harness(testPlan('propose'));
    await outage(h);
    const runId = await runOf(h);
    await until(async () => (await h?.store.runs.get(runId))?.state === 'waiting-approval');
    const run = await h.store.runs.get(runId);
    const data = run ? runData(run) : undefined;
    expect(data?.waiting?.stepId).toBe('app-db/approve-run');
    expect(data?.planned.steps[0]).toMatchObject({
      action: 'engine.confirm',
      approval: { when: 'always', distinctFromRequester: true },
    });
    expect(data?.requester).toBe('lifeboat-controller');
    expect(h.world.effects).toEqual([]);
    expect(h.c.service('app-db')).toMatchObject({ activeRunId: runId, activeSite: 'a' });
    // The site stays down while the operator decides: still one run.
    await h.rounds(3);
    expect(await h.store.runs.list()).toHaveLength(1);

    await h.c.approve(
      runId,
      gateStepId(data?.planned ?? ({ services: ['app-db'] } as never)),
      'carol',
    );
    await until(async () => (await h?.store.runs.get(runId))?.state === 'succeeded');
    expect(h.world.effects).toContain('fence a');
    expect(h.world.effects).toContain('promote b');
    await until(() => h?.c.service('app-db')?.activeSite === 'b');
    const s = h.c.service('app-db');
    expect(s?.activeRunId).toBeUndefined();
    // Serving from b now: a's outage is no longer the service's outage.
    expect(s?.outage).toBeUndefined();
    const runEvents = h.c
      .eventsSince(0)
      .events.flatMap((e) => (e.event.type === 'run' ? [e.event.state] : []));
    expect(runEvents).toContain('waiting-approval');
    expect(runEvents.at(-1)).toBe('succeeded');
    expect(h.c.eventsSince(0).events.some((e) => e.event.type === 'journal')).toBe(true);
  });

  it('the controller cannot approve its own proposal', async () => {
    h = harness(testPlan('propose'));
    await outage(h);
    const runId = await runOf(h);
    await until(async () => (await h?.store.runs.get(runId))?.state === 'waiting-approval');
    await expect(
      h.c.approve(runId, 'app-db/approve-run', 'lifeboat-controller'),
    ).rejects.toMatchObject({ code: 'LB_E_ENGINE_APPROVER_IS_REQUESTER' });
  });

  it('an abort of the proposal ends it without touching anything', async () => {
    h = harness(testPlan('propose'));
    await outage(h);
    const runId = await runOf(h);
    await until(async () => (await h?.store.runs.get(runId))?.state === 'waiting-approval');
    await h.c.abort(runId, 'carol', 'site a is back');
    expect((await h.store.runs.get(runId))?.state).toBe('aborted');
    expect(h.world.effects).toEqual([]);
  });

  it('a service with a run already active gets no second run: a new outage points at it', async () => {
    h = harness(testPlan('propose'));
    await outage(h);
    const runId = await runOf(h);
    await until(async () => (await h?.store.runs.get(runId))?.state === 'waiting-approval');
    h.net.down.delete('a');
    await h.rounds(2);
    expect(h.c.service('app-db')?.outage).toBeUndefined();
    h.net.down.add('a');
    await h.rounds(3);
    await until(() => h?.c.service('app-db')?.outage?.action === 'proposed');
    expect(h.c.service('app-db')?.outage?.runId).toBe(runId);
    expect(await h.store.runs.list()).toHaveLength(1);
  });

  it('startRun goes through the engine: a second run of a busy service is refused', async () => {
    h = harness(testPlan('propose'));
    await outage(h);
    const runId = await runOf(h);
    await until(async () => (await h?.store.runs.get(runId))?.state === 'waiting-approval');
    await expect(
      h.c.startRun({ runbook: 'failover', target: 'app-db', actor: 'carol' }),
    ).rejects.toMatchObject({ code: 'LB_E_ENGINE_SERVICE_BUSY' });
  });
});

describe('onOutage: failover', () => {
  it('fails over at once, through the engine', async () => {
    h = harness(testPlan('failover'));
    await h.c.refreshData();
    expect(h.c.service('app-db')?.readyToFailOver).toBe(true);
    await outage(h);
    await until(async () => (await h?.store.runs.list())?.length === 1);
    const runId = (await h.store.runs.list())[0]?.id as string;
    await until(() =>
      (h?.c.eventsSince(0).events ?? []).some(
        (e) =>
          e.event.type === 'outage' &&
          e.event.outage.action === 'failing-over' &&
          e.event.outage.runId === runId,
      ),
    );
    await until(async () => (await h?.store.runs.get(runId))?.state === 'succeeded');
    const run = await h.store.runs.get(runId);
    expect(run && runData(run).planned.steps.some((s) => s.action === 'engine.confirm')).toBe(
      false,
    );
    expect(h.world.effects.slice(0, 2)).toEqual(['fence a', 'promote b']);
    await until(() => h?.c.service('app-db')?.activeSite === 'b');
  });

  it('does not start when the standby is not ready: it proposes instead, and nothing is touched', async () => {
    h = harness(testPlan('failover'), { synchronous: false });
    const b = h.world.databases.get('b');
    if (b) delete b.source; // not streaming, asynchronous: what it lacks is unknown
    await outage(h);
    const runId = await runOf(h);
    const s = h.c.service('app-db');
    expect(s?.readyToFailOver).toBe(false);
    expect(s?.outage).toMatchObject({ action: 'proposed', runId });
    expect(s?.outage?.detail).toMatch(/not ready/);
    await until(async () => (await h?.store.runs.get(runId))?.state === 'waiting-approval');
    expect(h.world.effects).toEqual([]);
  });

  it('refuses a run the plan cannot derive', async () => {
    h = harness(testPlan('failover'));
    await expect(
      h.c.startRun({ runbook: 'failover', target: 'nope', actor: 'carol' }),
    ).rejects.toMatchObject({ code: 'LB_E_CONTROLLER_NO_RUN' });
  });
});

describe('runs of other processes', () => {
  it('are told as run events and mark the service busy', async () => {
    h = harness(testPlan('propose'));
    const cli = new Engine({
      store: h.store,
      drivers: h.drivers,
      actor: 'carol',
      roles: {},
      waitForApprovals: false,
      pollMs: 20,
      leaseTtlMs: 2000,
    });
    const run = withApprovalGate(planned('failover', 'app-db'), { reason: 'by hand' });
    const out = await cli.start(run);
    expect(out.state).toBe('waiting-approval');
    await h.c.start();
    await h.clock.advance(2_000);
    await until(() => h?.c.service('app-db')?.activeRunId === out.runId);
    const told = h.c
      .eventsSince(0)
      .events.flatMap((e) => (e.event.type === 'run' ? [e.event] : []));
    expect(told).toEqual([
      expect.objectContaining({ runId: out.runId, state: 'waiting-approval', service: 'app-db' }),
    ]);
    await cli.abort(out.runId, 'not needed');
    await h.clock.advance(2_000);
    await until(() => h?.c.service('app-db')?.activeRunId === undefined);
    expect(
      h.c.eventsSince(0).events.flatMap((e) => (e.event.type === 'run' ? [e.event.state] : [])),
    ).toEqual(['waiting-approval', 'aborted']);
  });
});
