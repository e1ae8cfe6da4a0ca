// Failover: given a two-site lab, when site a is lost, the run fences what may still write,
// checks the standby, promotes it (the point of no return), moves the traffic and verifies.
import { describe, expect, it } from 'vitest';
import { derive, H, ids, labPlan, M, pgPair, runOf, S, shape, step } from './lab-plan.js';

describe('failover of an active-passive PostgreSQL pair', () => {
  const run = runOf(derive(labPlan({ db: pgPair() }), 'failover', 'db'));

  it('fences a1, checks b1, promotes it, points the record at b1, verifies', () => {
    expect(shape(run.steps)).toEqual([
      'fence postgres.fence a1',
      'check-ready engine.check-ready b1',
      'promote postgres.promote b1',
      'switch-traffic dns.switch db.example.org',
      'verify probe.verify db',
    ]);
    expect(ids(run.steps)).toEqual([
      'db/fence/a1',
      'db/check-ready/b1',
      'db/promote/b1',
      'db/switch-traffic/db.example.org',
      'db/verify/db',
    ]);
    expect(run).toMatchObject({ runbook: 'failover', kind: 'failover', services: ['db'] });
    expect(run.waves).toEqual([['db']]);
  });

  it('fences by stopping, and asks for an approval only when a1 cannot be reached', () => {
    const fence = step(run, 'db/fence/a1');
    expect(fence.args).toEqual({ dataSet: 'db', mode: 'stop', onUnreachable: 'require-approval' });
    expect(fence.approval).toMatchObject({ when: 'on-unreachable', distinctFromRequester: true });
    expect(fence.approval?.role).toBeUndefined();
    expect(fence.undo).toEqual({
      action: 'postgres.unfence',
      target: 'a1',
      args: { dataSet: 'db' },
      description: expect.stringContaining('a1'),
    });
  });

  it("checks the replica against the tier's RPO, unless data loss is accepted", () => {
    expect(step(run, 'db/check-ready/b1').args).toEqual({
      site: 'b',
      dataSets: ['db'],
      maxLagMs: H,
    });
    const accepting = runOf(
      derive(labPlan({ db: pgPair() }), 'failover', 'db', { acceptDataLoss: true }),
    );
    expect(step(accepting, 'db/check-ready/b1').args).toMatchObject({ acceptDataLoss: true });
    expect(step(accepting, 'db/check-ready/b1').description).toContain('--accept-data-loss');
  });

  it('makes the promotion the point of no return: undo before it, none from it on', () => {
    expect(run.steps.map((s) => s.pointOfNoReturn)).toEqual([false, false, true, false, false]);
    expect(run.steps.map((s) => s.undo !== undefined)).toEqual([true, false, false, false, false]);
  });

  it('chains the steps: each waits for the previous one', () => {
    expect(run.steps.map((s) => s.needs)).toEqual([
      [],
      ['db/fence/a1'],
      ['db/check-ready/b1'],
      ['db/promote/b1'],
      ['db/switch-traffic/db.example.org'],
    ]);
  });

  it('takes estimates from the default table, TTL in the args, readOnly on checks', () => {
    expect(run.steps.map((s) => [s.estimateMs, s.estimateSource])).toEqual([
      [M, 'default'],
      [30 * S, 'default'],
      [M, 'default'],
      [M, 'default'],
      [2 * M, 'default'],
    ]);
    expect(step(run, 'db/switch-traffic/db.example.org').args).toEqual({
      traffic: 0,
      zone: 'example.org',
      type: 'A',
      destination: 'b1',
      ttlMs: M,
    });
    expect(run.steps.filter((s) => s.readOnly).map((s) => s.kind)).toEqual([
      'check-ready',
      'verify',
    ]);
    expect(step(run, 'db/verify/db').args).toEqual({ probes: ['select-one'], site: 'b' });
  });

  it('never puts a secret in the args: the password stays a reference in the plan', () => {
    expect(JSON.stringify(run.steps)).not.toContain('PG_PASSWORD');
  });
});

