// `lifeboat check`'s analysis of a valid plan, as a flat sequence of the analyses it is made of.
// Pure: the plan in, data out; the CLI locates and prints the findings.
import type { Diagnostic, Plan, Service } from '../plan/index.js';
import { blastRadius } from './blast-radius.js';
import { analyzeCost } from './cost.js';
import { analyzeDependencies } from './dependencies.js';
import { failureDomainFindings } from './failure-domains.js';
import { hygieneFindings } from './hygiene.js';
import { notificationFindings } from './notifications.js';
import { buildIndex, type PlanIndex, sitesOf } from './plan-index.js';
import { assessRpo } from './rpo.js';
import { assessRto } from './rto.js';
import { knownTargets, lintStepList, stepLists } from './runbook-lint.js';
import type { Analysis, ServiceAssessment, Verdict } from './types.js';

export function analyzePlan(plan: Plan): Analysis {
  const index = buildIndex(plan);
  const findings: Diagnostic[] = [];
  const drilled = new Set(Object.values(plan.drills ?? {}).map((d) => d.service));
  const services: ServiceAssessment[] = [];
  for (const [name, svc] of index.services) {
    services.push(assessService(name, svc, index, findings));
    hygieneFindings(name, svc, index, drilled, findings);
  }
  findings.push(...failureDomainFindings(index));
  const deps = analyzeDependencies(index);
  findings.push(...deps.findings);
  const cost = analyzeCost(index);
  findings.push(...cost.findings);
  findings.push(...notificationFindings(plan));
  const known = knownTargets(index);
  for (const list of stepLists(index)) lintStepList(list, known, plan.roles, findings);

  const rank = (s: ServiceAssessment) => index.tierRank.get(s.tier) ?? Number.MAX_SAFE_INTEGER;
  services.sort((a, b) => rank(a) - rank(b) || a.service.localeCompare(b.service));
  return {
    services,
    blastRadius: blastRadius(index),
    recoveryOrder: deps.recoveryOrder,
    cost: cost.cost,
    currency: plan.currency,
    tierOrder: index.tierOrder,
    findings: sortBySeverity(findings),
  };
}

function assessService(
  name: string,
  svc: Service,
  index: PlanIndex,
  findings: Diagnostic[],
): ServiceAssessment {
  const tier = index.plan.tiers?.[svc.tier];
  const targetRtoMs = tier?.rto ?? Number.POSITIVE_INFINITY;
  const targetRpoMs = tier?.rpo ?? Number.POSITIVE_INFINITY;
  const rto = assessRto(name, svc, targetRtoMs, index);
  const rpo = assessRpo(name, svc, targetRpoMs);
  findings.push(...rto.findings, ...rpo.findings);
  return {
    service: name,
    tier: svc.tier,
    strategy: svc.strategy,
    targetRtoMs,
    plannedRtoMs: rto.plannedRtoMs,
    rtoPath: rto.rtoPath,
    targetRpoMs,
    plannedRpoMs: rpo.plannedRpoMs,
    rpoBasis: rpo.rpoBasis,
    rtoVerdict: rto.rtoVerdict,
    rpoVerdict: rpo.rpoVerdict,
    verdict: worstVerdict(rto.rtoVerdict, rpo.rpoVerdict),
    activeSites: sitesOf(svc.placement.active, index).sort(),
    standbySites: sitesOf(svc.placement.standby, index).sort(),
    scenario: rto.scenario,
  };
}

const VERDICT_ORDER: Record<Verdict, number> = { fails: 0, unknown: 1, ok: 2 };

export function worstVerdict(a: Verdict, b: Verdict): Verdict {
  return VERDICT_ORDER[a] <= VERDICT_ORDER[b] ? a : b;
}

const SEVERITY_ORDER = { error: 0, warning: 1, info: 2 } as const;

/** Stable: within a severity, findings keep the plan's order. */
function sortBySeverity(findings: Diagnostic[]): Diagnostic[] {
  return findings.sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity]);
}
