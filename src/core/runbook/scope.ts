// Where a service moves from and to, and which of its nodes play which part. The plan declares
// the steady state (`placement.active` is where the service runs normally); a run names the
// sites (`--from`, `--to`) or takes the defaults below, and every step then acts on the nodes
// this resolution picked, so the choice is made once and printed once.
import {
  type DataSet,
  type Diagnostic,
  diagnostic,
  type Plan,
  type PlanPath,
  type Service,
} from '../plan/index.js';
import type { RunParams } from './types.js';

/** One service of the plan, as every builder of steps sees it. */
export interface Scope {
  plan: Plan;
  name: string;
  svc: Service;
  /** `['services', name]`: where the service's diagnostics point. */
  path: PlanPath;
}

export function scopeOf(plan: Plan, name: string, svc: Service): Scope {
  return { plan, name, svc, path: ['services', name] };
}

/** A move of the service's primary role from one site to another. */
export interface Move {
  from: string;
  to: string;
  /** The node that serves (or served) at `from`: the old primary. */
  fromNode: string;
  /** The node that takes over at `to`. */
  toNode: string;
}

export function siteOf(plan: Plan, node: string): string | undefined {
  return plan.nodes?.[node]?.site;
}

/** The site where the service runs normally: its first active node's. */
export function homeSite(scope: Scope): string | undefined {
  return siteOf(scope.plan, scope.svc.placement.active[0] as string);
}

/** The service's nodes on `site`, active ones first or standby ones first. */
export function nodesOn(scope: Scope, site: string, prefer: 'active' | 'standby'): string[] {
  const { active, standby = [] } = scope.svc.placement;
  const order = prefer === 'active' ? [...active, ...standby] : [...standby, ...active];
  return [...new Set(order)].filter((n) => siteOf(scope.plan, n) === site);
}

/** The first site other than `except` holding a node of the service, standby nodes first. */
function otherSite(scope: Scope, except: string | undefined): string | undefined {
  const { active, standby = [] } = scope.svc.placement;
  for (const n of [...standby, ...active]) {
    const site = siteOf(scope.plan, n);
    if (site !== undefined && site !== except) return site;
  }
  return undefined;
}

/** `--from`/`--to` must name sites of the plan; checked once per run, before any service. */
export function checkSites(plan: Plan, params: RunParams, out: Diagnostic[]): boolean {
  const sites = Object.keys(plan.sites ?? {});
  let ok = true;
  for (const [flag, site] of [
    ['--from', params.from],
    ['--to', params.to],
  ] as const) {
    if (site === undefined || sites.includes(site)) continue;
    ok = false;
    out.push(
      diagnostic('LB_E_RUNBOOK_UNKNOWN_SITE', `${flag} ${site}: the plan has no such site`, {
        hint: `Known sites: ${sites.map((s) => `\`${s}\``).join(', ')}.`,
      }),
    );
  }
  if (ok && params.from !== undefined && params.from === params.to) {
    ok = false;
    out.push(diagnostic('LB_E_RUNBOOK_SAME_SITE', `--from and --to are both ${params.from}`));
  }
  return ok;
}

/**
 * `away` (failover, switchover): from the home site (default) to the first other site with a
 * standby. `home` (failback): from the first other site back to the home site. Explicit
 * `--from`/`--to` win. The old primary is the first active node on `from` (standby nodes after),
 * the new one the first standby on `to` (for `home`: the first active node there).
 */
export function resolveMove(
  scope: Scope,
  params: RunParams,
  direction: 'away' | 'home',
  out: Diagnostic[],
): Move | undefined {
  const home = homeSite(scope);
  const from = params.from ?? (direction === 'away' ? home : otherSite(scope, params.to ?? home));
  const to = params.to ?? (direction === 'away' ? otherSite(scope, from) : home);
  if (from !== undefined && from === to) {
    out.push(
      diagnostic('LB_E_RUNBOOK_SAME_SITE', `\`${scope.name}\` would move from ${from} to itself`, {
        path: [...scope.path, 'placement'],
      }),
    );
    return undefined;
  }
  const fromNode =
    from === undefined
      ? undefined
      : nodesOn(scope, from, direction === 'away' ? 'active' : 'standby')[0];
  const toNode =
    to === undefined
      ? undefined
      : nodesOn(scope, to, direction === 'away' ? 'standby' : 'active')[0];
  const placement = [...scope.path, 'placement'];
  if (from === undefined || fromNode === undefined) {
    out.push(
      diagnostic(
        'LB_E_RUNBOOK_NOT_ON_SITE',
        `\`${scope.name}\` has no node on ${from === undefined ? 'any site to leave' : `site ${from}`}`,
        { path: placement },
      ),
    );
    return undefined;
  }
  if (to === undefined || toNode === undefined) {
    out.push(
      diagnostic(
        'LB_E_RUNBOOK_NO_STANDBY',
        `\`${scope.name}\` has no node on ${to === undefined ? 'another site' : `site ${to}`} to take over from ${from}`,
        { path: placement },
      ),
    );
    return undefined;
  }
  return { from, to, fromNode, toNode };
}

export function isDatabase(d: DataSet): boolean {
  return d.kind === 'postgres' || d.kind === 'mariadb';
}

/** Nodes holding a copy of the data set: its source, then its targets. */
export function dataNodes(d: DataSet): string[] {
  return [...new Set([...(d.source === undefined ? [] : [d.source]), ...(d.targets ?? [])])];
}

/** The node of the data set on `site`, if any. */
export function dataNodeOn(scope: Scope, d: DataSet, site: string): string | undefined {
  return dataNodes(d).find((n) => siteOf(scope.plan, n) === site);
}

export type DataRecovery = 'promote' | 'restore' | 'none';

/**
 * What a data set needs on the way back. With a standby, a streaming database replica is
 * promoted, while periodically copied databases (dumps) must be loaded; files are already
 * mirrored, and backup sets are the safety net, not the failover path. When rebuilding, every
 * data set that has a copy somewhere is restored onto the new machines.
 */
export function dataRecovery(d: DataSet, mode: 'standby' | 'rebuild'): DataRecovery {
  if (d.kind === 'none') return 'none';
  const r = d.replication.mode;
  if (mode === 'standby') {
    if (!isDatabase(d)) return 'none';
    if (r === 'sync' || r === 'async') return 'promote';
    return r === 'periodic' ? 'restore' : 'none';
  }
  const hasCopy = r !== 'none' || (d.targets?.length ?? 0) > 0 || d.storage !== undefined;
  return hasCopy ? 'restore' : 'none';
}
