// The whole analysis of a plan, as `lifeboat check` prints it: one assessment per service in
// tier order, findings sorted by severity, and the what-the-plan-still-lacks findings.
import { describe, expect, it } from 'vitest';
import { parseSize, restoreMsForSize } from '../../../src/core/analysis/estimates.js';
import { analyzePlan, worstVerdict } from '../../../src/core/analysis/index.js';
import { codes, estate, H, S } from './estate.js';

const plan = estate(
  {
    planet: {
      tier: 'low',
      strategy: 'redeploy',
      placement: { active: ['a4'] },
      redeploy: { playbook: 'www.yml', duration: '1h' },
    },
    'dlrn-db': {
      tier: 'high',
      strategy: 'active-passive',
      placement: { active: ['a1'], standby: ['f1'] },
      health: [{ kind: 'tcp', name: 'mysql', host: 'db.example.org', port: 3306 }],
      data: [{ name: 'dlrn', kind: 'mariadb', targets: ['f1'], replication: { mode: 'async' } }],
      openQuestions: ['Who re-points the DLRN instances?'],
    },
    nodepool: { tier: 'high', strategy: 'multi-provider', placement: { active: ['a2', 'f2'] } },
    car: {
      tier: 'medium',
      strategy: 'blue-green',
      placement: { active: ['a3'], standby: ['f1'] },
      upgrade: { playbook: 'car.yml', duration: '1h' },
    },
  },
  {
    tiers: {
      high: { rto: '4h', rpo: '1h', drillEvery: '13w' },
      medium: { rto: '24h', rpo: '24h' },
      low: { rto: '5d', rpo: '5d' },
    },
    drills: { db: { service: 'dlrn-db', fault: { kind: 'kill', target: 'a1' } } },
  },
);
const analysis = analyzePlan(plan);
const findingsOf = (service: string) =>
  analysis.findings.filter((f) => f.path?.[0] === 'services' && f.path[1] === service);

describe('the analysis of a plan', () => {
  it('assesses every service, highest tier first, then by name', () => {
    expect(analysis.services.map((s) => [s.tier, s.service, s.verdict])).toEqual([
      ['high', 'dlrn-db', 'ok'],
      ['high', 'nodepool', 'ok'],
      ['medium', 'car', 'ok'],
      ['low', 'planet', 'ok'],
    ]);
    expect(analysis.tierOrder).toEqual(['high', 'medium', 'low']);
    expect(analysis.services[0]).toMatchObject({
      targetRtoMs: 4 * H,
      plannedRpoMs: 5 * S,
      activeSites: ['main'],
      standbySites: ['far'],
    });
  });

  it('sorts findings errors first, then warnings, then info', () => {
    const order = { error: 0, warning: 1, info: 2 };
    const sev = analysis.findings.map((f) => order[f.severity]);
    expect(sev).toEqual([...sev].sort());
  });

  it('turns each open question into a finding at the question', () => {
    expect(findingsOf('dlrn-db').map((f) => [f.code, f.path])).toEqual([
      ['LB_E_CHECK_OPEN_QUESTION', ['services', 'dlrn-db', 'openQuestions', 0]],
      ['LB_E_CHECK_NO_REDEPLOY', ['services', 'dlrn-db']],
    ]);
  });

  it('asks for a drill only where the tier wants one and none is declared', () => {
    expect(codes(findingsOf('nodepool'))).toEqual([
      'LB_E_CHECK_NO_HEALTH_PROBE',
      'LB_E_CHECK_DRILL_MISSING',
    ]);
  });

  it('does not ask multi-provider on two sites, or blue-green with an upgrade playbook, for a redeploy', () => {
    expect(codes(findingsOf('nodepool'))).not.toContain('LB_E_CHECK_NO_REDEPLOY');
    expect(codes(findingsOf('car'))).toEqual(['LB_E_CHECK_NO_HEALTH_PROBE']);
  });

  it('carries the currency and the recovery order', () => {
    expect(analysis.currency).toBe('USD');
    expect(analysis.recoveryOrder).toEqual([['car', 'dlrn-db', 'nodepool', 'planet']]);
  });

  // A guard against quadratic scans, not the benchmark (bench/check): the bound is loose because
  // test machines are shared; a quadratic analysis of 10,000 services takes minutes, not seconds.
  it('stays linear: 10,000 services analyse in seconds at worst', () => {
    const services: Record<string, object> = {};
    for (let i = 0; i < 10_000; i++)
      services[`s${i}`] = {
        tier: i % 3 === 0 ? 'high' : 'low',
        strategy: 'active-passive',
        placement: { active: [i % 2 ? 'a1' : 'a3'], standby: ['f1'] },
        dependsOn: i > 0 ? [`s${i - 1}`] : [],
        data: [
          { name: `d${i}`, kind: 'postgres', targets: ['f1'], replication: { mode: 'async' } },
        ],
      };
    const big = estate(services as never);
    const started = performance.now();
    const a = analyzePlan(big);
    const ms = performance.now() - started;
    expect(a.services).toHaveLength(10_000);
    expect(a.recoveryOrder).toHaveLength(10_000);
    expect(ms).toBeLessThan(5_000);
  });
});

describe('verdicts and sizes', () => {
  it('the worse of two verdicts wins: fails, then unknown, then ok', () => {
    expect(worstVerdict('ok', 'fails')).toBe('fails');
    expect(worstVerdict('unknown', 'ok')).toBe('unknown');
    expect(worstVerdict('unknown', 'fails')).toBe('fails');
    expect(worstVerdict('ok', 'ok')).toBe('ok');
  });

  it('reads sizes in decimal and binary units, and restores 25 MiB per second', () => {
    expect(parseSize('200GiB')).toBe(200 * 1024 ** 3);
    expect(parseSize('1.5 TB')).toBe(1.5e12);
    expect(parseSize('12 parsecs')).toBeUndefined();
    expect(restoreMsForSize(25 * 1024 ** 2)).toBe(1_000);
    expect(restoreMsForSize(1)).toBe(1_000);
  });
});
