// The recovery time of a service: the path its strategy takes when the site it runs on is lost,
// step by step, with where each duration comes from.
import { describe, expect, it } from 'vitest';
import { buildIndex } from '../../../src/core/analysis/plan-index.js';
import { assessRto, rtoVerdict } from '../../../src/core/analysis/rto.js';
import type { Plan } from '../../../src/core/plan/index.js';
import { codes, estate, H, M, S, svc } from './estate.js';

const rto = (plan: Plan, name: string) => {
  const s = svc(plan, name);
  return assessRto(name, s, plan.tiers?.[s.tier]?.rto as number, buildIndex(plan));
};
const steps = (r: ReturnType<typeof rto>) => r.rtoPath.map((s) => `${s.step}:${s.ms}:${s.source}`);

const probe = { kind: 'http', name: 'web', url: 'https://db.example.org/' } as const;
const dns = {
  kind: 'dns',
  record: 'trunk.example.org',
  zone: 'example.org',
  ttl: '5m',
} as const;

describe('active-passive: a replica on the offsite cloud is promoted', () => {
  const plan = estate({
    'dlrn-db': {
      tier: 'high',
      strategy: 'active-passive',
      placement: { active: ['a1'], standby: ['f1'] },
      health: [probe],
      data: [
        { name: 'db', kind: 'mariadb', targets: ['f1'], replication: { mode: 'async' } },
        { name: 'repos', kind: 'files', targets: ['f1'], replication: { mode: 'sync' } },
      ],
      traffic: [dns],
    },
  });

  it('detects, fences, checks, promotes the database (files need nothing), switches DNS, waits out the TTL, verifies', () => {
    const r = rto(plan, 'dlrn-db');
    expect(steps(r)).toEqual([
      `detect:${32 * S}:probe`,
      `fence:${M}:default`,
      `check-ready:${30 * S}:default`,
      `promote:${M}:default`,
      `switch-traffic:${M}:default`,
      `switch-traffic:${5 * M}:ttl`,
      `verify:${2 * M}:default`,
    ]);
    expect(r.plannedRtoMs).toBe(11 * M + 2 * S);
    expect(r.rtoVerdict).toBe('ok');
    expect(r.scenario).toBe('site main lost');
    expect(r.findings).toEqual([]);
  });

  it("takes the service's own estimates over the defaults", () => {
    const p = estate({
      db: {
        tier: 'high',
        strategy: 'active-passive',
        placement: { active: ['a1'], standby: ['f1'] },
        data: [{ name: 'db', kind: 'postgres', targets: ['f1'], replication: { mode: 'sync' } }],
        traffic: [{ ...dns, provider: 'manual' }],
        estimates: { detect: '2m', promote: '10m' },
      },
    });
    const r = rto(p, 'db');
    expect(r.rtoPath.find((s) => s.step === 'detect')).toMatchObject({ ms: 2 * M, source: 'plan' });
    expect(r.rtoPath.find((s) => s.step === 'promote')).toMatchObject({
      ms: 10 * M,
      source: 'plan',
    });
    // A DNS record changed by hand in a provider console: 15 minutes, not one.
    expect(r.rtoPath.find((s) => s.step === 'switch-traffic')?.ms).toBe(15 * M);
  });

  it('counts the fastest probe: interval × failures + timeout', () => {
    const p = estate({
      db: {
        tier: 'high',
        strategy: 'active-passive',
        placement: { active: ['a1'], standby: ['f1'] },
        health: [
          { ...probe, interval: '1m', failures: 2 },
          { kind: 'tcp', name: 'port', host: 'db.example.org', port: 3306, interval: '5s' },
        ],
      },
    });
    expect(rto(p, 'db').rtoPath[0]).toMatchObject({ ms: 17 * S, source: 'probe' });
  });

  it('puts custom steps around their anchor: before the first promote, after the last TTL', () => {
    const p = estate({
      db: {
        tier: 'high',
        strategy: 'active-passive',
        placement: { active: ['a1'], standby: ['f1'] },
        traffic: [dns],
        data: [
          { name: 'a', kind: 'mariadb', targets: ['f1'], replication: { mode: 'async' } },
          { name: 'b', kind: 'mariadb', targets: ['f1'], replication: { mode: 'async' } },
        ],
        steps: {
          before: { promote: [{ id: 'approve', action: 'manual', estimate: '15m' }] },
          after: { 'switch-traffic': [{ id: 'repoint-dlrn', action: 'command.run' }] },
        },
      },
    });
    const r = rto(p, 'db');
    expect(r.rtoPath.map((s) => s.step)).toEqual([
      'detect',
      'fence',
      'check-ready',
      'approve',
      'promote',
      'promote',
      'switch-traffic',
      'switch-traffic',
      'repoint-dlrn',
      'verify',
    ]);
    // The custom step with no estimate counts 0 and says so.
    expect(r.rtoVerdict).toBe('unknown');
    expect(r.findings.map((f) => [f.code, f.path])).toEqual([
      ['LB_E_CHECK_RTO_UNKNOWN', ['services', 'db', 'steps', 'after', 'switch-traffic', 0]],
    ]);
  });

  it('without any standby, is a rebuild, and STANDBY_MISSING says the strategy is not real', () => {
    const p = estate({
      db: {
        tier: 'medium',
        strategy: 'active-passive',
        placement: { active: ['a1'] },
        redeploy: { playbook: 'db.yml', duration: '3h' },
      },
    });
    const r = rto(p, 'db');
    expect(r.rtoPath.map((s) => s.step)).toEqual(['detect', 'redeploy', 'verify']);
    expect(r.plannedRtoMs).toBe(30 * M + 3 * H + 2 * M);
    expect(codes(r.findings)).toEqual(['LB_E_CHECK_STANDBY_MISSING']);
  });

  it('with its standby on the lost site too and no redeploy, cannot be restored at all', () => {
    const p = estate({
      db: {
        tier: 'high',
        strategy: 'active-passive',
        placement: { active: ['a1'], standby: ['a3'] },
      },
    });
    const r = rto(p, 'db');
    expect(r.plannedRtoMs).toBe(Number.POSITIVE_INFINITY);
    expect(r.rtoVerdict).toBe('fails');
    expect(r.scenario).toBe('site main lost; cannot be restored');
    expect(codes(r.findings)).toEqual(['LB_E_CHECK_RTO_EXCEEDED']);
    expect(r.findings[0]?.message).toContain('cannot be restored when site main lost');
  });
});

