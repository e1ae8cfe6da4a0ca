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

function addService(
  name: string,
  svc: Service,
  containersOf: (node: string) => BlastRadius[],
): void {
  const { active, standby } = svc.placement;
  const nodes = standby?.length ? new Set([...active, ...standby]) : new Set(active);
  const inside = new Map<BlastRadius, number>();
  for (const n of nodes) for (const c of containersOf(n)) inside.set(c, (inside.get(c) ?? 0) + 1);
  const hit = new Set<BlastRadius>();
  for (const n of active) for (const c of containersOf(n)) hit.add(c);
  for (const e of hit) {
    e.services.push(name);
    e.tiers[svc.tier] = (e.tiers[svc.tier] ?? 0) + 1;
    if (inside.get(e) === nodes.size) e.servicesDown.push(name);
  }
}
