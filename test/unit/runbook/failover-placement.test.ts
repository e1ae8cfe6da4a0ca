// Where a failover goes (--from, --to, which node holds which copy), and when it cannot: problems
// are coded diagnostics, never throws; a run that cannot be derived has no steps and says why,
// where in the plan.
import { describe, expect, it } from 'vitest';
import { codes, derive, ids, labPlan, pgPair, runOf, shape } from './lab-plan.js';

describe('where a failover goes', () => {
  it('--from and --to choose the sites: a third site with its own replica', () => {
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
        traffic: [],
      }),
    });
    const run = runOf(derive(plan, 'failover', 'db', { to: 'c' }));
    expect(ids(run.steps)).toEqual([
      'db/fence/a1',
      'db/check-ready/c1',
      'db/promote/c1',
      'db/verify/db',
    ]);
    expect(run.params).toEqual({ to: 'c' });
  });

  it('a data set listing no node is taken to run on the service nodes', () => {
    const plan = labPlan({
      db: pgPair({ data: [{ name: 'db', kind: 'postgres', replication: { mode: 'sync' } }] }),
    });
    expect(shape(runOf(derive(plan, 'failover', 'db')).steps).slice(0, 3)).toEqual([
      'fence postgres.fence a1',
      'check-ready engine.check-ready b1',
      'promote postgres.promote b1',
    ]);
  });
});

describe('failover problems are coded diagnostics, never throws', () => {
  it('no standby: LB_E_RUNBOOK_NO_STANDBY, and no run', () => {
    const d = derive(labPlan({ db: pgPair({ placement: { active: ['a1'] } }) }), 'failover', 'db');
    expect(d.run).toBeUndefined();
    expect(codes(d.diagnostics)).toEqual(['LB_E_RUNBOOK_NO_STANDBY']);
    expect(d.diagnostics[0]?.path).toEqual(['services', 'db', 'placement']);
  });

  it('a database with no copy on the destination site: LB_E_RUNBOOK_NO_REPLICA', () => {
    const plan = labPlan({
      db: pgPair({
        data: [
          {
            name: 'db',
            kind: 'postgres',
            source: 'a1',
            targets: ['a2'],
            replication: { mode: 'async' },
          },
        ],
      }),
    });
    const d = derive(plan, 'failover', 'db');
    expect(d.run).toBeUndefined();
    expect(codes(d.diagnostics)).toEqual(['LB_E_RUNBOOK_NO_REPLICA']);
    expect(d.diagnostics[0]?.path).toEqual(['services', 'db', 'data', 0]);
  });

  it('traffic that cannot point at the standby: LB_E_RUNBOOK_TRAFFIC_UNMAPPED', () => {
    const plan = labPlan({
      db: pgPair({ traffic: [{ kind: 'haproxy', backend: 'db', servers: { a1: 'one' } }] }),
    });
    const d = derive(plan, 'failover', 'db');
    expect(codes(d.diagnostics)).toEqual(['LB_E_RUNBOOK_TRAFFIC_UNMAPPED']);
    expect(d.diagnostics[0]?.message).toContain('b1 is not in its `servers`');
  });

  it('a DNS record with no value for the standby and a standby without address', () => {
    const plan = labPlan(
      { db: pgPair() },
      { nodes: { a1: { site: 'a', address: '192.0.2.1' }, b1: { site: 'b' } } },
    );
    const d = derive(plan, 'failover', 'db');
    expect(codes(d.diagnostics)).toEqual(['LB_E_RUNBOOK_TRAFFIC_UNMAPPED']);
    const withValue = labPlan(
      {
        db: pgPair({
          traffic: [
            {
              kind: 'dns',
              record: 'db.example.org',
              zone: 'example.org',
              ttl: '1m',
              values: { b: 'db-b.example.org' },
            },
          ],
        }),
      },
      { nodes: { a1: { site: 'a', address: '192.0.2.1' }, b1: { site: 'b' } } },
    );
    expect(derive(withValue, 'failover', 'db').run).toBeDefined();
  });

  it('no probe: the verify is manual, with a warning that stays in the run', () => {
    const run = runOf(derive(labPlan({ db: pgPair({ health: [] }) }), 'failover', 'db'));
    expect(run.steps.at(-1)).toMatchObject({ kind: 'verify', action: 'manual', readOnly: true });
    expect(codes(run.warnings)).toEqual(['LB_E_RUNBOOK_NO_PROBES']);
  });

  it('an unknown site, the same site twice, a site where the service has no node', () => {
    const plan = labPlan({ db: pgPair() });
    expect(codes(derive(plan, 'failover', 'db', { to: 'mars' }).diagnostics)).toEqual([
      'LB_E_RUNBOOK_UNKNOWN_SITE',
    ]);
    expect(codes(derive(plan, 'failover', 'db', { from: 'b', to: 'b' }).diagnostics)).toEqual([
      'LB_E_RUNBOOK_SAME_SITE',
    ]);
    expect(codes(derive(plan, 'failover', 'db', { from: 'c' }).diagnostics)).toEqual([
      'LB_E_RUNBOOK_NOT_ON_SITE',
    ]);
    expect(codes(derive(plan, 'failover', 'db', { to: 'a' }).diagnostics)).toEqual([
      'LB_E_RUNBOOK_SAME_SITE',
    ]);
  });

  it('a strategy without failover, named alone: LB_E_RUNBOOK_KIND_MISMATCH', () => {
    const plan = labPlan({
      www: { tier: 'low', strategy: 'redeploy', placement: { active: ['a1'] } },
    });
    const d = derive(plan, 'failover', 'www');
    expect(codes(d.diagnostics)).toEqual(['LB_E_RUNBOOK_KIND_MISMATCH']);
    expect(d.run).toBeUndefined();
  });
});
