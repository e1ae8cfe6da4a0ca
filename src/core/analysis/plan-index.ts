// Lookup tables built once per analysis, so that every later question ("which site is this node
// on?", "which domains contain it?", "which tier is higher?") is a map lookup: 10,000 services
// must analyse in milliseconds, which rules out scanning the plan per service.
import type { Plan, PlanNode, Service, Site } from '../plan/index.js';

export interface PlanIndex {
  plan: Plan;
  services: [string, Service][];
  nodes: Map<string, PlanNode>;
  nodeSite: Map<string, string>;
  /** Failure domains holding a node, innermost first, as `site\0domain` keys. */
  nodeDomains: Map<string, readonly string[]>;
  siteRole: Map<string, Site['role']>;
  /** 0 for the tier with the shortest RTO; ties share a rank. */
  tierRank: Map<string, number>;
  tierOrder: string[];
  /** The tiers with the shortest RTO: the ones that must survive a site outage. */
  highestTiers: Set<string>;
}

export function domainKey(site: string, domain: string): string {
  return `${site}\0${domain}`;
}

export function splitDomainKey(key: string): { site: string; domain: string } {
  const i = key.indexOf('\0');
  return { site: key.slice(0, i), domain: key.slice(i + 1) };
}

export function buildIndex(plan: Plan): PlanIndex {
  const chains = domainChains(plan);
  const nodes = new Map(Object.entries(plan.nodes ?? {}));
  const nodeSite = new Map<string, string>();
  const nodeDomains = new Map<string, readonly string[]>();
  for (const [name, node] of nodes) {
    nodeSite.set(name, node.site);
    const chain =
      node.domain === undefined ? undefined : chains.get(domainKey(node.site, node.domain));
    nodeDomains.set(name, chain ?? []);
  }
  const siteRole = new Map<string, Site['role']>();
  for (const [name, site] of Object.entries(plan.sites ?? {})) siteRole.set(name, site.role);

  const tiers = Object.entries(plan.tiers ?? {}).sort(
    ([a, ta], [b, tb]) => ta.rto - tb.rto || a.localeCompare(b),
  );
  const tierRank = new Map<string, number>();
  let rank = -1;
  let lastRto = Number.NaN;
  for (const [name, tier] of tiers) {
    if (tier.rto !== lastRto) rank++;
    lastRto = tier.rto;
    tierRank.set(name, rank);
  }
  const highestTiers = new Set(tiers.filter(([n]) => tierRank.get(n) === 0).map(([n]) => n));
  return {
    plan,
    services: Object.entries(plan.services ?? {}),
    nodes,
    nodeSite,
    nodeDomains,
    siteRole,
    tierRank,
    tierOrder: tiers.map(([n]) => n),
    highestTiers,
  };
}

/** Every domain's chain of enclosing domains, innermost first; a looping chain stops at the loop. */
function domainChains(plan: Plan): Map<string, readonly string[]> {
  const out = new Map<string, readonly string[]>();
  for (const [siteName, site] of Object.entries(plan.sites ?? {})) {
    const domains = site.domains ?? {};
    const resolve = (start: string): readonly string[] => {
      const key = domainKey(siteName, start);
      const known = out.get(key);
      if (known) return known;
      const chain: string[] = [];
      const seen = new Set<string>();
      let current: string | undefined = start;
      while (current !== undefined && !seen.has(current) && Object.hasOwn(domains, current)) {
        const cached = current === start ? undefined : out.get(domainKey(siteName, current));
        if (cached) {
          chain.push(...cached);
          break;
        }
        seen.add(current);
        chain.push(domainKey(siteName, current));
        current = domains[current]?.parent;
      }
      out.set(key, chain);
      return chain;
    };
    for (const name of Object.keys(domains)) resolve(name);
  }
  return out;
}

/** The distinct sites of a list of nodes, in first-seen order. */
export function sitesOf(nodes: readonly string[] | undefined, index: PlanIndex): string[] {
  const out: string[] = [];
  for (const n of nodes ?? []) {
    const site = index.nodeSite.get(n);
    if (site !== undefined && !out.includes(site)) out.push(site);
  }
  return out;
}
