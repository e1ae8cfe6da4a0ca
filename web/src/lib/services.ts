// Pure: the overview's grouping, ordering and filtering of services.
import type { Health, ServiceStatus } from '../../../src/server/api-types.js';

const TIER_ORDER = ['high', 'medium', 'low'];

/** High, Medium, Low first (any case), then other tiers alphabetically. */
export function compareTiers(a: string, b: string): number {
  const ia = TIER_ORDER.indexOf(a.toLowerCase());
  const ib = TIER_ORDER.indexOf(b.toLowerCase());
  const ra = ia < 0 ? TIER_ORDER.length : ia;
  const rb = ib < 0 ? TIER_ORDER.length : ib;
  return ra !== rb ? ra - rb : a.localeCompare(b);
}

/** What the overview says about a service as a whole. */
export type OverallStatus = 'down' | 'degraded' | 'unknown' | 'up';

/**
 * down: the active site (or every site) is down, or an outage is confirmed; degraded: some
 * other site is down, or the RPO is over target; unknown: no site known; up otherwise.
 */
export function overallStatus(s: ServiceStatus): OverallStatus {
  if (s.outage) return 'down';
  const health = (site: string | undefined): Health | undefined =>
    s.sites.find((x) => x.site === site)?.health;
  const all = s.sites.map((x) => x.health);
  if (all.length > 0 && all.every((h) => h === 'down')) return 'down';
  if (s.activeSite && health(s.activeSite) === 'down') return 'down';
  if (all.includes('down')) return 'degraded';
  if (s.rpo.some((r) => r.within === false)) return 'degraded';
  const serving = s.activeSite ? health(s.activeSite) === 'up' : all.includes('up');
  return serving ? 'up' : 'unknown';
}

const STATUS_RANK: Record<OverallStatus, number> = { down: 0, degraded: 1, unknown: 2, up: 3 };

export type ServiceSort = 'name' | 'status';

/** By name; or worst first (down, degraded, unknown, OK; a run in progress first among equals). */
export function compareServices(sort: ServiceSort): (a: ServiceStatus, b: ServiceStatus) => number {
  if (sort === 'name') return (a, b) => a.name.localeCompare(b.name);
  return (a, b) =>
    STATUS_RANK[overallStatus(a)] - STATUS_RANK[overallStatus(b)] ||
    Number(Boolean(b.activeRunId)) - Number(Boolean(a.activeRunId)) ||
    a.name.localeCompare(b.name);
}

export interface ServiceFilter {
  /** '' for every tier. */
  tier: string;
  /** '' for every status; 'attention' = anything but up; 'running' = a run acts on it. */
  status: '' | OverallStatus | 'attention' | 'running';
  /** Case-insensitive words, all of which must match the name, tier or a site. */
  text: string;
}

export const NO_FILTER: ServiceFilter = { tier: '', status: '', text: '' };

export function matches(s: ServiceStatus, f: ServiceFilter): boolean {
  if (f.tier && s.tier !== f.tier) return false;
  if (f.status) {
    const st = overallStatus(s);
    if (f.status === 'attention') {
      if (st === 'up') return false;
    } else if (f.status === 'running') {
      if (!s.activeRunId) return false;
    } else if (st !== f.status) return false;
  }
  const words = f.text.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length > 0) {
    const hay = `${s.name} ${s.tier} ${s.activeSite ?? ''}`.toLowerCase();
    if (!words.every((w) => hay.includes(w))) return false;
  }
  return true;
}

export interface TierGroup {
  tier: string;
  services: ServiceStatus[];
  /** In the tier before filtering. */
  total: number;
}

/** Services grouped by tier (High first), by name (or worst first) inside a tier; empty groups are kept. */
export function groupByTier(
  services: readonly ServiceStatus[],
  filter: ServiceFilter = NO_FILTER,
  sort: ServiceSort = 'name',
): TierGroup[] {
  const byTier = new Map<string, TierGroup>();
  for (const s of services) {
    let g = byTier.get(s.tier);
    if (!g) {
      g = { tier: s.tier, services: [], total: 0 };
      byTier.set(s.tier, g);
    }
    g.total += 1;
    if (matches(s, filter)) g.services.push(s);
  }
  const groups = [...byTier.values()].sort((a, b) => compareTiers(a.tier, b.tier));
  const cmp = compareServices(sort);
  for (const g of groups) g.services.sort(cmp);
  return groups;
}

/** The tiers present, in display order. */
export function tiersOf(services: readonly ServiceStatus[]): string[] {
  return [...new Set(services.map((s) => s.tier))].sort(compareTiers);
}

/**
 * Replaces one service by name (a `service` event), keeping every other object identical so
 * that memoised rows do not re-render; appends it when new.
 */
export function upsertService(
  services: readonly ServiceStatus[],
  next: ServiceStatus,
): ServiceStatus[] {
  const i = services.findIndex((s) => s.name === next.name);
  if (i < 0) return [...services, next];
  const out = services.slice();
  out[i] = next;
  return out;
}

export interface StatusCounts {
  up: number;
  degraded: number;
  down: number;
  unknown: number;
  running: number;
}

export function countStatuses(services: readonly ServiceStatus[]): StatusCounts {
  const c: StatusCounts = { up: 0, degraded: 0, down: 0, unknown: 0, running: 0 };
  for (const s of services) {
    c[overallStatus(s)] += 1;
    if (s.activeRunId) c.running += 1;
  }
  return c;
}

/**
 * The plan's traffic methods for a service, read defensively from GET /plan (the plan as JSON,
 * not typed in api-types): `services.<name>.traffic` is a list or one mapping with a `kind`.
 */
export function trafficKinds(plan: unknown, service: string): string[] {
  const root = asObj(plan);
  const services = asObj(root?.services) ?? asObj(asObj(root?.plan)?.services);
  const svc = asObj(services?.[service]);
  const traffic = svc?.traffic;
  const items = Array.isArray(traffic) ? traffic : traffic === undefined ? [] : [traffic];
  return items
    .map((t) => {
      const o = asObj(t);
      const kind = typeof o?.kind === 'string' ? o.kind : undefined;
      const name = typeof o?.name === 'string' ? o.name : undefined;
      return kind ? (name ? `${kind} (${name})` : kind) : undefined;
    })
    .filter((k): k is string => k !== undefined);
}

function asObj(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
    ? (v as Record<string, unknown>)
    : undefined;
}
