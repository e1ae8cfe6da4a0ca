// What the offsite standby costs each month, per tier, and whether each service may use offsite
// resources at all. Offsite usage costs money (seed 000), so tiers set a budget and a policy.
// Only standby nodes are counted: an active node offsite is production, paid whatever the plan.
import { type Diagnostic, diagnostic, type Service } from '../plan/index.js';
import type { PlanIndex } from './plan-index.js';
import type { TierCost } from './types.js';

export interface CostAnalysis {
  cost: TierCost[];
  findings: Diagnostic[];
}

export function analyzeCost(index: PlanIndex): CostAnalysis {
  const findings: Diagnostic[] = [];
  // A node shared by several services is paid once, by the highest tier that relies on it.
  const payer = new Map<string, string>();
  for (const [name, svc] of index.services) {
    for (const n of svc.placement.standby ?? []) {
      if (!isOffsite(n, index)) continue;
      const current = payer.get(n);
      if (current === undefined || rank(svc.tier, index) < rank(current, index))
        payer.set(n, svc.tier);
    }
    policyFinding(name, svc, index, findings);
  }
  const byTier = new Map<string, TierCost>();
  for (const tier of index.tierOrder) {
    byTier.set(tier, {
      tier,
      monthly: 0,
      budget: index.plan.tiers?.[tier]?.offsiteBudget,
      nodes: [],
    });
  }
  for (const [node, tier] of payer) {
    const t = byTier.get(tier);
    if (!t) continue;
    t.monthly += nodeMonthlyCost(node, index);
    t.nodes.push(node);
  }
  const currency = index.plan.currency;
  for (const t of byTier.values()) {
    t.monthly = Math.round(t.monthly * 100) / 100;
    if (t.budget !== undefined && t.monthly > t.budget)
      findings.push(
        diagnostic(
          'LB_E_CHECK_COST_OVER_BUDGET',
          `tier ${t.tier}: offsite standby costs ${t.monthly} ${currency}/month (${t.nodes.length} nodes), over its budget of ${t.budget} ${currency}`,
          { path: ['tiers', t.tier, 'offsiteBudget'] },
        ),
      );
  }
  return { cost: [...byTier.values()], findings };
}

export function nodeMonthlyCost(node: string, index: PlanIndex): number {
  const n = index.nodes.get(node);
  if (!n) return 0;
  return n.monthlyCost ?? index.plan.sites?.[n.site]?.costPerNodeMonth ?? 0;
}

function isOffsite(node: string, index: PlanIndex): boolean {
  const site = index.nodeSite.get(node);
  return site !== undefined && index.siteRole.get(site) === 'offsite';
}

function rank(tier: string, index: PlanIndex): number {
  return index.tierRank.get(tier) ?? Number.MAX_SAFE_INTEGER;
}

/** `offsite: justify` needs a justification from each service using offsite nodes; `never` forbids it. */
function policyFinding(name: string, svc: Service, index: PlanIndex, out: Diagnostic[]): void {
  const policy = index.plan.tiers?.[svc.tier]?.offsite ?? 'allowed';
  if (policy === 'allowed') return;
  if (policy === 'justify' && svc.justification !== undefined) return;
  const offsite = [...svc.placement.active, ...(svc.placement.standby ?? [])].filter((n) =>
    isOffsite(n, index),
  );
  if (offsite.length === 0) return;
  out.push(
    diagnostic(
      'LB_E_CHECK_COST_UNJUSTIFIED',
      policy === 'never'
        ? `\`${name}\` uses offsite node ${offsite.map((n) => `\`${n}\``).join(', ')} but tier ${svc.tier} forbids offsite resources`
        : `\`${name}\` uses offsite node ${offsite.map((n) => `\`${n}\``).join(', ')} without the \`justification\` tier ${svc.tier} requires`,
      {
        path: ['services', name, 'placement'],
        ...(policy === 'never'
          ? {
              severity: 'error' as const,
              hint: `Move the service's nodes off the offsite site, or change tier ${svc.tier}'s \`offsite\` policy.`,
            }
          : {}),
      },
    ),
  );
}
