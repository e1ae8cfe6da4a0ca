// Findings about what a service's plan still lacks, whatever its topology: open questions,
// probes, drills, and a way to rebuild it.
import { type Diagnostic, diagnostic, type Service } from '../plan/index.js';
import { type PlanIndex, sitesOf } from './plan-index.js';

/**
 * Seed 000 asks every service for a redeployment plan besides its contingency. Two strategies
 * get by without one: `multi-provider` with active nodes on two sites (the other providers keep
 * serving, there is nothing to rebuild), and `blue-green` with an `upgrade` playbook (it builds
 * the idle colour, so it rebuilds the service too).
 */
export function needsRedeploy(svc: Service, index: PlanIndex): boolean {
  if (svc.redeploy) return false;
  if (svc.strategy === 'multi-provider' && sitesOf(svc.placement.active, index).length >= 2)
    return false;
  if (svc.strategy === 'blue-green' && svc.upgrade) return false;
  return true;
}

export function hygieneFindings(
  name: string,
  svc: Service,
  index: PlanIndex,
  drilled: ReadonlySet<string>,
  out: Diagnostic[],
): void {
  svc.openQuestions?.forEach((q, i) => {
    out.push(
      diagnostic('LB_E_CHECK_OPEN_QUESTION', `\`${name}\`: open question: ${clip(q, 200)}`, {
        path: ['services', name, 'openQuestions', i],
      }),
    );
  });
  if (!svc.health?.length)
    out.push(
      diagnostic(
        'LB_E_CHECK_NO_HEALTH_PROBE',
        `\`${name}\` has no health probe: its outage is noticed when a human does (detection.manual)`,
        { path: ['services', name] },
      ),
    );
  if (index.plan.tiers?.[svc.tier]?.drillEvery !== undefined && !drilled.has(name))
    out.push(
      diagnostic(
        'LB_E_CHECK_DRILL_MISSING',
        `\`${name}\`: tier ${svc.tier} asks for a drill and none is declared for it`,
        { path: ['services', name, 'tier'] },
      ),
    );
  if (needsRedeploy(svc, index))
    out.push(
      diagnostic(
        'LB_E_CHECK_NO_REDEPLOY',
        `\`${name}\` has no \`redeploy\`: it cannot be rebuilt from scratch automatically`,
        { path: ['services', name] },
      ),
    );
}

function clip(text: string, max: number): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}
