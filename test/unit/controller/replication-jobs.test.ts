// The replication job scheduler on a manual clock with a fake run: runs at its cron times, never
// twice at once (a run due while one runs is skipped and counted), aborted at its timeout, a
// failure recorded with a registered code, a plan reload reschedules (a changed job's run ends
// first, a removed data set's run is aborted), a long wait is slept in pieces, stop() stops.
// Then the controller: jobs in the service's state, RPO from the last success, the breach event.
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock, settle } from '../../../src/controller/clock.js';
import type { SequencedEvent } from '../../../src/controller/model.js';
import { type JobRunner, ReplicationJobs } from '../../../src/controller/replication-jobs.js';
import { LifeboatError } from '../../../src/core/errors/index.js';
import type { Plan } from '../../../src/core/plan/index.js';
import { estate } from '../analysis/estate.js';
import { labPlan } from '../engine/helpers.js';
import { harness } from './helpers.js';

const S = 1_000;
const M = 60 * S;

function plan(replication: Record<string, unknown>, backup?: Record<string, unknown>): Plan {
  return estate({
    web: {
      tier: 'high',
      strategy: 'active-passive',
      placement: { active: ['a1'], standby: ['f1'] },
      data: [
        {
          name: 'tree',
          kind: 'files',
          source: 'a1',
          targets: ['f1', 'f2'],
          path: '/srv/www',
          replication: { mode: 'periodic', ...replication },
        } as never,
        ...(backup
          ? [
              {
                name: 'dump',
                kind: 'backup',
                source: 'a1',
                storage: 's3://b/p',
                replication: { mode: 'periodic', ...backup },
              } as never,
            ]
          : []),
      ],
    },
  });
}

/** A fake run: each call waits `ms` on the clock (or until aborted), then succeeds or throws. */
function fakeRun(
  clock: ManualClock,
  ms: number,
  outcome: () => Error | undefined = () => undefined,
) {
  const calls: { dataSet: string; at: number; signal: AbortSignal }[] = [];
  let running = 0;
  let maxRunning = 0;
  const run: JobRunner = (_service, dataSet, _job, signal) => {
    calls.push({ dataSet, at: clock.now(), signal });
    running++;
    maxRunning = Math.max(maxRunning, running);
    const started = clock.now();
    return new Promise((resolve, reject) => {
      const done = (e?: unknown) => {
        cancel();
        running--;
        if (e) reject(e);
        else resolve({ syncedThroughMs: started });
      };
      const cancel = clock.after(ms, () => done(outcome()));
      signal.addEventListener('abort', () => done(signal.reason), { once: true });
    });
  };
  return { run, calls, maxRunning: () => maxRunning };
}

const jobsList: ReplicationJobs[] = [];
afterEach(async () => {
  for (const j of jobsList.splice(0)) await j.stop();
});

function scheduler(clock: ManualClock, run: JobRunner, maxSleepMs?: number) {
  const changes: { dataSet: string; result?: string }[] = [];
  const j = new ReplicationJobs({
    clock,
    run,
    timeZone: 'Etc/UTC',
    onChange: (_s, job, result) =>
      changes.push({ dataSet: job.dataSet, ...(result ? { result } : {}) }),
    ...(maxSleepMs !== undefined ? { maxSleepMs } : {}),
  });
  jobsList.push(j);
  return { j, changes };
}

