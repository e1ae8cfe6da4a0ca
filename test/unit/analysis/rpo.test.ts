// How much data an outage can take with it: the worst case of each data set's copy mechanism,
// and the worst data set of a service against its tier's RPO.
import { describe, expect, it } from 'vitest';
import { assessRpo, dataSetRpo } from '../../../src/core/analysis/rpo.js';
import type { DataSet } from '../../../src/core/plan/index.js';
import { codes, estate, H, M, S, svc } from './estate.js';

const data = (d: Partial<DataSet>): DataSet =>
  ({ name: 'd', kind: 'postgres', replication: { mode: 'none' }, ...d }) as DataSet;

describe('the worst-case loss of one data set', () => {
  it('is zero for a synchronous replica: a write is acknowledged once the target has it', () => {
    expect(dataSetRpo(data({ targets: ['f1'], replication: { mode: 'sync' } })).ms).toBe(0);
  });

  it('is the expected lag for asynchronous replication, 5s when the plan states none', () => {
    expect(dataSetRpo(data({ replication: { mode: 'async' } }))).toMatchObject({
      ms: 5 * S,
      basis: 'postgres async replication, lag 5s (default)',
    });
    expect(dataSetRpo(data({ replication: { mode: 'async', expectedLag: 30 * S } })).ms).toBe(
      30 * S,
    );
  });

  it('is the whole interval for a periodic copy: a change made just after a copy is lost', () => {
    const rsync = dataSetRpo(
      data({ kind: 'files', replication: { mode: 'periodic', interval: H, tool: 'rsync' } }),
    );
    expect(rsync).toEqual({ ms: H, basis: 'files copied every 1h (rsync)', noCopy: false });
  });

  it('is the backup interval for a backup set', () => {
    const backup = data({
      kind: 'backup',
      storage: 's3://b/p',
      replication: { mode: 'periodic', interval: 24 * H },
    });
    expect(dataSetRpo(backup).ms).toBe(24 * H);
  });

  it('is zero for a service that keeps no data', () => {
    expect(dataSetRpo(data({ kind: 'none' })).ms).toBe(0);
  });

  it('is infinite for files or a database with no target, no storage and no replication', () => {
    for (const kind of ['files', 'postgres', 'mariadb'] as const) {
      expect(dataSetRpo(data({ kind }))).toMatchObject({
        ms: Number.POSITIVE_INFINITY,
        noCopy: true,
      });
    }
  });

  it('cannot be told when copies exist but nothing says how often they are refreshed', () => {
    expect(dataSetRpo(data({ kind: 'files', targets: ['f1'] })).ms).toBeNaN();
    expect(dataSetRpo(data({ kind: 'backup' })).ms).toBeNaN();
  });
});

describe("a service's RPO against its tier", () => {
  const plan = estate({
    'dlrn-db': {
      tier: 'high',
      strategy: 'active-passive',
      placement: { active: ['a1'], standby: ['f1'] },
      data: [
        { name: 'db', kind: 'mariadb', targets: ['f1'], replication: { mode: 'async' } },
        {
          name: 'repos',
          kind: 'files',
          targets: ['f1'],
          replication: { mode: 'periodic', interval: '2h' },
        },
      ],
    },
    www: { tier: 'low', strategy: 'redeploy', placement: { active: ['a4'] } },
  });

  it('is the worst data set, and an RPO_EXCEEDED finding points at that data set', () => {
    const r = assessRpo('dlrn-db', svc(plan, 'dlrn-db'), H);
    expect(r.plannedRpoMs).toBe(2 * H);
    expect(r.rpoBasis).toBe('repos: files copied every 2h');
    expect(r.rpoVerdict).toBe('fails');
    expect(codes(r.findings)).toEqual(['LB_E_CHECK_RPO_EXCEEDED']);
    expect(r.findings[0]?.path).toEqual(['services', 'dlrn-db', 'data', 1, 'replication']);
  });

  it('is met when the tier allows the worst loss', () => {
    const r = assessRpo('dlrn-db', svc(plan, 'dlrn-db'), 2 * H);
    expect(r).toMatchObject({ rpoVerdict: 'ok', findings: [] });
  });

  it('is zero for a stateless service', () => {
    expect(assessRpo('www', svc(plan, 'www'), 5 * 24 * H)).toMatchObject({
      plannedRpoMs: 0,
      rpoBasis: 'stateless: no data sets',
      rpoVerdict: 'ok',
    });
  });

  it('fails with NO_DATA_COPY when data lives on one node only', () => {
    const p = estate({
      logs: {
        tier: 'medium',
        strategy: 'redeploy',
        placement: { active: ['a3'] },
        data: [{ name: 'artifacts', kind: 'files', path: '/srv/logs' }],
      },
    });
    const r = assessRpo('logs', svc(p, 'logs'), 24 * H);
    expect(r.plannedRpoMs).toBe(Number.POSITIVE_INFINITY);
    expect(r.rpoVerdict).toBe('fails');
    expect(r.findings.map((f) => [f.code, f.path])).toEqual([
      ['LB_E_CHECK_NO_DATA_COPY', ['services', 'logs', 'data', 0]],
    ]);
  });

  it('is unknown, with a warning, when a copy has no stated refresh', () => {
    const p = estate({
      www: {
        tier: 'high',
        strategy: 'active-passive',
        placement: { active: ['a1'], standby: ['f1'] },
        data: [{ name: 'site', kind: 'files', targets: ['f1'] }],
      },
    });
    const r = assessRpo('www', svc(p, 'www'), H);
    expect(r.rpoVerdict).toBe('unknown');
    expect(codes(r.findings)).toEqual(['LB_E_CHECK_RPO_UNKNOWN']);
    expect(r.findings[0]?.severity).toBe('warning');
  });

  it('reads a 15-minute rsync against a 1h RPO as met', () => {
    const p = estate({
      trunk: {
        tier: 'high',
        strategy: 'active-passive',
        placement: { active: ['f1'], standby: ['a1'] },
        data: [
          {
            name: 'repos',
            kind: 'files',
            targets: ['a1'],
            replication: { mode: 'periodic', interval: '15m', tool: 'rsync' },
          },
        ],
      },
    });
    expect(assessRpo('trunk', svc(p, 'trunk'), H)).toMatchObject({
      plannedRpoMs: 15 * M,
      rpoVerdict: 'ok',
    });
  });
});
