// What falls when one site, failure domain or node fails. A service falls with a container when
// it has an active node inside; it stays down (until restored or rebuilt) when none of its nodes,
// active or standby, is outside. Counting each service's nodes per container makes this linear.
import type { Service } from '../plan/index.js';
import { type PlanIndex, splitDomainKey } from './plan-index.js';
import type { BlastRadius } from './types.js';

function emptyEntry(kind: BlastRadius['kind'], name: string, site: string): BlastRadius {
  return { kind, name, site, services: [], servicesDown: [], tiers: {} };
}

export function blastRadius(index: PlanIndex): BlastRadius[] {
  // Sites and domains are listed even when empty, in plan order: the summary shows them all.
  const sites = new Map<string, BlastRadius>();
  const domains = new Map<string, BlastRadius>();
  for (const [siteName, site] of Object.entries(index.plan.sites ?? {})) {
    sites.set(siteName, emptyEntry('site', siteName, siteName));
    for (const d of Object.keys(site.domains ?? {}))
      domains.set(`${siteName}\0${d}`, emptyEntry('domain', d, siteName));
  }
  const nodes: BlastRadius[] = [];
  // Every container a node is in (its site, its domains innermost first, itself), built once.
  const containers = new Map<string, BlastRadius[]>();
  const containersOf = (node: string): BlastRadius[] => {
    let list = containers.get(node);
    if (list) return list;
    list = [];
    const site = index.nodeSite.get(node);
    if (site !== undefined) {
      const siteEntry = sites.get(site);
      if (siteEntry) list.push(siteEntry);
      for (const key of index.nodeDomains.get(node) ?? []) {
        let d = domains.get(key);
        if (!d) {
          d = emptyEntry('domain', splitDomainKey(key).domain, site);
          domains.set(key, d);
        }
        list.push(d);
      }
      const own = emptyEntry('node', node, site);
      nodes.push(own);
      list.push(own);
    }
    containers.set(node, list);
    return list;
  };
  for (const [name, svc] of index.services) addService(name, svc, containersOf);
  return [...sites.values(), ...domains.values(), ...nodes.filter((e) => e.services.length > 0)];
}

/**
 * A service has a handful of nodes, each in a handful of containers: counting in a small array
 * is cheaper than a Map and a Set per service, and 10,000 services make that count.
 */
function addService(
  name: string,
  svc: Service,
  containersOf: (node: string) => BlastRadius[],
): void {
  const { active, standby } = svc.placement;
  const nodes: string[] = [];
  for (const n of active) if (!nodes.includes(n)) nodes.push(n);
  for (const n of standby ?? []) if (!nodes.includes(n)) nodes.push(n);
  const seen: BlastRadius[] = [];
  const inside: number[] = [];
  const activeHit: boolean[] = [];
  nodes.forEach((n, i) => {
    const isActive = i < active.length && active.includes(n);
    for (const c of containersOf(n)) {
      const at = seen.indexOf(c);
      if (at < 0) {
        seen.push(c);
        inside.push(1);
        activeHit.push(isActive);
      } else {
        inside[at] = (inside[at] as number) + 1;
        if (isActive) activeHit[at] = true;
      }
    }
  });
  seen.forEach((e, i) => {
    if (!activeHit[i]) return;
    e.services.push(name);
    e.tiers[svc.tier] = (e.tiers[svc.tier] ?? 0) + 1;
    if (inside[i] === nodes.length) e.servicesDown.push(name);
  });
}