describe('the replication job scheduler', () => {
  it('runs each job at its cron times and records start, success, what it holds, duration', async () => {
    const clock = new ManualClock();
    const f = fakeRun(clock, 2 * S);
    const { j, changes } = scheduler(clock, f.run);
    j.apply(plan({ schedule: '*/10 * * * * *' }, { schedule: '0 * * * *', command: ['dump'] }));
    j.start();
    expect(j.status('web').map((s) => [s.dataSet, s.kind, s.route, s.nextRunAt])).toEqual([
      ['tree', 'rsync', 'a1 → f1, f2', new Date(clock.now() + 10 * S).toISOString()],
      ['dump', 'command', 'a1', new Date(clock.now() + 60 * M).toISOString()],
    ]);
    const t0 = clock.now();
    await clock.advance(35 * S);
    expect(f.calls.map((c) => c.at - t0)).toEqual([10 * S, 20 * S, 30 * S]);
    const tree = j.status('web')[0];
    expect(tree).toMatchObject({
      running: false,
      lastStartAt: new Date(t0 + 30 * S).toISOString(),
      lastSuccessAt: new Date(t0 + 32 * S).toISOString(),
      syncedThrough: new Date(t0 + 30 * S).toISOString(),
      lastDurationMs: 2 * S,
      runs: { succeeded: 3, failed: 0, skipped: 0 },
      nextRunAt: new Date(t0 + 40 * S).toISOString(),
    });
    expect(tree?.lastFailure).toBeUndefined();
    expect(j.record('web', 'tree')).toEqual({ syncedThroughMs: t0 + 30 * S, failed: 0 });
    expect(changes.slice(0, 2)).toEqual([
      { dataSet: 'tree' },
      { dataSet: 'tree', result: 'succeeded' },
    ]);
  });

  it('never runs a job twice at once: a run due while the last one runs is skipped and counted', async () => {
    const clock = new ManualClock();
    const f = fakeRun(clock, 25 * S);
    const { j, changes } = scheduler(clock, f.run);
    j.apply(plan({ schedule: '*/10 * * * * *', timeout: '1m' }));
    j.start();
    await clock.advance(61 * S);
    // Starts at 10 (ends 35), skipped at 20 and 30, starts at 40 (ends 65), skipped at 50, 60.
    expect(f.maxRunning()).toBe(1);
    expect(f.calls).toHaveLength(2);
    expect(j.status('web')[0]).toMatchObject({
      running: true,
      runs: { succeeded: 1, failed: 0, skipped: 4 },
    });
    expect(changes.filter((c) => c.result === 'skipped')).toHaveLength(4);
  });

  it('aborts a run at its timeout and records LB_E_CONTROLLER_JOB_TIMEOUT', async () => {
    const clock = new ManualClock();
    const f = fakeRun(clock, 10 * M);
    const { j } = scheduler(clock, f.run);
    j.apply(plan({ schedule: '0 * * * * *', timeout: '30s' }));
    j.start();
    await clock.advance(95 * S);
    expect(f.calls[0]?.signal.aborted).toBe(true);
    const s = j.status('web')[0];
    expect(s).toMatchObject({
      running: false,
      lastDurationMs: 30 * S,
      runs: { succeeded: 0, failed: 1 },
      lastFailure: { code: 'LB_E_CONTROLLER_JOB_TIMEOUT' },
    });
    expect(s?.lastFailure?.message).toMatch(/still running after 30s: aborted/);
    expect(s?.lastSuccessAt).toBeUndefined();
    expect(j.record('web', 'tree')).toMatchObject({ failed: 1 });
  });

  it('records a failure with the error’s code, or LB_E_CONTROLLER_JOB_FAILED, on one clipped line', async () => {
    const clock = new ManualClock();
    let n = 0;
    const f = fakeRun(clock, S, () =>
      ++n === 1
        ? new LifeboatError('LB_E_DRIVER_UNREACHABLE', 'f1 does not answer\non port 22')
        : n === 2
          ? new Error('x'.repeat(2_000))
          : undefined,
    );
    const { j } = scheduler(clock, f.run);
    j.apply(plan({ schedule: '*/10 * * * * *' }));
    j.start();
    await clock.advance(12 * S);
    expect(j.status('web')[0]?.lastFailure).toMatchObject({
      code: 'LB_E_DRIVER_UNREACHABLE',
      message: 'f1 does not answer on port 22',
    });
    await clock.advance(10 * S);
    const second = j.status('web')[0]?.lastFailure;
    expect(second?.code).toBe('LB_E_CONTROLLER_JOB_FAILED');
    expect(second?.message.length).toBeLessThanOrEqual(500);
    await clock.advance(10 * S);
    // A success after failures: the failure stays told, the RPO reads the success.
    expect(j.status('web')[0]).toMatchObject({ runs: { succeeded: 1, failed: 2 } });
    expect(j.status('web')[0]?.lastSuccessAt).toBeDefined();
  });

  it('a reload reschedules: a changed job lets its run finish, a removed one is aborted, an unchanged one keeps its time', async () => {
    const clock = new ManualClock();
    const f = fakeRun(clock, 5 * S);
    const { j } = scheduler(clock, f.run);
    j.apply(
      plan({ schedule: '*/10 * * * * *' }, { schedule: '*/10 * * * * *', command: ['dump'] }),
    );
    j.start();
    const t0 = clock.now();
    await clock.advance(11 * S); // both run since 10 s
    // The rsync job now runs every minute; the backup is unchanged.
    j.apply(plan({ schedule: '0 * * * * *' }, { schedule: '*/10 * * * * *', command: ['dump'] }));
    expect(j.status('web').map((s) => [s.dataSet, s.running, s.nextRunAt])).toEqual([
      ['tree', true, new Date(t0 + 60 * S).toISOString()],
      ['dump', true, new Date(t0 + 20 * S).toISOString()],
    ]);
    await clock.advance(5 * S);
    expect(j.status('web')[0]?.runs.succeeded).toBe(1); // the run of the old schedule ended
    await clock.advance(6 * S); // 22 s: the backup ran again at 20
    expect(f.calls.map((c) => [c.dataSet, c.at - t0])).toEqual([
      ['tree', 10 * S],
      ['dump', 10 * S],
      ['dump', 20 * S],
    ]);
    // The backup leaves the plan while it runs: aborted, its state gone.
    j.apply(plan({ schedule: '0 * * * * *' }));
    expect(f.calls[2]?.signal.aborted).toBe(true);
    await settle();
    expect(j.status('web').map((s) => s.dataSet)).toEqual(['tree']);
    expect(j.record('web', 'dump')).toBeUndefined();
    await clock.advance(40 * S);
    expect(f.calls.filter((c) => c.dataSet === 'tree').map((c) => c.at - t0)).toEqual([
      10 * S,
      60 * S,
    ]);
  });

  it('sleeps a long wait in pieces (a timer holds 24.8 days at most) and runs on time', async () => {
    const clock = new ManualClock(); // 2026-01-01T00:00Z
    const f = fakeRun(clock, S);
    const { j } = scheduler(clock, f.run, 3_600_000);
    j.apply(plan({ schedule: '0 0 1 * *' }));
    j.start();
    expect(j.status('web')[0]?.nextRunAt).toBe('2026-02-01T00:00:00.000Z');
    expect(clock.pending).toBe(1);
    await clock.advance(31 * 24 * 60 * M + S);
    expect(f.calls.map((c) => new Date(c.at).toISOString())).toEqual(['2026-02-01T00:00:00.000Z']);
    expect(j.status('web')[0]?.nextRunAt).toBe('2026-03-01T00:00:00.000Z');
  });

  it('stop() clears its timers, aborts the runs in progress and waits for them; nothing runs after', async () => {
    const clock = new ManualClock();
    const f = fakeRun(clock, 10 * M);
    const { j } = scheduler(clock, f.run);
    j.apply(
      plan({ schedule: '*/10 * * * * *' }, { schedule: '*/10 * * * * *', command: ['dump'] }),
    );
    j.start();
    await clock.advance(10 * S);
    expect(j.timers).toBe(2);
    expect(j.status('web').every((s) => s.running)).toBe(true);
    await j.stop();
    expect(f.calls.every((c) => c.signal.aborted)).toBe(true);
    expect(j.timers).toBe(0);
    expect(j.status('web').every((s) => !s.running)).toBe(true);
    await clock.advance(60 * S);
    expect(f.calls).toHaveLength(2);
    expect(clock.pending).toBe(0);
  });

  it('does not schedule a data set whose schedule has nothing to run, and says why', () => {
    const clock = new ManualClock();
    const { j } = scheduler(clock, fakeRun(clock, S).run);
    j.apply(plan({ schedule: '* * * * *' }, { schedule: '* * * * *' }));
    j.start();
    const dump = j.status('web')[1];
    expect(dump?.problem).toMatch(/replication.command/);
    expect(dump?.nextRunAt).toBeUndefined();
    expect(j.timers).toBe(1);
  });
});

