// Runs: stored whole, listed by service and state, changed only by compare-and-swap.
import { expect } from 'vitest';
import type { StateStore } from '../../src/store/index.js';
import type { SuiteContext } from './store-suite.js';

export const PLAN_HASH = 'a'.repeat(64);
export const PARAMS_HASH = 'b'.repeat(64);

/** A run of `service` in state `state`, with the defaults the tests do not care about. */
export function newRun(store: StateStore, service: string, extra: Record<string, unknown> = {}) {
  return store.runs.create({
    service,
    runbook: 'failover',
    planHash: PLAN_HASH,
    paramsHash: PARAMS_HASH,
    ...extra,
  });
}

export function runTests(s: SuiteContext): void {
  s.test('runs: create, get, and list by service and state', async () => {
    const store = s.store();
    const db1 = await newRun(store, 'db', {
      id: 'run-1',
      params: { to: 'site-b', force: false, nodes: ['db-b'] },
      data: { step: null },
      at: 1_000,
    });
    expect(db1).toEqual({
      id: 'run-1',
      service: 'db',
      runbook: 'failover',
      planHash: PLAN_HASH,
      paramsHash: PARAMS_HASH,
      params: { to: 'site-b', force: false, nodes: ['db-b'] },
      state: 'planned',
      leaseKey: 'service/db',
      revision: db1.revision,
      createdAt: 1_000,
      updatedAt: 1_000,
      data: { step: null },
    });
    expect(await store.runs.get('run-1')).toEqual(db1);
    expect(await store.runs.get('run-missing')).toBeUndefined();
    await expect(newRun(store, 'db', { id: 'run-1' })).rejects.toMatchObject({
      code: 'LB_E_STORE_CONFLICT',
    });

    const web = await newRun(store, 'web', { state: 'running', leaseKey: 'site/a' });
    expect(web.id).toMatch(/\S/);
    expect(web.leaseKey).toBe('site/a');
    const db2 = await newRun(store, 'db', { state: 'running' });
    const db3 = await newRun(store, 'db', { state: 'succeeded' });

    const ids = (runs: { id: string }[]) => runs.map((r) => r.id);
    expect(ids(await store.runs.list())).toEqual([db1.id, web.id, db2.id, db3.id]);
    expect(ids(await store.runs.list({ service: 'db' }))).toEqual([db1.id, db2.id, db3.id]);
    expect(ids(await store.runs.list({ state: 'running' }))).toEqual([web.id, db2.id]);
    expect(ids(await store.runs.list({ service: 'db', state: ['running', 'planned'] }))).toEqual([
      db1.id,
      db2.id,
    ]);
    expect(ids(await store.runs.list({ state: [] }))).toEqual([]);
    expect(ids(await store.runs.list({ service: 'db', limit: 2 }))).toEqual([db2.id, db3.id]);
    await expect(
      store.runs.list({ state: 'paused' as unknown as 'running' }),
    ).rejects.toMatchObject({ code: 'LB_E_STORE_INVALID' });
    await expect(newRun(store, 'db', { params: { when: new Date() } })).rejects.toMatchObject({
      code: 'LB_E_STORE_INVALID',
    });
  });

  s.test('runs: update is a compare-and-swap on the revision, optionally fenced', async () => {
    const store = s.store();
    const run = await newRun(store, 'db');
    const running = await store.runs.update(run.id, {
      expectedRevision: run.revision,
      state: 'running',
      data: { step: 'fence' },
    });
    expect(running).toMatchObject({ state: 'running', data: { step: 'fence' } });
    expect(running.revision).toBeGreaterThan(run.revision);
    // A writer holding the old revision loses: it must re-read and decide again.
    await expect(
      store.runs.update(run.id, { expectedRevision: run.revision, state: 'aborting' }),
    ).rejects.toMatchObject({ code: 'LB_E_STORE_CONFLICT' });
    // Of two updates from the same read, exactly one wins.
    const race = await Promise.allSettled([
      store.runs.update(run.id, { expectedRevision: running.revision, data: { step: 'a' } }),
      store.runs.update(run.id, { expectedRevision: running.revision, data: { step: 'b' } }),
    ]);
    expect(race.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const now = await store.runs.get(run.id);
    if (!now) throw new Error('run lost');
    expect(now.state).toBe('running'); // only data changed: state kept
    expect(['a', 'b']).toContain((now.data as { step: string }).step);

    await expect(
      store.runs.update('run-missing', { expectedRevision: 1, state: 'failed' }),
    ).rejects.toMatchObject({ code: 'LB_E_STORE_NOT_FOUND' });

    // Fenced: only the current token of the run's lease may change it.
    const a = await store.leases.acquire('service/db', 'a', 60_000);
    const b = await store.leases.acquire('service/db', 'a', 60_000);
    if (!a || !b) throw new Error('acquire failed');
    await expect(
      store.runs.update(run.id, {
        expectedRevision: now.revision,
        state: 'failed',
        token: a.token,
      }),
    ).rejects.toMatchObject({ code: 'LB_E_STORE_STALE_TOKEN' });
    const done = await store.runs.update(run.id, {
      expectedRevision: now.revision,
      state: 'succeeded',
      token: b.token,
    });
    expect(done.state).toBe('succeeded');
  });
}
