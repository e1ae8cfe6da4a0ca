// Blue/green behind a load balancer that can refuse writes (seed 003): given green live and blue
// idle, when the operator upgrades, reads never stop, writes are refused from read-only until
// the confirm, and every step before the confirm can be undone by switching back to green.
import { describe, expect, it } from 'vitest';
import { codes, derive, H, labPlan, M, runOf, shape } from './lab-plan.js';

const car = (over: object = {}) => ({
  tier: 'high',
  strategy: 'blue-green' as const,
  placement: { active: ['a1'], standby: ['a2'] },
  data: [
    {
      name: 'nexus-db',
      kind: 'backup' as const,
      source: 'a1',
      targets: ['a2'],
      path: '/opt/nexus/backup',
      replication: { mode: 'periodic' as const, interval: '1h' },
      restoreDuration: '30m',
    },
  ],
  traffic: [
    {
      kind: 'haproxy' as const,
      backend: 'car',
      servers: { a1: 'green', a2: 'blue' },
      readOnlyMap: '/etc/haproxy/maps/read-only.map',
    },
  ],
  health: [{ kind: 'http' as const, name: 'status', url: 'https://car.example.org/status' }],
  upgrade: { playbook: 'nexus-upgrade.yml', inventory: 'inventory/aws', duration: '1h' },
  ...over,
});

describe('bluegreen of a Nexus pair', () => {
  const run = runOf(derive(labPlan({ car: car() }), 'bluegreen', 'car'));

  it('read-only, seed, upgrade, test, switch, confirm, lift, verify', () => {
    expect(shape(run.steps)).toEqual([
      'read-only haproxy.read-only car',
      'restore rsync.sync car/nexus-db',
      'upgrade ansible.playbook a2',
      'test probe.verify car',
      'switch-traffic haproxy.switch car',
      'confirm engine.confirm car',
      'read-only haproxy.read-only car',
      'verify probe.verify car',
    ]);
  });

  it('limits the upgrade to the idle colour and tests the idle colour directly', () => {
    expect(run.steps[2]).toMatchObject({
      args: { playbook: 'nexus-upgrade.yml', inventory: 'inventory/aws', limit: 'a2' },
      estimateMs: H,
      estimateSource: 'plan',
    });
    expect(run.steps[3]?.args).toEqual({ probes: ['status'], nodes: ['a2'] });
    expect(run.steps[1]).toMatchObject({
      args: { dataSet: 'nexus-db', from: 'a1', to: 'a2' },
      estimateMs: 30 * M,
    });
  });

  it('makes the confirm an approval-gated point of no return; every earlier change has an undo', () => {
    const confirm = run.steps[5];
    expect(confirm).toMatchObject({
      pointOfNoReturn: true,
      readOnly: true,
      args: { live: ['a2'], rollbackTo: ['a1'] },
      approval: { when: 'always', distinctFromRequester: true },
    });
    const before = run.steps.slice(0, 5).filter((s) => !s.readOnly);
    expect(before.every((s) => s.undo !== undefined)).toBe(true);
    expect(run.steps[4]?.undo).toMatchObject({
      action: 'haproxy.switch',
      args: { destination: 'a1', server: 'green' },
    });
    expect(run.steps.slice(5).some((s) => s.undo)).toBe(false);
  });

  it('refuses writes from the first step until the lift right after the confirm', () => {
    expect(run.steps[0]?.args).toMatchObject({ readOnly: true });
    expect(run.steps[6]?.args).toMatchObject({ readOnly: false });
    expect(run.steps.findIndex((s) => s.kind === 'switch-traffic')).toBeLessThan(5);
  });
});

describe('bluegreen problems', () => {
  it('without an upgrade playbook: LB_E_RUNBOOK_NO_UPGRADE', () => {
    const d = derive(labPlan({ car: car({ upgrade: undefined }) }), 'bluegreen', 'car');
    expect(d.run).toBeUndefined();
    expect(codes(d.diagnostics)).toEqual(['LB_E_RUNBOOK_NO_UPGRADE']);
  });

  it('without an idle colour: LB_E_RUNBOOK_NO_STANDBY', () => {
    const d = derive(
      labPlan({ car: car({ placement: { active: ['a1'] }, data: [] }) }),
      'bluegreen',
      'car',
    );
    expect(codes(d.diagnostics)).toEqual(['LB_E_RUNBOOK_NO_STANDBY']);
  });

  it('colours streaming a database: LB_E_RUNBOOK_BLUEGREEN_STREAMED_DB', () => {
    const d = derive(
      labPlan({
        car: car({
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
      }),
      'bluegreen',
      'car',
    );
    expect(codes(d.diagnostics)).toEqual(['LB_E_RUNBOOK_BLUEGREEN_STREAMED_DB']);
  });

  it('no read-only map, a plan limit that is not the idle colour, --to given: warnings', () => {
    const plan = labPlan({
      car: car({
        traffic: [{ kind: 'haproxy', backend: 'car', servers: { a1: 'green', a2: 'blue' } }],
        upgrade: { playbook: 'up.yml', limit: 'a1', duration: '1h' },
      }),
    });
    const run = runOf(derive(plan, 'bluegreen', 'car', { to: 'b' }));
    expect(codes(run.warnings)).toEqual([
      'LB_E_RUNBOOK_PARAM_IGNORED',
      'LB_E_RUNBOOK_NO_READ_ONLY',
      'LB_E_RUNBOOK_LIMIT_REPLACED',
    ]);
    expect(run.steps.find((s) => s.kind === 'upgrade')?.args.limit).toBe('a2');
    expect(run.steps.some((s) => s.kind === 'read-only')).toBe(false);
  });

  it('an active-passive service has no bluegreen', () => {
    const plan = labPlan({
      db: { tier: 'high', strategy: 'active-passive', placement: { active: ['a1'] } },
    });
    expect(codes(derive(plan, 'bluegreen', 'db').diagnostics)).toEqual([
      'LB_E_RUNBOOK_KIND_MISMATCH',
    ]);
  });
});
