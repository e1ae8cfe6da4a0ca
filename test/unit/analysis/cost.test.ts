// What the offsite standby costs per tier, and who may use the paid offsite cloud at all.
import { describe, expect, it } from 'vitest';
import { analyzeCost } from '../../../src/core/analysis/cost.js';
import { buildIndex } from '../../../src/core/analysis/plan-index.js';
import { codes, estate } from './estate.js';

describe('offsite standby cost', () => {
  it('counts a shared standby node once, for the highest tier that uses it', () => {
    const plan = estate({
      'dlrn-db': {
        tier: 'high',
        strategy: 'active-passive',
        placement: { active: ['a1'], standby: ['f1'] },
      },
      review: {
        tier: 'medium',
        strategy: 'backup-restore',
        placement: { active: ['a2'], standby: ['f1', 'f2'] },
        justification: 'daily backups land there',
      },
      local: {
        tier: 'medium',
        strategy: 'active-passive',
        placement: { active: ['a3'], standby: ['a4'] },
      },
    });
    const { cost, findings } = analyzeCost(buildIndex(plan));
    expect(cost).toEqual([
      { tier: 'high', monthly: 100, budget: 300, nodes: ['f1'] },
      { tier: 'medium', monthly: 40, budget: undefined, nodes: ['f2'] },
      { tier: 'low', monthly: 0, budget: undefined, nodes: [] },
    ]);
    expect(findings).toEqual([]);
  });

  it('over the tier budget: COST_OVER_BUDGET on the budget', () => {
    const plan = estate(
      {
        a: {
          tier: 'high',
          strategy: 'active-passive',
          placement: { active: ['a1'], standby: ['f1'] },
        },
        b: {
          tier: 'high',
          strategy: 'active-passive',
          placement: { active: ['a2'], standby: ['f3'] },
        },
      },
      {
        nodes: {
          a1: { site: 'main' },
          a2: { site: 'main' },
          f1: { site: 'far', monthlyCost: 250.5 },
          f3: { site: 'far' },
        },
      },
    );
    const { cost, findings } = analyzeCost(buildIndex(plan));
    expect(cost[0]?.monthly).toBe(350.5);
    expect(findings.map((f) => [f.code, f.path, f.message])).toEqual([
      [
        'LB_E_CHECK_COST_OVER_BUDGET',
        ['tiers', 'high', 'offsiteBudget'],
        'tier high: offsite standby costs 350.5 USD/month (2 nodes), over its budget of 300 USD',
      ],
    ]);
  });
});

describe('the offsite policy of a tier', () => {
  it('`justify`: a medium service offsite without a justification is a warning', () => {
    const plan = estate({
      trunk: {
        tier: 'medium',
        strategy: 'active-passive',
        placement: { active: ['f1'], standby: ['a1'] },
      },
    });
    const { findings } = analyzeCost(buildIndex(plan));
    expect(findings.map((f) => [f.code, f.severity, f.path])).toEqual([
      ['LB_E_CHECK_COST_UNJUSTIFIED', 'warning', ['services', 'trunk', 'placement']],
    ]);
  });

  it('`never`: a low service offsite is an error, justification or not', () => {
    const plan = estate({
      ara: {
        tier: 'low',
        strategy: 'active-passive',
        placement: { active: ['a1'], standby: ['f2'] },
        justification: 'cheap',
      },
    });
    const { findings } = analyzeCost(buildIndex(plan));
    expect(findings.map((f) => f.severity)).toEqual(['error']);
    expect(findings[0]?.message).toBe(
      '`ara` uses offsite node `f2` but tier low forbids offsite resources',
    );
  });

  it('a service that stays on the primary site needs no justification', () => {
    const plan = estate({
      x: { tier: 'low', strategy: 'redeploy', placement: { active: ['a1'] } },
    });
    expect(codes(analyzeCost(buildIndex(plan)).findings)).toEqual([]);
  });
});
