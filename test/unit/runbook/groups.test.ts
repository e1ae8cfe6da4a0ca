// Runs over several services (`all`, a tier, a site, a comma list) in dependency order, custom
// steps around derived ones, and determinism: the same plan gives the same steps and ids.
import { describe, expect, it } from 'vitest';
import { codes, derive, ids, labPlan, pgPair, runOf } from './lab-plan.js';

const estate = () =>
  labPlan({
    db: pgPair(),
    api: pgPair({
      dependsOn: ['db'],
      data: [],
      traffic: [{ kind: 'dns', record: 'api.example.org', zone: 'example.org', ttl: '1m' }],
      health: [{ kind: 'http', name: 'api', url: 'https://api.example.org/' }],
    }),
    web: pgPair({
      tier: 'low',
      dependsOn: ['api'],
      data: [],
      traffic: [{ kind: 'dns', record: 'www.example.org', zone: 'example.org', ttl: '1m' }],
      health: [{ kind: 'http', name: 'web', url: 'https://www.example.org/' }],
    }),
    cache: pgPair({
      data: [],
      traffic: [{ kind: 'dns', record: 'cache.example.org', zone: 'example.org', ttl: '1m' }],
      health: [{ kind: 'http', name: 'cache', url: 'https://cache.example.org/' }],
    }),
    builder: { tier: 'low', strategy: 'redeploy', placement: { active: ['a2'] } },
    offsite: pgPair({ placement: { active: ['b2'], standby: ['a3'] }, data: [], traffic: [] }),
  });

describe('groups', () => {
  it('`all`: dependencies first, in waves; services without a failover are left out with a warning', () => {
    const run = runOf(derive(estate(), 'failover', 'all'));
    expect(run.waves).toEqual([['cache', 'db', 'offsite'], ['api'], ['web']]);
    expect(run.services).toEqual(['cache', 'db', 'offsite', 'api', 'web']);
    expect(codes(run.warnings)).toEqual(['LB_E_RUNBOOK_SERVICE_SKIPPED']);
    expect(run.warnings[0]?.message).toContain('`builder`');
  });

  it('steps of one wave never wait for each other; a dependent waits for its dependency’s last step', () => {
    const run = runOf(derive(estate(), 'failover', 'all'));
    const first = (s: string) => run.steps.find((x) => x.service === s);
    expect(first('cache')?.needs).toEqual([]);
    expect(first('db')?.needs).toEqual([]);
    expect(first('offsite')?.needs).toEqual([]);
    expect(first('api')?.needs).toEqual(['db/verify/db']);
    expect(first('web')?.needs).toEqual(['api/verify/api']);
    for (const s of run.steps)
      for (const n of s.needs) {
        const other = run.steps.find((x) => x.id === n);
        expect(other, n).toBeDefined();
        if (other?.service !== s.service) expect(['api', 'web']).toContain(s.service);
      }
  });

  it('a tier, a site (left by default), a comma list, unknown names', () => {
    const plan = estate();
    expect(runOf(derive(plan, 'failover', 'low')).services).toEqual(['web']);
    const site = runOf(derive(plan, 'failover', 'b'));
    expect(site.services).toEqual(['offsite']);
    expect(site.steps.at(-1)?.args).toMatchObject({ site: 'a' });
    expect(runOf(derive(plan, 'failover', 'web, db')).services).toEqual(['db', 'web']);
    const bad = derive(plan, 'failover', 'db,nope');
    expect(bad.run).toBeUndefined();
    expect(codes(bad.diagnostics)).toEqual(['LB_E_RUNBOOK_UNKNOWN_SERVICE']);
    expect(codes(derive(plan, 'failover', undefined).diagnostics)).toEqual([
      'LB_E_RUNBOOK_NO_TARGET',
    ]);
    expect(codes(derive(plan, 'failover', ' , ').diagnostics)).toEqual(['LB_E_RUNBOOK_NO_TARGET']);
  });

  it('a dependency outside the selection is looked through: web waits for db via api', () => {
    const run = runOf(derive(estate(), 'failover', 'db,web'));
    expect(run.waves).toEqual([['db'], ['web']]);
    expect(run.steps.find((s) => s.service === 'web')?.needs).toEqual(['db/verify/db']);
  });

  it('a group with nothing that fits: LB_E_RUNBOOK_NOTHING_TO_RUN', () => {
    expect(codes(derive(estate(), 'bluegreen', 'all').diagnostics)).toContain(
      'LB_E_RUNBOOK_NOTHING_TO_RUN',
    );
  });

  it('services caught in a dependency cycle: LB_E_RUNBOOK_DEPENDENCY_CYCLE', () => {
    const plan = labPlan({
      x: pgPair({ dependsOn: ['y'], data: [] }),
      y: pgPair({ dependsOn: ['x'], data: [] }),
    });
    const d = derive(plan, 'failover', 'all');
    expect(d.run).toBeUndefined();
    expect(codes(d.diagnostics)).toEqual([
      'LB_E_RUNBOOK_DEPENDENCY_CYCLE',
      'LB_E_RUNBOOK_DEPENDENCY_CYCLE',
    ]);
  });

  it('a soft dependency (with a fallback) does not order anything', () => {
    const plan = labPlan({
      db: pgPair(),
      api: pgPair({ data: [], dependsOn: [{ service: 'db', fallback: 'read-only mode' }] }),
    });
    expect(runOf(derive(plan, 'failover', 'all')).waves).toEqual([['api', 'db']]);
  });
});

