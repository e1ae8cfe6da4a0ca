// What the diagram shows, before any geometry: sites with their failure domains and nodes, the
// services on each node, replication and traffic edges. The SVG and the DOT text draw this same
// graph. Caps are applied here so that neither output grows with the size of the estate.
import { formatDuration } from '../plan/duration.js';
import type { Plan, PlanNode, Service } from '../plan/schema/plan.js';
import { allNodes, groupColumns, orderSites } from './diagram-columns.js';

export { allNodes };

export const DIAGRAM_LIMITS = {
  servicesPerNode: 8,
  nodesPerSite: 24,
  domainsPerSite: 40,
  trafficItems: 24,
  edges: 60,
} as const;
export type DiagramLimits = { [K in keyof typeof DIAGRAM_LIMITS]: number };

export interface GraphService {
  name: string;
  tier: string;
  standby: boolean;
}
export interface GraphNode {
  name: string;
  site: string;
  services: GraphService[];
  hiddenServices: number;
}
export interface GraphBox {
  name: string;
  kind: string;
  boxes: GraphBox[];
  nodes: GraphNode[];
}
export interface GraphSite extends GraphBox {
  role: string;
  provider: string;
  hiddenNodes: number;
  hiddenDomains: number;
}
export interface GraphTraffic {
  /** `T1`, `T2`...: the label that ties an arrow to its item. */
  id: string;
  service: string;
  kind: 'dns' | 'haproxy' | 'vip';
  label: string;
  targets: { node: string; standby: boolean }[];
}
export interface GraphReplication {
  service: string;
  data: string;
  from: string;
  to: string;
  label: string;
}
export interface DiagramGraph {
  title: string;
  /** Tiers, most critical (shortest RTO) first; the index is the tier's style. */
  tiers: { name: string; rtoMs: number }[];
  sites: GraphSite[];
  /** Columns of the drawing, left to right: small neighbouring sites share one. */
  columns: GraphSite[][];
  traffic: GraphTraffic[];
  replication: GraphReplication[];
  omitted: { services: number; nodes: number; domains: number; traffic: number; edges: number };
  limits: DiagramLimits;
}

const ROLE_ORDER: Record<string, number> = { primary: 0, offsite: 1, witness: 2 };

