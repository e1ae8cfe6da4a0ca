// Redeploy (rebuild from scratch, put the data back, switch, verify), the rollback of a
// migration (its rollback runbook, valid only before the forward runbook's point of no return),
// and explicit runbooks run as written.
import { describe, expect, it } from 'vitest';
import { codes, derive, H, ids, labPlan, M, runOf, S, shape } from './lab-plan.js';

const review = (over: object = {}) => ({
  tier: 'low',
  strategy: 'backup-restore' as const,
  placement: { active: ['a1'], standby: ['b1'] },
  data: [
    {
      name: 'backup',
      kind: 'backup' as const,
      source: 'a1',
      targets: ['b1'],
      path: '/var/backup',
      replication: { mode: 'periodic' as const, interval: '1d' },
      restoreDuration: '3h',
    },
    {
      name: 'blobs',
      kind: 'files' as const,
      source: 'a1',
      targets: ['a2'],
      path: '/srv/blobs',
      replication: { mode: 'periodic' as const, interval: '1h' },
      size: '25GiB',
    },
    {
      name: 'db',
      kind: 'postgres' as const,
      storage: 's3://backups/db',
      replication: { mode: 'periodic' as const, interval: '1d' },
    },
  ],
  traffic: [{ kind: 'dns' as const, record: 'review.example.org', zone: 'example.org', ttl: '5m' }],
  health: [{ kind: 'http' as const, name: 'gerrit', url: 'https://review.example.org/' }],
  redeploy: { playbook: 'sf/restore.yaml', inventory: 'inv', limit: 'b1', duration: '4h' },
  ...over,
});

describe('redeploy', () => {
  it('in place by default: onto the playbook limit node, data put back, switch, verify', () => {
    const run = runOf(derive(labPlan({ review: review() }), 'redeploy', 'review'));
    expect(shape(run.steps)).toEqual([
      'redeploy ansible.playbook b1',
      'restore manual review/backup',
      'restore rsync.sync review/blobs',
      'restore manual review/db',
      'switch-traffic dns.switch review.example.org',
      'verify probe.verify review',
    ]);
    expect(run.steps[0]).toMatchObject({
      args: { playbook: 'sf/restore.yaml', inventory: 'inv', limit: 'b1' },
      estimateMs: 4 * H,
      estimateSource: 'plan',
    });
    // The backup is already on b1; the blobs are pulled from a2; the database comes from S3.
    expect(run.steps[1]?.args).toEqual({ dataSet: 'backup', from: 'b1', to: 'b1' });
    expect(run.steps[2]?.args).toEqual({ dataSet: 'blobs', from: 'a2', to: 'b1' });
    expect(run.steps[2]).toMatchObject({ estimateMs: 1024 * S, estimateSource: 'default' });
    expect(run.steps[3]).toMatchObject({
      args: { dataSet: 'db', from: 's3://backups/db', to: 'b1' },
      estimateSource: 'unknown',
    });
    expect(run.steps.some((s) => s.pointOfNoReturn)).toBe(false);
    expect(run.steps[4]?.undo?.args).toMatchObject({ destination: 'a1' });
  });

  it('--from a lost site: onto the first node elsewhere, copies on the lost site not used', () => {
    const plan = labPlan({ review: review({ redeploy: { playbook: 'x.yml', duration: '1h' } }) });
    const run = runOf(derive(plan, 'redeploy', 'review', { from: 'a' }));
    expect(run.steps[0]?.target).toBe('b1');
    // blobs' only copies are a1 and a2, both lost: restored by hand from wherever it can be.
    expect(run.steps[2]).toMatchObject({ action: 'manual', args: { from: 'its backup' } });
  });

  it('onto machines the plan does not name: a manual switch and a warning', () => {
    const plan = labPlan({
      www: {
        tier: 'low',
        strategy: 'redeploy',
        placement: { active: ['a1'] },
        traffic: [{ kind: 'dns', record: 'www.example.org', zone: 'example.org', ttl: '5m' }],
        redeploy: { playbook: 'www.yml', duration: '1h' },
      },
    });
    const run = runOf(derive(plan, 'redeploy', 'www', { from: 'a' }));
    expect(shape(run.steps)).toEqual([
      'redeploy ansible.playbook www',
      'switch-traffic manual www.example.org',
      'verify manual www',
    ]);
    expect(run.steps[1]?.estimateMs).toBe(15 * M);
    expect(codes(run.warnings)).toEqual(['LB_E_RUNBOOK_NO_DESTINATION', 'LB_E_RUNBOOK_NO_PROBES']);
  });

  it('without a playbook: LB_E_RUNBOOK_KIND_MISMATCH when named, skipped in a group', () => {
    const plan = labPlan({
      a: { tier: 'low', strategy: 'redeploy', placement: { active: ['a1'] } },
      b: {
        tier: 'low',
        strategy: 'redeploy',
        placement: { active: ['a2'] },
        redeploy: { playbook: 'b.yml', duration: '1h' },
      },
    });
    expect(codes(derive(plan, 'redeploy', 'a').diagnostics)).toEqual([
      'LB_E_RUNBOOK_KIND_MISMATCH',
    ]);
    const run = runOf(derive(plan, 'redeploy', 'all'));
    expect(run.services).toEqual(['b']);
    expect(codes(run.warnings)).toEqual(['LB_E_RUNBOOK_SERVICE_SKIPPED', 'LB_E_RUNBOOK_NO_PROBES']);
  });
});