describe('failover variants', () => {
  it('a MariaDB pair with a manual DNS record: the switch is a manual step of 15 minutes', () => {
    const plan = labPlan({
      db: pgPair({
        data: [
          {
            name: 'dlrn',
            kind: 'mariadb',
            source: 'a1',
            targets: ['b1'],
            replication: { mode: 'async' },
          },
        ],
        traffic: [
          {
            kind: 'dns',
            record: 'db.example.org',
            zone: 'example.org',
            ttl: '5m',
            provider: 'manual',
          },
        ],
      }),
    });
    const run = runOf(derive(plan, 'failover', 'db'));
    expect(shape(run.steps)).toEqual([
      'fence mariadb.fence a1',
      'check-ready engine.check-ready b1',
      'promote mariadb.promote b1',
      'switch-traffic manual db.example.org',
      'verify probe.verify db',
    ]);
    expect(run.steps[3]?.estimateMs).toBe(15 * M);
  });

  it('HAProxy and a keepalived VIP are switched to the standby, with an undo before the promotion point', () => {
    const plan = labPlan({
      app: {
        tier: 'high',
        strategy: 'active-passive',
        placement: { active: ['a1'], standby: ['b1'] },
        traffic: [
          { kind: 'haproxy', backend: 'app', servers: { a1: 'green', b1: 'blue' } },
          { kind: 'vip', address: '10.0.0.5/24', routerId: 5, instance: 'VI_1' },
        ],
        health: [{ kind: 'tcp', name: 'port', host: 'app.example.org', port: 443 }],
      },
    });
    const run = runOf(derive(plan, 'failover', 'app'));
    // Stateless: nothing to fence, nothing to check, no point of no return.
    expect(shape(run.steps)).toEqual([
      'switch-traffic haproxy.switch app',
      'switch-traffic keepalived.switch 10.0.0.5/24',
      'verify probe.verify app',
    ]);
    expect(run.steps[0]?.args).toEqual({ traffic: 0, destination: 'b1', server: 'blue' });
    expect(run.steps[0]?.undo?.args).toEqual({ traffic: 0, destination: 'a1', server: 'green' });
    expect(run.steps[1]?.args).toEqual({ traffic: 1, destination: 'b1', routerId: 5 });
    expect(run.steps.some((s) => s.pointOfNoReturn)).toBe(false);
  });

  it('files mirrored to the standby are checked for freshness, not promoted', () => {
    const plan = labPlan({
      web: {
        tier: 'low',
        strategy: 'active-passive',
        placement: { active: ['a1'], standby: ['b1'] },
        data: [
          {
            name: 'site',
            kind: 'files',
            source: 'a1',
            targets: ['b1'],
            replication: { mode: 'periodic', interval: '1h' },
            path: '/srv/www',
          },
        ],
        health: [{ kind: 'http', name: 'home', url: 'https://www.example.org/' }],
      },
    });
    const run = runOf(derive(plan, 'failover', 'web'));
    expect(shape(run.steps)).toEqual([
      'check-ready engine.check-ready b1',
      'verify probe.verify web',
    ]);
    expect(run.steps[0]?.args).toMatchObject({ dataSets: ['site'], maxLagMs: 24 * H });
  });

  it('a database copied by periodic dumps is loaded by hand instead of promoted, and that is the point of no return', () => {
    const plan = labPlan({
      db: pgPair({
        data: [
          {
            name: 'db',
            kind: 'mariadb',
            source: 'a1',
            targets: ['b1'],
            replication: { mode: 'periodic', interval: '1h' },
            restoreDuration: '20m',
          },
        ],
      }),
    });
    const run = runOf(derive(plan, 'failover', 'db'));
    expect(shape(run.steps)).toEqual([
      'fence mariadb.fence a1',
      'check-ready engine.check-ready b1',
      'restore manual b1',
      'switch-traffic dns.switch db.example.org',
      'verify probe.verify db',
    ]);
    expect(run.steps[2]).toMatchObject({
      pointOfNoReturn: true,
      estimateMs: 20 * M,
      estimateSource: 'plan',
    });
  });

  it('two databases on one server: one fence, two promotions told apart by the data set', () => {
    const plan = labPlan({
      db: pgPair({
        data: [
          {
            name: 'one',
            kind: 'postgres',
            source: 'a1',
            targets: ['b1'],
            replication: { mode: 'async' },
          },
          {
            name: 'two',
            kind: 'postgres',
            source: 'a1',
            targets: ['b1'],
            replication: { mode: 'sync' },
          },
        ],
      }),
    });
    const run = runOf(derive(plan, 'failover', 'db'));
    expect(ids(run.steps)).toEqual([
      'db/fence/a1',
      'db/check-ready/b1',
      'db/promote/b1/one',
      'db/promote/b1/two',
      'db/switch-traffic/db.example.org',
      'db/verify/db',
    ]);
    expect(run.steps.filter((s) => s.pointOfNoReturn).map((s) => s.id)).toEqual([
      'db/promote/b1/one',
    ]);
  });

  it('a pilot light is started after the fence and before the check', () => {
    const plan = labPlan({ db: pgPair({ strategy: 'pilot-light' }) });
    expect(shape(runOf(derive(plan, 'failover', 'db')).steps).slice(0, 3)).toEqual([
      'fence postgres.fence a1',
      'provision manual b1',
      'check-ready engine.check-ready b1',
    ]);
  });

  it('a blue-green service fails over to its idle colour on the same site', () => {
    const plan = labPlan({
      car: {
        tier: 'high',
        strategy: 'blue-green',
        placement: { active: ['a1'], standby: ['a2'] },
        traffic: [{ kind: 'haproxy', backend: 'car', servers: { a1: 'green', a2: 'blue' } }],
        health: [{ kind: 'http', name: 'status', url: 'https://car.example.org/' }],
      },
    });
    const run = runOf(derive(plan, 'failover', 'car'));
    expect(shape(run.steps)).toEqual([
      'switch-traffic haproxy.switch car',
      'verify probe.verify car',
    ]);
    expect(run.steps[0]?.args).toMatchObject({ destination: 'a2', server: 'blue' });
  });
});