describe('custom steps', () => {
  const plan = labPlan(
    {
      db: pgPair({
        data: [
          {
            name: 'a',
            kind: 'postgres',
            source: 'a1',
            targets: ['b1'],
            replication: { mode: 'async' },
          },
          {
            name: 'b',
            kind: 'postgres',
            source: 'a1',
            targets: ['b1'],
            replication: { mode: 'async' },
          },
        ],
        steps: {
          before: {
            promote: [
              { id: 'approve', action: 'manual', approval: { role: 'ops' }, estimate: '15m' },
            ],
            detect: [{ id: 'page', action: 'manual' }],
          },
          after: {
            promote: [{ id: 'repoint', action: 'ansible.playbook', args: { playbook: 'r.yml' } }],
            'switch-traffic': [{ id: 'announce', action: 'manual', needs: ['promote'] }],
            upgrade: [{ id: 'never', action: 'manual' }],
          },
        },
      }),
    },
    { roles: { ops: { members: ['x', 'y'] } } },
  );
  const run = runOf(derive(plan, 'failover', 'db'));

  it('go before the first and after the last step of their anchor', () => {
    expect(ids(run.steps)).toEqual([
      'db/fence/a1',
      'db/check-ready/b1',
      'db/approve',
      'db/promote/b1/a',
      'db/promote/b1/b',
      'db/repoint',
      'db/switch-traffic/db.example.org',
      'db/announce',
      'db/verify/db',
    ]);
  });

  it('keep what the plan says; `needs` naming a derived step waits for all steps of it', () => {
    expect(run.steps[2]).toMatchObject({
      kind: 'custom',
      approval: { role: 'ops', when: 'always' },
      estimateMs: 900_000,
      origin: { path: ['services', 'db', 'steps', 'before', 'promote', 0], stepId: 'approve' },
    });
    expect(run.steps[7]?.needs).toEqual(['db/promote/b1/a', 'db/promote/b1/b']);
  });

  it('anchored to steps the run does not have: left out, with an info', () => {
    expect(run.warnings.map((w) => [w.code, w.severity])).toEqual([
      ['LB_E_RUNBOOK_CUSTOM_SKIPPED', 'info'],
    ]);
    expect(run.warnings[0]?.message).toContain('page (before detect), never (after upgrade)');
  });
});

describe('determinism', () => {
  it('the same plan gives identical runs; ids are unique', () => {
    const a = derive(estate(), 'failover', 'all');
    const b = derive(estate(), 'failover', 'all');
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    const all = ids(runOf(a).steps);
    expect(new Set(all).size).toBe(all.length);
  });

  it('key order in the plan changes neither the steps nor the hash', () => {
    // Every object's keys reversed, at every level: the same plan written in another order.
    const reverse = (v: unknown): unknown =>
      Array.isArray(v)
        ? v.map(reverse)
        : v !== null && typeof v === 'object'
          ? Object.fromEntries(
              Object.entries(v)
                .reverse()
                .map(([k, x]) => [k, reverse(x)]),
            )
          : v;
    const plan = estate();
    const shuffled = reverse(plan) as typeof plan;
    expect(Object.keys(shuffled)).not.toEqual(Object.keys(plan));
    const a = runOf(derive(plan, 'switchover', 'db'));
    const b = runOf(derive(shuffled, 'switchover', 'db'));
    expect(b.planHash).toBe(a.planHash);
    expect(b.steps).toEqual(a.steps);
  });

  it('any change to the plan changes the hash', () => {
    const plan = estate();
    const changed = { ...plan, description: 'edited' };
    expect(runOf(derive(changed, 'failover', 'db')).planHash).not.toBe(
      runOf(derive(plan, 'failover', 'db')).planHash,
    );
  });
});