const migration = {
  control: {
    tier: 'high',
    strategy: 'migration' as const,
    placement: { active: ['a1'], standby: ['a2'] },
    migration: { runbook: 'adopt', rollback: 'back' },
  },
};
const runbooks = {
  adopt: {
    kind: 'migration' as const,
    service: 'control',
    steps: [
      { id: 'copy', action: 'command.run', target: 'a2', undo: { action: 'manual' } },
      { id: 'touch-computes', action: 'command.run', target: 'a2', pointOfNoReturn: true },
    ],
  },
  back: {
    kind: 'rollback' as const,
    service: 'control',
    steps: [
      { id: 'decide', action: 'manual', estimate: '15m', approval: { role: 'ops' } },
      { id: 'delete-new', action: 'command.run', target: 'a2', args: { argv: ['oc', 'delete'] } },
      {
        id: 'start-old',
        action: 'command.run',
        target: 'a1',
        needs: ['decide'],
        retries: 2,
        timeout: '10m',
      },
    ],
  },
};

describe('rollback of a migration', () => {
  const plan = labPlan(migration, { runbooks, roles: { ops: { members: ['x', 'y'] } } });

  it('runs the rollback runbook as written, guarded by the forward point of no return', () => {
    const run = runOf(derive(plan, 'rollback', 'control'));
    expect(ids(run.steps)).toEqual(['control/decide', 'control/delete-new', 'control/start-old']);
    expect(run.kind).toBe('rollback');
    expect(run.guards).toEqual([
      {
        kind: 'before-point-of-no-return',
        service: 'control',
        runbook: 'adopt',
        step: 'touch-computes',
      },
    ]);
    expect(run.steps[0]).toMatchObject({
      kind: 'custom',
      action: 'manual',
      target: 'control',
      estimateMs: 15 * M,
      approval: { when: 'always', role: 'ops', distinctFromRequester: true },
      origin: { path: ['runbooks', 'back', 'steps', 0], stepId: 'decide' },
    });
    expect(run.steps[1]).toMatchObject({
      args: { argv: ['oc', 'delete'] },
      estimateSource: 'unknown',
    });
    // `needs` as written: start-old waits for the decision only.
    expect(run.steps[2]).toMatchObject({
      needs: ['control/decide'],
      retries: 2,
      timeoutMs: 10 * M,
    });
  });

  it('the same runbook run by name carries the same guard', () => {
    expect(runOf(derive(plan, 'back')).guards).toHaveLength(1);
  });

  it('a forward runbook without a point of no return: a warning, no guard', () => {
    const loose = labPlan(migration, {
      runbooks: {
        ...runbooks,
        adopt: { ...runbooks.adopt, steps: [runbooks.adopt.steps[0] as never] },
      },
    });
    const run = runOf(derive(loose, 'rollback', 'control'));
    expect(run.guards).toEqual([]);
    expect(codes(run.warnings)).toEqual(['LB_E_RUNBOOK_NO_FORWARD_PNR']);
  });

  it('a service without a rollback: KIND_MISMATCH when named', () => {
    const p = labPlan({ x: { tier: 'low', strategy: 'redeploy', placement: { active: ['a1'] } } });
    expect(codes(derive(p, 'rollback', 'x').diagnostics)).toEqual(['LB_E_RUNBOOK_KIND_MISMATCH']);
  });
});

describe('explicit runbooks', () => {
  const plan = labPlan(migration, { runbooks, roles: { ops: { members: ['x', 'y'] } } });

  it('run by name, for their own service, with --from and --to ignored', () => {
    const run = runOf(derive(plan, 'adopt', undefined, { from: 'a' }));
    expect(run).toMatchObject({ runbook: 'adopt', kind: 'migration', services: ['control'] });
    expect(run.steps.map((s) => [s.id, s.pointOfNoReturn, s.undo?.action])).toEqual([
      ['control/copy', false, 'manual'],
      ['control/touch-computes', true, undefined],
    ]);
    expect(codes(run.warnings)).toEqual(['LB_E_RUNBOOK_PARAM_IGNORED']);
  });

  it('for another service, or under an unknown name: coded errors', () => {
    expect(codes(derive(plan, 'adopt', 'other').diagnostics)).toEqual([
      'LB_E_RUNBOOK_SERVICE_MISMATCH',
    ]);
    const unknown = derive(plan, 'adoptt', 'control');
    expect(codes(unknown.diagnostics)).toEqual(['LB_E_RUNBOOK_UNKNOWN_RUNBOOK']);
    expect(unknown.diagnostics[0]?.hint).toContain('`adopt`');
  });

  it('a step that needs a step the run does not have: LB_E_RUNBOOK_UNREACHABLE_STEP', () => {
    const p = labPlan(migration, {
      runbooks: {
        ...runbooks,
        adopt: {
          kind: 'migration',
          service: 'control',
          steps: [{ id: 'x', action: 'manual', needs: ['nope'] }],
        },
      },
    });
    const d = derive(p, 'adopt');
    expect(codes(d.diagnostics)).toEqual(['LB_E_RUNBOOK_UNREACHABLE_STEP']);
    expect(d.diagnostics[0]?.path).toEqual(['runbooks', 'adopt', 'steps', 0, 'needs', 0]);
  });

  it('a runbook named like a derived kind is shadowed: the kind is derived', () => {
    const p = labPlan(
      {
        db: {
          tier: 'high',
          strategy: 'active-passive',
          placement: { active: ['a1'], standby: ['b1'] },
        },
      },
      { runbooks: { failover: { steps: [{ id: 'x', action: 'manual' }] } } },
    );
    const run = runOf(derive(p, 'failover', 'db'));
    expect(run.kind).toBe('failover');
    expect(codes(run.warnings)).toContain('LB_E_RUNBOOK_SHADOWED');
  });
});
