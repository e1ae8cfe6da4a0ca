// Approvals: bound to what the approver saw, consumed once, even by racing processes.
import { expect } from 'vitest';
import type { SuiteContext } from './store-suite.js';
import { newRun, PARAMS_HASH, PLAN_HASH } from './store-suite-runs.js';

export function approvalTests(s: SuiteContext): void {
  s.test('approvals: bound to run, step, plan hash and params hash; single use', async () => {
    const store = s.store();
    const run = await newRun(store, 'db');
    const other = await newRun(store, 'db');
    const lease = await store.leases.acquire('service/db', 'a', 60_000);
    if (!lease) throw new Error('acquire failed');
    const approval = await store.approvals.record({
      runId: run.id,
      stepId: 'promote',
      role: 'dba',
      approver: 'alice',
      planHash: PLAN_HASH,
      paramsHash: PARAMS_HASH,
      at: 7_000,
    });
    expect(approval).toMatchObject({
      runId: run.id,
      stepId: 'promote',
      role: 'dba',
      approver: 'alice',
      at: 7_000,
      used: false,
      usedAt: undefined,
    });
    const match = {
      runId: run.id,
      stepId: 'promote',
      planHash: PLAN_HASH,
      paramsHash: PARAMS_HASH,
    };
    const misses = [
      { ...match, planHash: 'c'.repeat(64) }, // the plan changed since it was approved
      { ...match, paramsHash: 'd'.repeat(64) }, // other parameters
      { ...match, stepId: 'fence' },
      { ...match, runId: other.id },
      { ...match, role: 'network' },
    ];
    for (const m of misses) expect(await store.approvals.consume(m, lease.token)).toBeUndefined();

    // Fenced: a stale holder cannot use up the approval.
    const takeover = await store.leases.acquire('service/db', 'a', 60_000);
    if (!takeover) throw new Error('acquire failed');
    await expect(store.approvals.consume(match, lease.token)).rejects.toMatchObject({
      code: 'LB_E_STORE_STALE_TOKEN',
    });

    const used = await store.approvals.consume({ ...match, role: 'dba' }, takeover.token);
    expect(used).toMatchObject({ id: approval.id, used: true });
    expect(used?.usedAt).toBeGreaterThan(0);
    expect(await store.approvals.consume(match, takeover.token)).toBeUndefined();
    expect(await store.approvals.list(run.id)).toEqual([used]);
    expect(await store.approvals.list(other.id)).toEqual([]);

    await expect(
      store.approvals.record({ ...match, runId: 'run-missing', role: 'dba', approver: 'bob' }),
    ).rejects.toMatchObject({ code: 'LB_E_STORE_NOT_FOUND' });
  });

  s.test(
    'approvals: single use when consumers race, in one process and in two',
    async () => {
      const store = s.store();
      const run = await newRun(store, 'db');
      const lease = await store.leases.acquire('service/db', 'a', 120_000);
      if (!lease) throw new Error('acquire failed');
      const match = { runId: run.id, stepId: 'x', planHash: PLAN_HASH, paramsHash: PARAMS_HASH };
      await store.approvals.record({ ...match, role: 'dba', approver: 'alice' });
      const inProcess = await Promise.all(
        Array.from({ length: 10 }, () => store.approvals.consume(match, lease.token)),
      );
      expect(inProcess.filter((a) => a !== undefined)).toHaveLength(1);

      // Across processes: one approval for each of 60 steps, three processes trying them all.
      const steps = Array.from({ length: 60 }, (_, i) => `step-${i}`);
      const recorded = [];
      for (const stepId of steps) {
        recorded.push(
          await store.approvals.record({ ...match, stepId, role: 'dba', approver: 'alice' }),
        );
      }
      const task = {
        kind: 'consume' as const,
        runId: run.id,
        token: lease.token,
        steps,
        planHash: PLAN_HASH,
        paramsHash: PARAMS_HASH,
      };
      const outputs = await s.children([task, task, task]);
      const consumed = outputs.flatMap((o) =>
        o.lines.flatMap((l) => (l.consumed ? [l.consumed] : [])),
      );
      expect([...consumed].sort()).toEqual(recorded.map((a) => a.id).sort());
      const all = await store.approvals.list(run.id);
      expect(all.every((a) => a.used)).toBe(true);
    },
    60_000,
  );
}
