// Which probes the controller runs for a service, and which site each one tells about. Pure.
//
// A probe tells about the site of its target: a SQL probe's node (without a node, the probe is
// run once per site holding a copy of its data set, aimed there: StepDrivers.probe(svc, name,
// site)), a command probe's node, a TCP or HTTP probe whose host is a node's address. A probe
// whose target is no node of the plan (an HAProxy front, a VIP, a DNS name) tells about the
// service as served now: it counts for the active site, whichever that is.
//
// Where it runs: `from` (default `controller`). Probes from anywhere else (`witness`, a site)
// are observers: they do not make a site down by themselves, they confirm (or not) what the
// controller sees.
import { type Plan, type Probe, probeFixedSite, type Service } from '../core/plan/index.js';

export interface SlotSpec {
  /** `<probe>@<site>` or `<probe>` for a probe that follows the active site; unique in the service. */
  key: string;
  service: string;
  probe: Probe;
  /** The site it tells about; undefined: the active site. */
  site?: string;
  /** The site given to StepDrivers.probe (aims a SQL probe without a node). */
  aimAt?: string;
  /** `controller`, `witness`, or a site name. */
  from: string;
  observer: boolean;
}

/** `witness` for the witness role or a site whose role is witness; else as written. */
export function observerName(plan: Plan, from: string | undefined): string {
  if (from === undefined || from === 'controller') return 'controller';
  if (from === 'witness' || plan.sites?.[from]?.role === 'witness') return 'witness';
  return from;
}

export function probeSlots(plan: Plan, name: string, svc: Service): SlotSpec[] {
  const out: SlotSpec[] = [];
  for (const probe of svc.health ?? []) {
    const from = observerName(plan, probe.from);
    const base = { service: name, probe, from, observer: from !== 'controller' };
    let sites: (string | undefined)[] = [undefined];
    let aim = false;
    if (probe.kind === 'sql' && probe.node === undefined) {
      // One slot per site holding a copy of the data set, each aimed there.
      const ds = svc.data?.find((d) => d.name === probe.data);
      const nodes = [ds?.source, ...(ds?.targets ?? [])];
      const found = [
        ...new Set(nodes.map((n) => (n === undefined ? undefined : plan.nodes?.[n]?.site))),
      ].filter((s): s is string => s !== undefined);
      if (found.length > 0) {
        sites = found;
        aim = true;
      }
    } else sites = [probeFixedSite(plan, probe)];
    for (const site of sites)
      out.push({
        ...base,
        key: site === undefined ? probe.name : `${probe.name}@${site}`,
        ...(site !== undefined ? { site } : {}),
        ...(aim && site !== undefined ? { aimAt: site } : {}),
      });
  }
  return out;
}

/** The sites a service runs on, its active nodes' first, in placement order. */
export function serviceSites(plan: Plan, svc: Service): string[] {
  const sites: string[] = [];
  for (const n of [...svc.placement.active, ...(svc.placement.standby ?? [])]) {
    const s = plan.nodes?.[n]?.site;
    if (s !== undefined && !sites.includes(s)) sites.push(s);
  }
  return sites;
}

/** The plan's primary site for the service: the site of its first active node. */
export function homeSite(plan: Plan, svc: Service): string | undefined {
  const first = svc.placement.active[0];
  return first === undefined ? undefined : plan.nodes?.[first]?.site;
}
