// RPO now against the tier, readiness with the engine's rule, and the scheduler's timers.
import { afterEach, describe, expect, it } from 'vitest';
import { settle } from '../../../src/controller/clock.js';
import { labPlan } from '../engine/helpers.js';
import { type Harness, harness, sqlProbe, testPlan } from './helpers.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** Replica b answers with this lag (ms), or as not streaming. */
function lagging(lag: { ms?: number; streaming: boolean }) {
  return (base: import('../../../src/engine/index.js').StepDrivers) => ({
    ...base,
    database: (svc: string, ds: string, node: string) =>
      node === 'b'
        ? {
            kind: 'fake-db',
            target: 'b',
            observe: async () => ({ healthy: true, summary: 'b', facts: {} }),
            replicationState: async () => ({
              role: 'replica' as const,
              writable: false,
              streaming: lag.streaming,
              ...(lag.ms !== undefined ? { lagMs: lag.ms } : {}),
            }),
          }
        : base.database(svc, ds, node),
  });
}

describe('RPO tracking', () => {
  it('reports the replica lag against the tier RPO, and one rpo-breach when it crosses the target', async () => {
    const lag: { ms?: number; streaming: boolean } = { ms: 1000, streaming: true };
    h = harness(testPlan('notify'), { wrapDrivers: lagging(lag), synchronous: false });
    await h.c.refreshData();
    let s = h.c.service('app-db');
    expect(s?.rpo).toEqual([
      expect.objectContaining({
        dataSet: 'pg',
        kind: 'replica',
        rpoMs: 1000,
        targetMs: 5000,
        within: true,
      }),
    ]);
    expect(s?.readyToFailOver).toBe(true);
    expect(s?.readinessDetail).toMatch(/1000 ms behind/);

    lag.ms = 9000;
    await h.c.refreshData();
    await h.c.refreshData();
    s = h.c.service('app-db');
    expect(s?.rpo[0]).toMatchObject({ rpoMs: 9000, within: false });
    expect(s?.readyToFailOver).toBe(false);
    const breaches = h.c.eventsSince(0).events.filter((e) => e.event.type === 'rpo-breach');
    expect(breaches).toHaveLength(1);
    expect(breaches[0]?.event).toMatchObject({
      service: 'app-db',
      rpo: { dataSet: 'pg', rpoMs: 9000 },
    });

    lag.ms = 10;
    await h.c.refreshData();
    expect(h.c.service('app-db')?.rpo[0]?.within).toBe(true);
    lag.ms = 6000;
    await h.c.refreshData();
    expect(h.c.eventsSince(0).events.filter((e) => e.event.type === 'rpo-breach')).toHaveLength(2);
    expect(h.c.rpoHistory('app-db').map((r) => r.rpoMs)).toEqual([1000, 9000, 9000, 10, 6000]);
  });

  it('an asynchronous replica that stopped streaming: RPO unknown, not ready (the engine rule)', async () => {
    h = harness(testPlan('notify'), {
      wrapDrivers: lagging({ streaming: false }),
      synchronous: false,
    });
    await h.c.refreshData();
    const s = h.c.service('app-db');
    expect(s?.rpo[0]?.rpoMs).toBeUndefined();
    expect(s?.rpo[0]?.within).toBeUndefined();
    expect(s?.readyToFailOver).toBe(false);
    expect(s?.readinessDetail).toMatch(/asynchronous/);
  });

  it('a synchronous replica that stopped streaming lost nothing: RPO 0, ready', async () => {
    h = harness(testPlan('notify'), {
      wrapDrivers: lagging({ streaming: false }),
      synchronous: true,
    });
    await h.c.refreshData();
    expect(h.c.service('app-db')).toMatchObject({
      readyToFailOver: true,
      rpo: [expect.objectContaining({ rpoMs: 0, within: true })],
    });
  });
});

