import { describe, expect, it } from 'vitest';
import {
  compareServices,
  compareTiers,
  countStatuses,
  groupByTier,
  matches,
  NO_FILTER,
  overallStatus,
  tiersOf,
  trafficKinds,
  upsertService,
} from '../../../web/src/lib/services.js';
import { svc } from './fixtures.js';

const down = { failures: 3, probes: [] };

describe('overview grouping and filtering', () => {
  it('orders tiers High, Medium, Low, then the others by name', () => {
    expect(['Low', 'custom', 'High', 'Medium', 'Bronze'].sort(compareTiers)).toEqual([
      'High',
      'Medium',
      'Low',
      'Bronze',
      'custom',
    ]);
  });

  it('groups by tier, High first, names sorted inside a tier', () => {
    const list = [
      svc('zeta', { tier: 'Low' }),
      svc('beta', { tier: 'High' }),
      svc('alpha', { tier: 'High' }),
      svc('mid', { tier: 'Medium' }),
    ];
    const groups = groupByTier(list);
    expect(groups.map((g) => g.tier)).toEqual(['High', 'Medium', 'Low']);
    expect(groups[0]?.services.map((s) => s.name)).toEqual(['alpha', 'beta']);
    expect(tiersOf(list)).toEqual(['High', 'Medium', 'Low']);
  });

  it('filters by tier, status and words, keeping the totals per tier', () => {
    const list = [
      svc('app-db', { tier: 'High' }),
      svc('app-web', {
        tier: 'High',
        sites: [
          { site: 'a', health: 'down', ...down },
          { site: 'b', health: 'up', ...down },
        ],
      }),
      svc('wiki', { tier: 'Low', activeRunId: 'r1' }),
    ];
    const g = groupByTier(list, { tier: '', status: 'down', text: '' });
    expect(g[0]?.services.map((s) => s.name)).toEqual(['app-web']);
    expect(g[0]?.total).toBe(2);
    expect(g[1]?.services).toEqual([]);
    expect(
      groupByTier(list, { tier: 'Low', status: '', text: '' }).flatMap((x) =>
        x.services.map((s) => s.name),
      ),
    ).toEqual(['wiki']);
    expect(
      list.filter((s) => matches(s, { tier: '', status: '', text: 'APP  db' })).map((s) => s.name),
    ).toEqual(['app-db']);
    expect(
      list.filter((s) => matches(s, { tier: '', status: 'running', text: '' })).map((s) => s.name),
    ).toEqual(['wiki']);
    expect(
      list
        .filter((s) => matches(s, { tier: '', status: 'attention', text: '' }))
        .map((s) => s.name),
    ).toEqual(['app-web']);
    expect(list.filter((s) => matches(s, NO_FILTER))).toHaveLength(3);
  });

  it('orders a tier by name, or worst first (a run in progress first among equals)', () => {
    const half = { failures: 1, probes: [] };
    const list = [
      svc('a-ok'),
      svc('b-down', {
        outage: { site: 'a', since: 'x', confirmedBy: ['controller'], action: 'detected' },
      }),
      svc('c-degraded', {
        sites: [
          { site: 'a', health: 'up', ...half },
          { site: 'b', health: 'down', ...half },
        ],
      }),
      svc('d-ok-running', { activeRunId: 'r1' }),
      svc('e-unknown', { sites: [] }),
    ];
    expect([...list].sort(compareServices('status')).map((s) => s.name)).toEqual([
      'b-down',
      'c-degraded',
      'e-unknown',
      'd-ok-running',
      'a-ok',
    ]);
    expect(groupByTier(list, NO_FILTER, 'name')[0]?.services.map((s) => s.name)).toEqual([
      'a-ok',
      'b-down',
      'c-degraded',
      'd-ok-running',
      'e-unknown',
    ]);
  });

  it('gives each service one overall status', () => {
    expect(overallStatus(svc('a'))).toBe('up');
    expect(
      overallStatus(
        svc('a', {
          outage: { site: 'a', since: 'x', confirmedBy: ['witness'], action: 'proposed' },
        }),
      ),
    ).toBe('down');
    expect(
      overallStatus(
        svc('a', {
          activeSite: 'b',
          sites: [
            { site: 'a', health: 'down', ...down },
            { site: 'b', health: 'up', ...down },
          ],
        }),
      ),
    ).toBe('degraded');
    expect(
      overallStatus(
        svc('a', {
          rpo: [{ dataSet: 'd', kind: 'replica', rpoMs: 9, targetMs: 1, within: false }],
        }),
      ),
    ).toBe('degraded');
    expect(
      overallStatus(
        svc('a', {
          sites: [
            { site: 'a', health: 'unknown', ...down },
            { site: 'b', health: 'up', ...down },
          ],
        }),
      ),
    ).toBe('unknown');
    expect(overallStatus(svc('a', { sites: [] }))).toBe('unknown');
    expect(countStatuses([svc('a'), svc('b', { activeRunId: 'r', sites: [] })])).toEqual({
      up: 1,
      degraded: 0,
      down: 0,
      unknown: 1,
      running: 1,
    });
  });

  it("replaces one service and keeps every other object (memoised rows don't re-render)", () => {
    const list = [svc('a'), svc('b'), svc('c')];
    const next = upsertService(list, svc('b', { activeSite: 'b' }));
    expect(next[0]).toBe(list[0]);
    expect(next[2]).toBe(list[2]);
    expect(next[1]?.activeSite).toBe('b');
    expect(upsertService(list, svc('d'))).toHaveLength(4);
  });

  it('groups 1,000 services quickly', () => {
    const tiers = ['High', 'Medium', 'Low'];
    const list = Array.from({ length: 1000 }, (_, i) =>
      svc(`svc-${String(i).padStart(4, '0')}`, { tier: tiers[i % 3] as string }),
    );
    const t0 = performance.now();
    for (let i = 0; i < 20; i++)
      groupByTier(list, { tier: '', status: 'attention', text: 'svc 1' });
    const ms = (performance.now() - t0) / 20;
    expect(groupByTier(list).reduce((n, g) => n + g.services.length, 0)).toBe(1000);
    expect(ms).toBeLessThan(50);
  });

  it('reads the traffic methods from the plan defensively', () => {
    const plan = {
      services: {
        'app-db': { traffic: [{ kind: 'dns', name: 'db.example' }, { kind: 'haproxy' }] },
        web: { traffic: { kind: 'vip' } },
      },
    };
    expect(trafficKinds(plan, 'app-db')).toEqual(['dns (db.example)', 'haproxy']);
    expect(trafficKinds(plan, 'web')).toEqual(['vip']);
    expect(trafficKinds({ plan }, 'web')).toEqual(['vip']);
    expect(trafficKinds(undefined, 'web')).toEqual([]);
    expect(trafficKinds({ services: { web: { traffic: 'nonsense' } } }, 'web')).toEqual([]);
  });
});
