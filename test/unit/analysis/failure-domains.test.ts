// "Don't put all eggs in the same basket": what falls with each site, domain and node, and the
// findings about standbys that share a basket with what they protect.
import { describe, expect, it } from 'vitest';
import { blastRadius } from '../../../src/core/analysis/blast-radius.js';
import {
  failureDomainFindings,
  listNames,
  sharedDomain,
} from '../../../src/core/analysis/failure-domains.js';
import { buildIndex } from '../../../src/core/analysis/plan-index.js';
import { estate } from './estate.js';

const index = buildIndex(
  estate({
    'dlrn-db': {
      tier: 'high',
      strategy: 'active-passive',
      placement: { active: ['a1'], standby: ['f1'] },
    },
    lists: { tier: 'high', strategy: 'redeploy', placement: { active: ['a3'] } },
    www: {
      tier: 'high',
      strategy: 'active-passive',
      placement: { active: ['a4'], standby: ['f2'] },
    },
    planet: { tier: 'low', strategy: 'redeploy', placement: { active: ['a4'] } },
    dashboards: { tier: 'low', strategy: 'redeploy', placement: { active: ['a4'] } },
    cache: {
      tier: 'medium',
      strategy: 'active-passive',
      placement: { active: ['a1'], standby: ['a2'] },
    },
    queue: {
      tier: 'medium',
      strategy: 'active-passive',
      placement: { active: ['a3'], standby: ['a4'] },
    },
  }),
);

describe('the blast radius', () => {
  const radius = blastRadius(index);
  const of = (kind: string, name: string) => radius.find((r) => r.kind === kind && r.name === name);

  it('of the main site takes every service running there; those with nothing outside stay down', () => {
    expect(of('site', 'main')).toEqual({
      kind: 'site',
      name: 'main',
      site: 'main',
      services: ['dlrn-db', 'lists', 'www', 'planet', 'dashboards', 'cache', 'queue'],
      servicesDown: ['lists', 'planet', 'dashboards', 'cache', 'queue'],
      tiers: { high: 3, low: 2, medium: 2 },
    });
  });

  it('of a rack includes the hypervisors inside it; a standby in another rack survives it', () => {
    expect(of('domain', 'rack-1')).toMatchObject({
      site: 'main',
      services: ['dlrn-db', 'cache'],
      servicesDown: ['cache'],
    });
    expect(of('domain', 'rack-2')).toMatchObject({
      services: ['lists', 'queue'],
      servicesDown: ['lists'],
    });
    expect(of('domain', 'dc')?.services).toHaveLength(4);
  });

  it('of one node: the services active on it, down unless they have another node', () => {
    expect(of('node', 'a4')).toMatchObject({
      services: ['www', 'planet', 'dashboards'],
      servicesDown: ['planet', 'dashboards'],
    });
    expect(of('node', 'a1')).toMatchObject({ servicesDown: [] });
  });

  it('lists empty sites and domains, but not nodes that run nothing', () => {
    expect(of('site', 'far')).toMatchObject({ services: [], servicesDown: [] });
    expect(of('node', 'f1')).toBeUndefined();
  });
});

describe('what two nodes share', () => {
  it('is the node itself, the innermost common domain, the site, or nothing', () => {
    expect(sharedDomain('a1', 'a1', index)).toEqual({ level: 'node' });
    expect(sharedDomain('a2', 'a1', index)).toEqual({
      level: 'domain',
      key: 'main\0hv-1',
      depth: 0,
    });
    expect(sharedDomain('a3', 'a1', index)).toEqual({ level: 'domain', key: 'main\0dc', depth: 1 });
    expect(sharedDomain('a4', 'a1', index)).toEqual({ level: 'site', site: 'main' });
    expect(sharedDomain('f1', 'a1', index)).toBeUndefined();
  });
});

describe('failure-domain findings', () => {
  const findings = failureDomainFindings(index);
  const about = (code: string) => findings.filter((f) => f.code === code);

  it('a high-tier service with nothing outside its site: NO_STANDBY_OFFSITE', () => {
    expect(about('LB_E_CHECK_NO_STANDBY_OFFSITE').map((f) => f.path)).toEqual([
      ['services', 'lists', 'placement'],
    ]);
  });

  it('a standby on the same hypervisor or region as its active: SAME_FAILURE_DOMAIN, naming it', () => {
    const same = about('LB_E_CHECK_SAME_FAILURE_DOMAIN');
    expect(same.map((f) => f.message)).toEqual([
      '`cache`: standby `a2` shares hypervisor `hv-1` with active node `a1`: both fail together',
      '`queue`: every standby (`a4`) is on site `main` with the active nodes: an outage of `main` stops it',
    ]);
    expect(same[0]?.path).toEqual(['services', 'cache', 'placement', 'standby', 0]);
  });

  it('www, planet and dashboards on one VM: one SHARED_NODE finding listing them', () => {
    const shared = about('LB_E_CHECK_SHARED_NODE');
    expect(shared.map((f) => [f.path, f.message])).toEqual([
      [
        ['nodes', 'a1'],
        '`dlrn-db` and `cache` run on node `a1` (tiers high, medium): they fail together',
      ],
      [
        ['nodes', 'a3'],
        '`lists` and `queue` run on node `a3` (tiers high, medium): they fail together',
      ],
      [
        ['nodes', 'a4'],
        '`www`, `planet` and `dashboards` run on node `a4` (tiers high, low): they fail together',
      ],
    ]);
  });

  it('a multi-provider service active on two sites needs no standby', () => {
    const i = buildIndex(
      estate({
        np: { tier: 'high', strategy: 'multi-provider', placement: { active: ['a1', 'f1'] } },
      }),
    );
    expect(failureDomainFindings(i)).toEqual([]);
  });

  it('a standby that is the active node itself is called out', () => {
    const i = buildIndex(
      estate({
        x: {
          tier: 'low',
          strategy: 'active-passive',
          placement: { active: ['a1'], standby: ['a1'] },
        },
      }),
    );
    expect(failureDomainFindings(i)[0]?.message).toBe(
      '`x`: standby `a1` is the active node itself: both fail together',
    );
  });
});

describe('name lists in messages', () => {
  it('reads naturally and stays short', () => {
    expect(listNames(['a'])).toBe('`a`');
    expect(listNames(['a', 'b'])).toBe('`a` and `b`');
    expect(listNames(['a', 'b', 'c'], 2)).toBe('`a`, `b` and 1 more');
  });
});