describe('pilot-light: the standby is started, then takes over', () => {
  it('provisions, promotes streamed databases, loads dumped ones, switches HAProxy', () => {
    const p = estate({
      app: {
        tier: 'high',
        strategy: 'pilot-light',
        placement: { active: ['a1'], standby: ['f1'] },
        data: [
          { name: 'db', kind: 'postgres', targets: ['f1'], replication: { mode: 'async' } },
          {
            name: 'dump',
            kind: 'mariadb',
            targets: ['f1'],
            replication: { mode: 'periodic', interval: '1h' },
            restoreDuration: '20m',
          },
        ],
        traffic: [{ kind: 'haproxy', backend: 'app', servers: { a1: 's1', f1: 's2' } }],
      },
    });
    const r = rto(p, 'app');
    expect(steps(r)).toEqual([
      `detect:${30 * M}:plan`,
      `provision:${10 * M}:default`,
      `promote:${M}:default`,
      `restore:${20 * M}:plan`,
      `switch-traffic:${10 * S}:default`,
      `verify:${2 * M}:default`,
    ]);
  });
});

describe('backup-restore and redeploy: rebuilt from scratch, then data restored', () => {
  it('sums the playbook, each restore (from its size at 25 MiB/s when no duration is given), the switch and the check', () => {
    const p = estate({
      review: {
        tier: 'medium',
        strategy: 'backup-restore',
        placement: { active: ['a1'], standby: ['f1'] },
        justification: 'the backups already live there',
        redeploy: { playbook: 'sf.yml', duration: '4h' },
        data: [
          {
            name: 'backup',
            kind: 'backup',
            storage: 's3://sf/backups',
            replication: { mode: 'periodic', interval: '1d' },
            size: '25GiB',
          },
        ],
      },
    });
    const r = rto(p, 'review');
    expect(steps(r)).toEqual([
      `detect:${30 * M}:plan`,
      `redeploy:${4 * H}:plan`,
      `restore:${1024 * S}:default`,
      `verify:${2 * M}:default`,
    ]);
    expect(r.rtoPath[1]?.description).toBe('rebuild with sf.yml onto f1');
  });

  it('without a redeploy playbook but with a machine to restore onto, is a guess: RTO_UNKNOWN', () => {
    const p = estate({
      builder: {
        tier: 'medium',
        strategy: 'redeploy',
        placement: { active: ['a1'], standby: ['f1'] },
        justification: 'restored on the same offsite node',
        data: [{ name: 'state', kind: 'files', targets: ['f1'], replication: { mode: 'sync' } }],
      },
    });
    const r = rto(p, 'builder');
    expect(r.rtoVerdict).toBe('unknown');
    expect(codes(r.findings)).toEqual(['LB_E_CHECK_RTO_UNKNOWN', 'LB_E_CHECK_RTO_UNKNOWN']);
    expect(r.findings.map((f) => f.path)).toEqual([
      ['services', 'builder'],
      ['services', 'builder', 'data', 0],
    ]);
  });

  it('without a playbook and without any machine outside the site, cannot be restored', () => {
    const p = estate({ ara: { tier: 'low', strategy: 'redeploy', placement: { active: ['a4'] } } });
    const r = rto(p, 'ara');
    expect(r.plannedRtoMs).toBe(Number.POSITIVE_INFINITY);
    expect(r.findings[0]?.hint).toContain('`redeploy` playbook');
  });

  it('fails when the rebuild is longer than the tier allows, naming the largest steps', () => {
    const p = estate({
      lists: {
        tier: 'high',
        strategy: 'redeploy',
        placement: { active: ['a4'] },
        redeploy: { playbook: 'lists.yml', duration: '4h' },
      },
    });
    const r = rto(p, 'lists');
    expect(r.plannedRtoMs).toBe(4 * H + 32 * M);
    expect(r.rtoVerdict).toBe('fails');
    expect(r.findings[0]?.message).toBe(
      '`lists` (redeploy) needs 4.5h to recover when site main lost (redeploy 4h, detect 30m, verify 2m); its tier allows 4h',
    );
  });
});

