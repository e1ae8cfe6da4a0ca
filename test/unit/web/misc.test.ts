import { describe, expect, it } from 'vitest';
import {
  auditVerdict,
  lagSeries,
  polyline,
  sparkline,
  summarizeProbes,
} from '../../../web/src/lib/history.js';
import { canAbort, canApprove, roleAtLeast } from '../../../web/src/lib/roles.js';
import { href, parseRoute } from '../../../web/src/lib/router.js';

describe('roles', () => {
  it('shows approve and abort to approvers and above only', () => {
    expect(canApprove('viewer', undefined)).toBe(false);
    expect(canApprove('operator', undefined)).toBe(false);
    expect(canApprove('approver', undefined)).toBe(true);
    expect(canApprove('admin', 'approver')).toBe(true);
    expect(canApprove('approver', 'admin')).toBe(false);
    expect(canApprove('approver', 'dba-lead')).toBe(true);
    expect(canAbort('operator')).toBe(false);
    expect(canAbort('approver')).toBe(true);
    expect(roleAtLeast('root', 'viewer')).toBe(false);
  });
});

describe('routes', () => {
  it('round-trips every page through the hash', () => {
    const routes = [
      { page: 'overview' },
      { page: 'login' },
      { page: 'service', name: 'app db/1' },
      { page: 'runs' },
      { page: 'run', id: '0b5f-1' },
      { page: 'plan' },
      { page: 'audit' },
    ] as const;
    for (const r of routes) expect(parseRoute(href(r))).toEqual(r);
    expect(parseRoute('')).toEqual({ page: 'overview' });
    expect(parseRoute('#/services')).toEqual({ page: 'overview' });
    expect(parseRoute('#/nope/x/y')).toEqual({ page: 'not-found', path: '/nope/x/y' });
    expect(parseRoute('#/services/%E0%A4%A')).toMatchObject({ page: 'not-found' });
  });
});

describe('history', () => {
  const probes = [10, 20, 40, 20].map((ms, i) => ({
    at: `2026-11-21T10:00:0${i}Z`,
    service: 's',
    probe: 'tcp',
    from: 'controller',
    ok: i !== 2,
    ms,
  }));

  it('draws probe durations as a sparkline, failures marked', () => {
    const pts = sparkline(probes, 300, 40);
    expect(pts.map((p) => p.x)).toEqual([0, 100, 200, 300]);
    expect(pts[2]).toMatchObject({ y: 1, ok: false });
    expect(pts[0]?.y).toBeGreaterThan(pts[1]?.y as number);
    expect(polyline(pts.slice(0, 2))).toBe(`0,${pts[0]?.y} 100,${pts[1]?.y}`);
    expect(sparkline([], 10, 10)).toEqual([]);
    expect(summarizeProbes(probes)).toEqual({ total: 4, failed: 1, medianMs: 20 });
  });

  it('splits RPO history into one series per data set, unknowns as gaps', () => {
    const s = lagSeries([
      { at: '2026-11-21T10:00:02Z', dataSet: 'db', rpoMs: 200 },
      { at: '2026-11-21T10:00:01Z', dataSet: 'db', rpoMs: 100 },
      { at: '2026-11-21T10:00:01Z', dataSet: 'files' },
      { at: 'garbage', dataSet: 'files', rpoMs: 1 },
    ]);
    expect(s).toEqual([
      {
        dataSet: 'db',
        points: [
          [Date.parse('2026-11-21T10:00:01Z'), 100],
          [Date.parse('2026-11-21T10:00:02Z'), 200],
        ],
      },
      { dataSet: 'files', points: [[Date.parse('2026-11-21T10:00:01Z'), null]] },
    ]);
  });

  it("reads the audit chain's verdict", () => {
    expect(auditVerdict({ ok: true, checked: 1234, head: { seq: 1234, hash: 'h' } })).toEqual({
      state: 'ok',
      text: 'chain verified: 1,234 entries',
    });
    expect(
      auditVerdict({
        ok: false,
        checked: 16,
        broken: { seq: 17, reason: 'hash', message: 'hash mismatch' },
      }),
    ).toEqual({ state: 'broken', text: 'chain BROKEN at entry 17: hash mismatch' });
    expect(auditVerdict({ valid: false, brokenAt: 3 })).toEqual({
      state: 'broken',
      text: 'chain BROKEN at entry 3',
    });
    expect(auditVerdict(undefined).state).toBe('unknown');
  });
});
