// Services that need each other: the order they come back in, and the plans that cannot work.
import { describe, expect, it } from 'vitest';
import {
  analyzeDependencies,
  findCycles,
  recoveryWaves,
} from '../../../src/core/analysis/dependencies.js';
import { buildIndex } from '../../../src/core/analysis/plan-index.js';
import { codes, estate } from './estate.js';

const edges = (graph: Record<string, string[]>) =>
  new Map(Object.entries(graph).map(([k, v]) => [k, v.map((to, at) => ({ to, at }))]));

describe('the recovery order', () => {
  it('brings dependencies back first; services of one wave recover in parallel', () => {
    const g = edges({ trunk: ['dlrn-db'], builder: ['dlrn-db', 'trunk'], 'dlrn-db': [], www: [] });
    expect(recoveryWaves(['trunk', 'builder', 'dlrn-db', 'www'], g)).toEqual([
      ['dlrn-db', 'www'],
      ['trunk'],
      ['builder'],
    ]);
  });

  it('leaves out a cycle and what waits on it', () => {
    const g = edges({ a: ['b'], b: ['a'], c: ['a'], d: [] });
    expect(recoveryWaves(['a', 'b', 'c', 'd'], g)).toEqual([['d']]);
  });
});

describe('cycles', () => {
  it('are spelled from their first service back to it', () => {
    const g = edges({ a: ['b'], b: ['c'], c: ['a'], d: ['d'], e: ['a'] });
    expect(findCycles(['a', 'b', 'c', 'd', 'e'], g)).toEqual([
      ['a', 'b', 'c', 'a'],
      ['d', 'd'],
    ]);
  });

  it('are found in a long chain without overflowing the stack', () => {
    const names = Array.from({ length: 20_000 }, (_, i) => `s${i}`);
    const g = edges(
      Object.fromEntries(names.map((n, i) => [n, [names[(i + 1) % names.length] as string]])),
    );
    const cycles = findCycles(names, g);
    expect(cycles).toHaveLength(1);
    expect(cycles[0]).toHaveLength(20_001);
  });
});

describe('dependency findings', () => {
  const plan = estate({
    nodepool: {
      tier: 'high',
      strategy: 'multi-provider',
      placement: { active: ['a1', 'f1'] },
      dependsOn: ['review'],
    },
    review: {
      tier: 'medium',
      strategy: 'backup-restore',
      placement: { active: ['a2'] },
      dependsOn: ['nodepool'],
    },
    www: {
      tier: 'high',
      strategy: 'active-passive',
      placement: { active: ['a3'], standby: ['f2'] },
      dependsOn: [
        { service: 'repos.fedorapeople.org', external: true },
        { service: 'github.com', external: true, fallback: 'serve the last build' },
        { service: 'review', fallback: 'publish by hand' },
      ],
    },
  });
  const deps = analyzeDependencies(buildIndex(plan));

  it('reports the cycle, a lower-tier dependency and an external one without fallback', () => {
    expect(deps.findings.map((f) => [f.code, f.path])).toEqual([
      ['LB_E_CHECK_DEP_LOWER_TIER', ['services', 'nodepool', 'dependsOn', 0]],
      ['LB_E_CHECK_DEP_EXTERNAL_NO_FALLBACK', ['services', 'www', 'dependsOn', 0]],
      ['LB_E_CHECK_DEP_CYCLE', ['services', 'nodepool', 'dependsOn', 0]],
    ]);
    expect(deps.findings[2]?.message).toBe(
      'services depend on each other in a cycle: `nodepool` → `review` → `nodepool`',
    );
  });

  it('does not hold a service back for a dependency it has a fallback for', () => {
    expect(deps.recoveryOrder).toEqual([['www']]);
  });

  it('finds nothing in a plan whose services depend on nothing', () => {
    const quiet = estate({
      x: { tier: 'low', strategy: 'redeploy', placement: { active: ['a1'] } },
    });
    expect(codes(analyzeDependencies(buildIndex(quiet)).findings)).toEqual([]);
  });
});