describe('blue-green and multi-provider', () => {
  it('blue-green only switches to the idle colour, already up', () => {
    const p = estate({
      car: {
        tier: 'high',
        strategy: 'blue-green',
        placement: { active: ['a1'], standby: ['f1'] },
        traffic: [{ kind: 'vip', address: '10.0.0.5/24', routerId: 5 }],
      },
    });
    expect(steps(rto(p, 'car'))).toEqual([
      `detect:${30 * M}:plan`,
      `switch-traffic:${10 * S}:default`,
      `verify:${2 * M}:default`,
    ]);
  });

  it('multi-provider on two sites only needs detection: the other provider keeps serving', () => {
    const p = estate({
      nodepool: { tier: 'high', strategy: 'multi-provider', placement: { active: ['a1', 'f1'] } },
    });
    const r = rto(p, 'nodepool');
    expect(steps(r)).toEqual([`detect:${30 * M}:plan`]);
    expect(r.scenario).toBe('site main lost; f1 keep serving');
  });

  it('multi-provider on one site is SINGLE_PROVIDER and rebuilt instead', () => {
    const p = estate({
      nodepool: {
        tier: 'high',
        strategy: 'multi-provider',
        placement: { active: ['a1', 'a2'] },
        redeploy: { playbook: 'np.yml', duration: '1h' },
      },
    });
    const r = rto(p, 'nodepool');
    expect(codes(r.findings)).toEqual(['LB_E_CHECK_SINGLE_PROVIDER']);
    expect(r.rtoPath.map((s) => s.step)).toEqual(['detect', 'redeploy', 'verify']);
  });

  it('multi-provider on two sites of one provider is a SINGLE_PROVIDER warning', () => {
    const p = estate(
      { np: { tier: 'high', strategy: 'multi-provider', placement: { active: ['a1', 'f1'] } } },
      {
        sites: {
          main: { role: 'primary', provider: 'AWS' },
          far: { role: 'offsite', provider: 'AWS' },
        },
        nodes: { a1: { site: 'main' }, f1: { site: 'far' } },
      },
    );
    const r = rto(p, 'np');
    expect(r.findings.map((f) => [f.code, f.severity])).toEqual([
      ['LB_E_CHECK_SINGLE_PROVIDER', 'warning'],
    ]);
  });
});

describe('migration: a failed move is undone by its rollback runbook', () => {
  it("adds the rollback runbook's step estimates, and flags the steps without one", () => {
    const p = estate(
      {
        control: {
          tier: 'high',
          strategy: 'migration',
          placement: { active: ['a1'] },
          migration: { runbook: 'adopt', rollback: 'back' },
        },
      },
      {
        runbooks: {
          adopt: { kind: 'migration', steps: [{ id: 'copy', action: 'command.run' }] },
          back: {
            kind: 'rollback',
            steps: [
              { id: 'start-old', action: 'command.run', estimate: '20m' },
              { id: 'delete-new', action: 'command.run' },
            ],
          },
        },
      },
    );
    const r = rto(p, 'control');
    expect(steps(r)).toEqual([
      `detect:${30 * M}:plan`,
      `start-old:${20 * M}:plan`,
      'delete-new:0:unknown',
    ]);
    expect(r.findings.map((f) => f.path)).toEqual([['runbooks', 'back', 'steps', 1]]);
  });
});

describe('the RTO verdict', () => {
  it('fails over the target, is unknown when a step is a guess, else ok', () => {
    expect(rtoVerdict(5, 4, false)).toBe('fails');
    expect(rtoVerdict(5, 4, true)).toBe('fails');
    expect(rtoVerdict(4, 4, true)).toBe('unknown');
    expect(rtoVerdict(4, 4, false)).toBe('ok');
    expect(rtoVerdict(Number.POSITIVE_INFINITY, 4, false)).toBe('fails');
  });
});