function tierOrder(plan: Plan): { name: string; rtoMs: number }[] {
  return Object.entries(plan.tiers ?? {})
    .map(([name, t]) => ({ name, rtoMs: t.rto }))
    .sort((a, b) => a.rtoMs - b.rtoMs || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function nodeServices(plan: Plan, node: string, rank: Map<string, number>): GraphService[] {
  const out: GraphService[] = [];
  for (const [name, svc] of Object.entries(plan.services ?? {})) {
    if (svc.placement.active.includes(node)) out.push({ name, tier: svc.tier, standby: false });
    else if (svc.placement.standby?.includes(node))
      out.push({ name, tier: svc.tier, standby: true });
  }
  // The most critical first, so a capped node still shows what matters; sort is stable.
  const r = (s: GraphService) => rank.get(s.tier) ?? Number.MAX_SAFE_INTEGER;
  return out.sort((a, b) => Number(a.standby) - Number(b.standby) || r(a) - r(b));
}

function buildSite(
  plan: Plan,
  name: string,
  nodes: [string, PlanNode][],
  limits: DiagramLimits,
  rank: Map<string, number>,
  omitted: DiagramGraph['omitted'],
): GraphSite {
  const site = plan.sites?.[name];
  const drawn = nodes.slice(0, limits.nodesPerSite);
  const domains = site?.domains ?? {};
  const boxes = new Map<string, GraphBox>();
  const box = (d: string): GraphBox => {
    let b = boxes.get(d);
    if (!b) {
      b = { name: d, kind: domains[d]?.kind ?? 'domain', boxes: [], nodes: [] };
      boxes.set(d, b);
    }
    return b;
  };
  const root: GraphSite = {
    name,
    kind: 'site',
    role: site?.role ?? 'unknown',
    provider: site?.provider ?? '',
    boxes: [],
    nodes: [],
    hiddenNodes: nodes.length - drawn.length,
    hiddenDomains: 0,
  };
  // Domains in plan order, each under its parent; at most domainsPerSite boxes are drawn.
  let count = 0;
  const attached = new Set<string>();
  const attach = (d: string, depth = 0): GraphBox | undefined => {
    if (attached.has(d)) return boxes.get(d);
    if (!(d in domains) || depth > 20 || count >= limits.domainsPerSite) return undefined;
    const parent = domains[d]?.parent;
    const container = parent === undefined ? root : attach(parent, depth + 1);
    if (!container) return undefined;
    count++;
    attached.add(d);
    const b = box(d);
    container.boxes.push(b);
    return b;
  };
  for (const d of Object.keys(domains)) attach(d);
  root.hiddenDomains = Object.keys(domains).length - attached.size;
  for (const [nodeName, node] of drawn) {
    const services = nodeServices(plan, nodeName, rank);
    const shown = services.slice(0, limits.servicesPerNode);
    const g: GraphNode = {
      name: nodeName,
      site: name,
      services: shown,
      hiddenServices: services.length - shown.length,
    };
    omitted.services += g.hiddenServices;
    const holder = node.domain !== undefined ? attach(node.domain) : undefined;
    (holder ?? root).nodes.push(g);
  }
  omitted.nodes += root.hiddenNodes;
  omitted.domains += root.hiddenDomains;
  return root;
}

/** `async ~5s`, `rsync every 1h`, `sync`. */
export function replicationLabel(
  mode: string,
  interval?: number,
  lag?: number,
  tool?: string,
): string {
  if (mode === 'async') return `async ~${formatDuration(lag ?? 5_000)}`;
  if (mode === 'periodic')
    return `${tool ?? 'copy'} every ${interval === undefined ? '?' : formatDuration(interval)}`;
  return mode;
}

function trafficTargets(svc: Service): { node: string; standby: boolean }[] {
  const active = svc.placement.active.map((node) => ({ node, standby: false }));
  const standby = (svc.placement.standby ?? []).map((node) => ({ node, standby: true }));
  return [...active, ...standby];
}

export function buildDiagramGraph(
  plan: Plan,
  limits: DiagramLimits = DIAGRAM_LIMITS,
): DiagramGraph {
  const tiers = tierOrder(plan);
  const rank = new Map(tiers.map((t, i) => [t.name, i]));
  const omitted = { services: 0, nodes: 0, domains: 0, traffic: 0, edges: 0 };
  const bySite = new Map<string, [string, PlanNode][]>();
  for (const entry of Object.entries(plan.nodes ?? {})) {
    const list = bySite.get(entry[1].site) ?? [];
    list.push(entry);
    bySite.set(entry[1].site, list);
  }
  const siteNames = Object.keys(plan.sites ?? {}).sort(
    (a, b) =>
      (ROLE_ORDER[plan.sites?.[a]?.role ?? ''] ?? 3) -
      (ROLE_ORDER[plan.sites?.[b]?.role ?? ''] ?? 3),
  );
  const byRole = siteNames.map((s) =>
    buildSite(plan, s, bySite.get(s) ?? [], limits, rank, omitted),
  );
  const drawn = new Set(byRole.flatMap((s) => allNodes(s).map((n) => n.name)));

  const traffic: GraphTraffic[] = [];
  const replication: GraphReplication[] = [];
  let edges = 0;
  const room = () => edges < limits.edges;
  for (const [name, svc] of Object.entries(plan.services ?? {})) {
    for (const d of svc.data ?? []) {
      const from = d.source ?? svc.placement.active[0];
      if (d.replication.mode === 'none' || from === undefined) continue;
      for (const to of d.targets ?? []) {
        if (!drawn.has(from) || !drawn.has(to) || !room()) {
          omitted.edges++;
          continue;
        }
        const r = d.replication;
        replication.push({
          service: name,
          data: d.name,
          from,
          to,
          label: replicationLabel(r.mode, r.interval, r.expectedLag, r.tool),
        });
        edges++;
      }
    }
    for (const t of svc.traffic ?? []) {
      if (t.kind === 'none') continue;
      const targets = trafficTargets(svc);
      const shown = targets.filter((x) => drawn.has(x.node));
      if (shown.length === 0 || traffic.length >= limits.trafficItems || !room()) {
        omitted.traffic++;
        omitted.edges += targets.length;
        continue;
      }
      const kept = shown.slice(0, Math.max(1, limits.edges - edges));
      omitted.edges += targets.length - kept.length;
      edges += kept.length;
      const label =
        t.kind === 'dns'
          ? `DNS ${t.record} · TTL ${formatDuration(t.ttl)}`
          : t.kind === 'haproxy'
            ? `HAProxy ${t.backend}${t.node === undefined ? '' : ` on ${t.node}`}`
            : `VIP ${t.address}`;
      traffic.push({
        id: `T${traffic.length + 1}`,
        service: name,
        kind: t.kind,
        label,
        targets: kept,
      });
    }
  }
  const sites = orderSites(byRole, traffic, replication);
  return {
    title: plan.name,
    tiers,
    sites,
    columns: groupColumns(sites),
    traffic,
    replication,
    omitted,
    limits,
  };
}