describe('RPO of a mirror', () => {
  it("is the age of the last complete sync on the target, judged like the engine's check-ready", async () => {
    const plan = structuredClone(labPlan);
    plan.services = { mirror: plan.services?.mirror as NonNullable<typeof plan.services>[string] };
    plan.drills = {};
    let through: number | undefined;
    h = harness(plan, {
      wrapDrivers: (base) => ({
        ...base,
        dataSet: () => ({ kind: 'files', synchronous: false, nodes: ['a', 'b'] }),
        mirrorSyncedThrough: async (_svc, _ds, node) => (node === 'b' ? through : undefined),
      }),
    });
    const now = h.clock.now();
    await h.c.refreshData();
    expect(h.c.service('mirror')).toMatchObject({
      readyToFailOver: false,
      rpo: [expect.objectContaining({ dataSet: 'tree', kind: 'mirror', targetMs: 3_600_000 })],
    });
    expect(h.c.service('mirror')?.rpo[0]?.rpoMs).toBeUndefined();
    through = now - 600_000;
    await h.c.refreshData();
    expect(h.c.service('mirror')).toMatchObject({
      readyToFailOver: true,
      rpo: [expect.objectContaining({ rpoMs: 600_000, within: true })],
    });
    through = now - 2 * 3_600_000;
    await h.c.refreshData();
    expect(h.c.service('mirror')).toMatchObject({
      readyToFailOver: false,
      rpo: [expect.objectContaining({ rpoMs: 7_200_000, within: false })],
    });
    expect(h.c.eventsSince(0).events.filter((e) => e.event.type === 'rpo-breach')).toHaveLength(1);
  });
});

describe('the scheduler', () => {
  it('probes on the interval with jitter, and stop() clears every timer', async () => {
    h = harness(testPlan('notify'));
    await h.c.start();
    expect(h.c.timers).toBeGreaterThan(0);
    await h.clock.advance(10_000);
    const n = h.c.probeHistory('app-db').length;
    // 4 slots (2 probes × 2 sites), every ~1 s for 10 s.
    expect(n).toBeGreaterThanOrEqual(4 * 9);
    expect(n).toBeLessThanOrEqual(4 * 11);
    expect(h.c.service('app-db')?.sites.every((s) => s.health === 'up')).toBe(true);
    await h.c.stop();
    expect(h.c.timers).toBe(0);
    expect(h.clock.pending).toBe(0);
    await h.clock.advance(10_000);
    expect(h.c.probeHistory('app-db').length).toBe(n);
  });

  it('runs at most maxConcurrentProbes at once, and never one probe twice at once', async () => {
    const plan = testPlan('notify');
    const svc = plan.services?.['app-db'];
    if (svc) svc.health = Array.from({ length: 8 }, (_, i) => sqlProbe(`p${i}`, { interval: 100 }));
    h = harness(plan, { maxConcurrentProbes: 3, probeDelay: () => settle(3) });
    await h.c.start();
    await h.clock.advance(1_000);
    await settle();
    expect(h.net.calls).toBeGreaterThan(16);
    expect(h.net.maxRunning).toBeLessThanOrEqual(3);
    await h.c.stop();
    expect(h.clock.pending).toBe(0);
  });

  it('with fastInterval, confirms a failure at the fast pace: one interval, then the fast ones', async () => {
    const plan = testPlan('notify');
    const svc = plan.services?.['app-db'];
    // interval 1 s, failures 3: without fastInterval, ~3 s from the first failure to down.
    if (svc)
      svc.health = [
        sqlProbe('select-1', { fastInterval: 100 }),
        sqlProbe('select-1-witness', { from: 'witness', fastInterval: 100 }),
      ];
    h = harness(plan, { jitter: 0 });
    await h.c.start();
    await h.clock.advance(3_000);
    h.net.down.add('a');
    const t0 = h.clock.now();
    let downAt: number | undefined;
    for (let i = 0; i < 100 && downAt === undefined; i++) {
      await h.clock.advance(20);
      if (h.c.service('app-db')?.outage) downAt = h.clock.now();
    }
    // At most one interval to the first failure, then two fast probes (and the wheel's ticks).
    expect(downAt).toBeDefined();
    expect((downAt ?? 0) - t0).toBeLessThanOrEqual(1000 + 2 * 100 + 60);
    const a = h.c
      .probeHistory('app-db')
      .filter((x) => x.site === 'a' && x.probe === 'select-1' && !x.ok);
    const gaps = a.slice(1).map((x, i) => Date.parse(x.at) - Date.parse(a[i]?.at ?? ''));
    expect(gaps.slice(0, 2).every((g) => g <= 120)).toBe(true);
    // Down: back to the plain interval.
    const n = a.length;
    await h.clock.advance(900);
    expect(
      h.c.probeHistory('app-db').filter((x) => x.site === 'a' && x.probe === 'select-1' && !x.ok)
        .length,
    ).toBeLessThanOrEqual(n + 1);
  });

  it('detects an outage from the timers alone', async () => {
    h = harness(testPlan('notify'));
    await h.c.start();
    await h.clock.advance(3_000);
    h.net.down.add('a');
    await h.clock.advance(4_000);
    expect(h.c.service('app-db')?.outage).toMatchObject({ site: 'a', action: 'notified' });
  });
});