describe('the controller runs the plan’s jobs', () => {
  it('shows them in the service’s state, reads the RPO from the last success, and tells a breach', async () => {
    // The lab plan's mirror (tier low: RPO 1h), copied every 10 minutes, and a backup whose
    // command fails.
    const p = structuredClone(labPlan);
    const mirror = p.services?.mirror;
    if (!mirror?.data) throw new Error('no mirror');
    p.services = { mirror };
    p.drills = {};
    mirror.health = [];
    mirror.data[0] = {
      ...mirror.data[0],
      replication: { mode: 'periodic', schedule: '*/10 * * * *', tool: 'rsync', timeout: 60_000 },
    } as never;
    mirror.data.push({
      name: 'dump',
      kind: 'backup',
      source: 'a',
      storage: 's3://b/p',
      replication: { mode: 'periodic', schedule: '*/10 * * * *', command: ['false'] },
    } as never);
    let fail = true;
    const h = harness(p, {
      timeZone: 'Etc/UTC',
      rpoIntervalMs: 60_000,
      tickMs: 60_000,
      wrapDrivers: (d) => ({
        ...d,
        command: (node, args) => ({
          kind: 'command',
          target: node,
          observe: async () => ({ healthy: true, summary: '', facts: {} }),
          run: async () => {
            if (fail)
              throw new LifeboatError('LB_E_COMMAND_FAILED', `${String(args.argv)} exited 1`);
            return { changed: true, detail: 'ok' };
          },
        }),
      }),
    });
    const events: SequencedEvent[] = [];
    h.c.subscribe((e) => events.push(e));
    try {
      await h.c.start();
      const t0 = h.clock.now();
      await h.clock.advance(10 * M + S);
      const s = h.c.service('mirror');
      expect(s?.jobs?.map((j) => [j.dataSet, j.kind, j.runs.succeeded, j.runs.failed])).toEqual([
        ['tree', 'rsync', 1, 0],
        ['dump', 'command', 0, 1],
      ]);
      expect(s?.jobs?.[1]?.lastFailure?.code).toBe('LB_E_COMMAND_FAILED');
      // `tree` is checked by the failover's check-ready (the engine's rule, unchanged); the
      // backup, which no failover checks, is judged by its job: failed, but not for an hour yet.
      expect(s?.rpo.find((r) => r.dataSet === 'dump')).toMatchObject({
        kind: 'backup',
        within: true,
      });
      expect(
        events.filter((e) => e.event.type === 'replication-job').map((e) => e.event.type),
      ).toHaveLength(4);
      // Failing for more than the tier's hour: at least that old → a breach, told once.
      await h.clock.advance(60 * M);
      const dump = h.c.service('mirror')?.rpo.find((r) => r.dataSet === 'dump');
      expect(dump?.within).toBe(false);
      expect(dump?.rpoMs).toBeGreaterThan(60 * M);
      const breaches = events.filter((e) => e.event.type === 'rpo-breach');
      expect(breaches.map((e) => (e.event as { rpo: { dataSet: string } }).rpo.dataSet)).toEqual([
        'dump',
      ]);
      // It succeeds again: within, from the start of that run.
      fail = false;
      await h.clock.advance(10 * M);
      const after = h.c.service('mirror')?.rpo.find((r) => r.dataSet === 'dump');
      expect(after?.within).toBe(true);
      expect(after?.rpoMs).toBeLessThan(10 * M);
      expect(h.clock.now() - t0).toBeGreaterThan(80 * M);
    } finally {
      await h.close();
    }
    expect(h.c.timers).toBe(0);
  });
});
