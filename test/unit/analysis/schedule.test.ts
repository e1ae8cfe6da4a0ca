// A data set's `replication.schedule` in `lifeboat check`: the RPO is the schedule's longest gap
// between two runs (not `interval`), an error when the tier allows less; a schedule on a mode
// other than periodic, or one with nothing to run, is an error; a bad cron expression makes the
// plan invalid (drills' `schedule` follows the same rule).
import { describe, expect, it } from 'vitest';
import { assessRpo, dataSetRpo } from '../../../src/core/analysis/rpo.js';
import { type DataSet, planSchema, replicationJobOf } from '../../../src/core/plan/index.js';
import { BASE, codes, estate, H, svc } from './estate.js';

type Files = Partial<DataSet> & { replication: Record<string, unknown> };

function mirror(replication: Record<string, unknown>, extra: Partial<Files> = {}) {
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
          targets: ['f1'],
          path: '/srv/www',
          replication,
          ...extra,
        } as never,
      ],
    },
  });
}

describe('a scheduled copy in the RPO analysis', () => {
  it('judges the RPO by the longest gap of the schedule, not by `interval`', () => {
    // Every 15 minutes on weekdays only: the weekend is the gap (Friday 23:45 to Monday 00:00).
    const p = mirror({
      mode: 'periodic',
      interval: '15m',
      schedule: '*/15 * * * 1-5',
      tool: 'rsync',
    });
    const ds = svc(p, 'web').data?.[0] as DataSet;
    expect(dataSetRpo(ds)).toMatchObject({
      ms: 48 * H + 15 * 60_000,
      scheduled: true,
      basis: 'files copied at `*/15 * * * 1-5`: up to 2d between two runs',
    });
    const r = assessRpo('web', svc(p, 'web'), H);
    expect(r.rpoVerdict).toBe('fails');
    expect(codes(r.findings)).toEqual(['LB_E_CHECK_SCHEDULE_RPO_EXCEEDED']);
    expect(r.findings[0]?.path).toEqual(['services', 'web', 'data', 0, 'replication', 'schedule']);
    expect(r.findings[0]?.severity).toBe('error');
  });

  it('is met by a schedule whose gaps all fit the tier', () => {
    const p = mirror({ mode: 'periodic', schedule: '*/30 * * * *' });
    expect(assessRpo('web', svc(p, 'web'), H)).toMatchObject({
      plannedRpoMs: 30 * 60_000,
      rpoVerdict: 'ok',
      findings: [],
    });
    expect(replicationJobOf(svc(p, 'web').data?.[0] as DataSet)).toEqual({
      job: {
        kind: 'rsync',
        schedule: '*/30 * * * *',
        source: 'a1',
        targets: ['f1'],
        timeoutMs: H,
      },
    });
  });

  it('a schedule that never runs can lose everything', () => {
    const r = assessRpo('web', svc(mirror({ mode: 'periodic', schedule: '0 0 30 2 *' }), 'web'), H);
    expect(codes(r.findings)).toEqual(['LB_E_CHECK_SCHEDULE_RPO_EXCEEDED']);
    expect(r.findings[0]?.message).toMatch(/never runs/);
  });

  it('a schedule on streamed replication is an error', () => {
    const r = assessRpo('web', svc(mirror({ mode: 'async', schedule: '0 * * * *' }), 'web'), H);
    expect(codes(r.findings)).toEqual(['LB_E_CHECK_SCHEDULE_NOT_PERIODIC']);
  });

  it('a scheduled backup needs its command; with one it is a command job on the source', () => {
    const backup = (replication: Record<string, unknown>) =>
      estate({
        db: {
          tier: 'medium',
          strategy: 'backup-restore',
          placement: { active: ['a1'] },
          data: [
            {
              name: 'dump',
              kind: 'backup',
              source: 'a1',
              storage: 's3://bucket/db',
              replication,
            } as never,
          ],
        },
      });
    const without = assessRpo(
      'db',
      svc(backup({ mode: 'periodic', schedule: '0 1 * * *' }), 'db'),
      24 * H,
    );
    expect(codes(without.findings)).toEqual(['LB_E_CHECK_SCHEDULE_NO_JOB']);
    const p = backup({
      mode: 'periodic',
      schedule: '0 1 * * *',
      command: ['/usr/local/bin/dump-db', '--full'],
      timeout: '2h',
    });
    expect(assessRpo('db', svc(p, 'db'), 24 * H).findings).toEqual([]);
    expect(replicationJobOf(svc(p, 'db').data?.[0] as DataSet)).toEqual({
      job: {
        kind: 'command',
        schedule: '0 1 * * *',
        node: 'a1',
        argv: ['/usr/local/bin/dump-db', '--full'],
        timeoutMs: 2 * H,
      },
    });
  });

  it('an rsync copy without targets has no job', () => {
    const r = assessRpo(
      'web',
      svc(mirror({ mode: 'periodic', schedule: '0 * * * *' }, { targets: [] }), 'web'),
      H,
    );
    expect(codes(r.findings)).toContain('LB_E_CHECK_SCHEDULE_NO_JOB');
  });
});

describe('the cron rule of the plan schema', () => {
  const withSchedule = (schedule: string) =>
    planSchema.safeParse({
      ...BASE,
      services: {
        web: {
          tier: 'high',
          strategy: 'active-passive',
          placement: { active: ['a1'], standby: ['f1'] },
          data: [
            {
              name: 'tree',
              kind: 'files',
              source: 'a1',
              targets: ['f1'],
              path: '/srv/www',
              replication: { mode: 'periodic', schedule },
            },
          ],
        },
      },
      drills: {
        d: {
          service: 'web',
          fault: { kind: 'kill', target: 'a1' },
          schedule,
        },
      },
    });

  it('accepts a cron expression in both places and refuses a wrong one in both', () => {
    expect(withSchedule('0 4 * * 1').success).toBe(true);
    const bad = withSchedule('0 25 * * *');
    expect(bad.success).toBe(false);
    const paths = (bad.error?.issues ?? []).map((i) => i.path.join('.'));
    expect(paths).toEqual(['services.web.data.0.replication.schedule', 'drills.d.schedule']);
    expect(bad.error?.issues[0]?.message).toMatch(/not a cron expression: hour/);
  });
});
