// Which site a health probe tells about by itself: a SQL or command probe's `node`, a TCP or
// HTTP probe whose host is a node's address. Undefined for any other (an HAProxy front, a VIP, a
// DNS name, a SQL probe of a data set without a node): those tell about the service as served
// now. Pure; the controller's probe slots and the runbooks' verify step read probes the same way.
import type { Plan, Probe } from './schema/plan.js';

/**
 * The site of the first node with each address, built once per plan's nodes (a plan is not
 * changed once loaded): `lifeboat check` asks for every probe of every service, and a scan of
 * 4,000 nodes each time made the check of the bench plan 3 s longer.
 */
const sitesByAddress = new WeakMap<object, Map<string, string>>();

function siteOfHost(plan: Plan, host: string): string | undefined {
  const nodes = plan.nodes;
  if (!nodes) return undefined;
  let sites = sitesByAddress.get(nodes);
  if (!sites) {
    sites = new Map();
    for (const n of Object.values(nodes))
      if (n.address !== undefined && !sites.has(n.address)) sites.set(n.address, n.site);
    sitesByAddress.set(nodes, sites);
  }
  return sites.get(host);
}

function urlHost(url: string): string {
  try {
    return new URL(url).hostname.replace(/^\[|\]$/g, '');
  } catch {
    return '';
  }
}

export function probeFixedSite(plan: Plan, probe: Probe): string | undefined {
  switch (probe.kind) {
    case 'sql':
      return probe.node === undefined ? undefined : plan.nodes?.[probe.node]?.site;
    case 'command':
      return probe.node === undefined ? undefined : plan.nodes?.[probe.node]?.site;
    case 'tcp':
      return siteOfHost(plan, probe.host);
    case 'http':
      return siteOfHost(plan, urlHost(probe.url));
  }
}
