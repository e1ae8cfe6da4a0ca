// Switchover (planned, nothing lost) and failback: given a healthy pair, when the operator moves
// it, writes are refused while reads go on, the replica catches up to lag 0, takes over, and the
// old primary becomes its replica before writes are accepted again.
import { describe, expect, it } from 'vitest';
import { codes, derive, ids, labPlan, pgPair, runOf, shape, step } from './lab-plan.js';

describe('switchover of a PostgreSQL pair without a load balancer', () => {
  const run = runOf(derive(labPlan({ db: pgPair() }), 'switchover', 'db'));

  it('fences a1 read-only, waits for lag 0, promotes b1, switches, rebuilds a1, lifts, verifies', () => {
    expect(shape(run.steps)).toEqual([
      'read-only postgres.fence a1',
      'wait-catch-up engine.wait-catch-up b1',
      'promote postgres.promote b1',
      'switch-traffic dns.switch db.example.org',
      'rebuild postgres.rebuild a1',
      'read-only postgres.unfence a1',
      'verify probe.verify db',
    ]);
    expect(ids(run.steps)).toEqual([
      'db/read-only/a1/db',
      'db/wait-catch-up/b1',
      'db/promote/b1',
      'db/switch-traffic/db.example.org',
      'db/rebuild/a1',
      'db/read-only/a1/lift',
      'db/verify/db',
    ]);
  });

  it('keeps reads: the fence is read-only, not a stop; waits for every write', () => {
    expect(run.steps[0]?.args).toEqual({ dataSet: 'db', mode: 'read-only' });
    expect(run.steps[0]?.approval).toBeUndefined();
    expect(run.steps[1]?.args).toEqual({ dataSets: ['db'], maxLagMs: 0 });
  });

  it('rebuilds the old primary from the new one; the rebuild has no default estimate', () => {
    expect(step(run, 'db/rebuild/a1')).toMatchObject({
      args: { dataSet: 'db', source: 'b1' },
      estimateMs: 0,
      estimateSource: 'unknown',
    });
  });

  it('has its point of no return at the promotion, undo only before it', () => {
    expect(run.steps.filter((s) => s.pointOfNoReturn).map((s) => s.id)).toEqual(['db/promote/b1']);
    expect(run.steps.filter((s) => s.undo).map((s) => s.id)).toEqual(['db/read-only/a1/db']);
  });

  it('custom steps never anchor on the lifting of read-only', () => {
    const plan = labPlan({
      db: pgPair({
        steps: { after: { 'read-only': [{ id: 'announce', action: 'manual', estimate: '1m' }] } },
      }),
    });
    const r = runOf(derive(plan, 'switchover', 'db'));
    expect(ids(r.steps).slice(0, 3)).toEqual([
      'db/read-only/a1/db',
      'db/announce',
      'db/wait-catch-up/b1',
    ]);
  });
});

describe('switchover behind HAProxy with a read-only map', () => {
  const plan = labPlan({
    db: pgPair({
      traffic: [
        {
          kind: 'haproxy',
          backend: 'db',
          servers: { a1: 'a', b1: 'b' },
          readOnlyMap: '/etc/haproxy/read-only.map',
        },
      ],
    }),
  });
  const run = runOf(derive(plan, 'switchover', 'db'));

  it('refuses writes at the load balancer and lifts it there last', () => {
    expect(shape(run.steps)).toEqual([
      'read-only haproxy.read-only db',
      'wait-catch-up engine.wait-catch-up b1',
      'promote postgres.promote b1',
      'switch-traffic haproxy.switch db',
      'rebuild postgres.rebuild a1',
      'read-only haproxy.read-only db',
      'verify probe.verify db',
    ]);
    expect(run.steps[0]?.args).toEqual({
      traffic: 0,
      readOnly: true,
      map: '/etc/haproxy/read-only.map',
    });
    expect(run.steps[0]?.undo?.args).toMatchObject({ readOnly: false });
    expect(run.steps[5]).toMatchObject({ id: 'db/read-only/db/off', args: { readOnly: false } });
    expect(run.steps[5]?.undo).toBeUndefined();
  });
});

describe('switchover of files and periodic copies', () => {
  it('files pushed from the old primary get a last rsync; a dumped database a last copy by hand', () => {
    const plan = labPlan({
      app: {
        tier: 'high',
        strategy: 'active-passive',
        placement: { active: ['a1'], standby: ['b1'] },
        data: [
          {
            name: 'repos',
            kind: 'files',
            source: 'a1',
            targets: ['b1'],
            replication: { mode: 'periodic', interval: '15m' },
            path: '/srv/repos',
          },
          {
            name: 'meta',
            kind: 'mariadb',
            source: 'a1',
            targets: ['b1'],
            replication: { mode: 'periodic', interval: '1h' },
          },
        ],
        health: [{ kind: 'http', name: 'home', url: 'https://app.example.org/' }],
      },
    });
    const run = runOf(derive(plan, 'switchover', 'app'));
    // The old primary of the dumped database stays read-only: it is not rebuilt as a replica.
    expect(shape(run.steps)).toEqual([
      'read-only mariadb.fence a1',
      'wait-catch-up manual a1',
      'wait-catch-up rsync.sync app/repos',
      'restore manual b1',
      'verify probe.verify app',
    ]);
    expect(run.steps[2]?.args).toEqual({ dataSet: 'repos', from: 'a1', to: 'b1' });
    expect(run.steps[3]?.pointOfNoReturn).toBe(true);
  });
});

describe('failback', () => {
  const run = runOf(derive(labPlan({ db: pgPair() }), 'failback', 'db'));

  it('first checks the home site is re-synced with the current primary, then switches over home', () => {
    expect(shape(run.steps)).toEqual([
      'check-ready engine.check-ready a1',
      'read-only postgres.fence b1',
      'wait-catch-up engine.wait-catch-up a1',
      'promote postgres.promote a1',
      'switch-traffic dns.switch db.example.org',
      'rebuild postgres.rebuild b1',
      'read-only postgres.unfence b1',
      'verify probe.verify db',
    ]);
    expect(run.steps[0]?.args).toEqual({
      site: 'a',
      dataSets: ['db'],
      maxLagMs: 3_600_000,
      replicaOf: 'b1',
    });
    expect(run.steps[4]?.args).toMatchObject({ destination: 'a1' });
  });

  it('goes home from the given site, and refuses a service already home', () => {
    const plan = labPlan({
      db: pgPair({
        placement: { active: ['a1'], standby: ['b1', 'c1'] },
        data: [
          {
            name: 'db',
            kind: 'postgres',
            source: 'a1',
            targets: ['b1', 'c1'],
            replication: { mode: 'async' },
          },
        ],
      }),
    });
    expect(runOf(derive(plan, 'failback', 'db', { from: 'c' })).steps[0]?.args).toMatchObject({
      replicaOf: 'c1',
    });
    expect(codes(derive(plan, 'failback', 'db', { from: 'a' }).diagnostics)).toEqual([
      'LB_E_RUNBOOK_SAME_SITE',
    ]);
  });

  it('a blue-green service has no switchover or failback: that is bluegreen', () => {
    const plan = labPlan({
      car: {
        tier: 'high',
        strategy: 'blue-green',
        placement: { active: ['a1'], standby: ['a2'] },
      },
    });
    for (const kind of ['switchover', 'failback'])
      expect(codes(derive(plan, kind, 'car').diagnostics)).toEqual(['LB_E_RUNBOOK_KIND_MISMATCH']);
  });
});
