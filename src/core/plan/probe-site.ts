// Which site a health probe tells about by itself: a SQL or command probe's `node`, a TCP or
// HTTP probe whose host is a node's address. Undefined for any other (an HAProxy front, a VIP, a
// DNS name, a SQL probe of a data set without a node): those tell about the service as served
// now. Pure; the controller's probe slots and the runbooks' verify step read probes the same way.
import type { Plan, Probe } from './schema/plan.js';

function siteOfHost(plan: Plan, host: string): string | undefined {
  for (const n of Object.values(plan.nodes ?? {})) if (n.address === host) return n.site;
  return undefined;
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
