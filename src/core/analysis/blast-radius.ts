// What falls when one site, failure domain or node fails. A service falls with a container when
// it has an active node inside; it stays down (until restored or rebuilt) when none of its nodes,
// active or standby, is outside. Counting each service's nodes per container makes this linear.
import type { Service } from '../plan/index.js';
import { type PlanIndex, splitDomainKey } from './plan-index.js';
import type { BlastRadius } from './types.js';

const SITE = 's\0';
const DOMAIN = 'd\0';
const NODE = 'n\0';

/** Every container a node is in: its site, its domains (innermost first), itself. */
function containersOf(node: string, index: PlanIndex): string[] {
  const site = index.nodeSite.get(node);
  if (site === undefined) return [];
  const out = [SITE + site];
  for (const d of index.nodeDomains.get(node) ?? []) out.push(DOMAIN + d);
  out.push(NODE + node);
  return out;
}

export function blastRadius(index: PlanIndex): BlastRadius[] {
  const entries = new Map<string, BlastRadius>();
  const entry = (kind: BlastRadius['kind'], key: string, name: string, site: string) => {
    let e = entries.get(key);
    if (!e) {
      e = { kind, name, site, services: [], servicesDown: [], tiers: {} };
      entries.set(key, e);
    }
    return e;
  };
  // Sites and domains are listed even when empty, in plan order: the summary shows them all.
  for (const [siteName, site] of Object.entries(index.plan.sites ?? {})) {
    entry('site', SITE + siteName, siteName, siteName);
    for (const d of Object.keys(site.domains ?? {}))
      entry('domain', `${DOMAIN}${siteName}\0${d}`, d, siteName);
  }
  for (const [name, svc] of index.services) addService(name, svc, index, entry);
  return [...entries.values()].filter((e) => e.kind !== 'node' || e.services.length > 0);
}

function addService(
  name: string,
  svc: Service,
  index: PlanIndex,
  entry: (kind: BlastRadius['kind'], key: string, name: string, site: string) => BlastRadius,
): void {
  const nodes = new Set([...svc.placement.active, ...(svc.placement.standby ?? [])]);
  const inside = new Map<string, number>();
  for (const n of nodes)
    for (const c of containersOf(n, index)) inside.set(c, (inside.get(c) ?? 0) + 1);
  const hit = new Set<string>();
  for (const n of svc.placement.active) for (const c of containersOf(n, index)) hit.add(c);
  for (const c of hit) {
    const e = entryFor(c, index, entry);
    if (!e) continue;
    e.services.push(name);
    e.tiers[svc.tier] = (e.tiers[svc.tier] ?? 0) + 1;
    if (inside.get(c) === nodes.size) e.servicesDown.push(name);
  }
}

function entryFor(
  container: string,
  index: PlanIndex,
  entry: (kind: BlastRadius['kind'], key: string, name: string, site: string) => BlastRadius,
): BlastRadius | undefined {
  const rest = container.slice(2);
  if (container.startsWith(SITE)) return entry('site', container, rest, rest);
  if (container.startsWith(DOMAIN)) {
    const { site, domain } = splitDomainKey(rest);
    return entry('domain', container, domain, site);
  }
  const site = index.nodeSite.get(rest);
  return site === undefined ? undefined : entry('node', container, rest, site);
}
