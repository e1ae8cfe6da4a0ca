// "Don't put all eggs in the same basket": findings about where standbys sit relative to what
// they protect, services of the highest tier that one site outage stops, and shared nodes.
import { type Diagnostic, diagnostic, type Service } from '../plan/index.js';
import { type PlanIndex, sitesOf, splitDomainKey } from './plan-index.js';

/** The innermost thing two nodes share, from the node itself out to the site; none when apart. */
export type Shared =
  | { level: 'node' }
  | { level: 'domain'; key: string; depth: number }
  | { level: 'site'; site: string }
  | undefined;

export function sharedDomain(standby: string, active: string, index: PlanIndex): Shared {
  if (standby === active) return { level: 'node' };
  const site = index.nodeSite.get(standby);
  if (site === undefined || site !== index.nodeSite.get(active)) return undefined;
  const activeChain = new Set(index.nodeDomains.get(active) ?? []);
  const chain = index.nodeDomains.get(standby) ?? [];
  for (let depth = 0; depth < chain.length; depth++) {
    const key = chain[depth] as string;
    if (activeChain.has(key)) return { level: 'domain', key, depth };
  }
  return { level: 'site', site };
}

/** Lower is closer: the node itself, then domains from the innermost, then the site. */
function closeness(s: Shared): number {
  if (!s) return Number.POSITIVE_INFINITY;
  if (s.level === 'node') return 0;
  return s.level === 'domain' ? 1 + s.depth : 1_000;
}

export function failureDomainFindings(index: PlanIndex): Diagnostic[] {
  const out: Diagnostic[] = [];
  const activeOn = new Map<string, string[]>();
  for (const [name, svc] of index.services) {
    svc.placement.active.forEach((n, i) => {
      if (svc.placement.active.indexOf(n) !== i) return;
      const list = activeOn.get(n);
      if (list) list.push(name);
      else activeOn.set(n, [name]);
    });
    const offsiteMissing = noStandbyOffsite(name, svc, index, out);
    standbyFindings(name, svc, index, offsiteMissing, out);
  }
  for (const [node, services] of activeOn) {
    if (services.length < 2) continue;
    const tiers = [...new Set(services.map((s) => index.plan.services?.[s]?.tier as string))].sort(
      (a, b) => (index.tierRank.get(a) ?? 0) - (index.tierRank.get(b) ?? 0),
    );
    out.push(
      diagnostic(
        'LB_E_CHECK_SHARED_NODE',
        `${listNames(services)} run on node \`${node}\` (tier${tiers.length > 1 ? 's' : ''} ${tiers.join(', ')}): they fail together`,
        { path: ['nodes', node] },
      ),
    );
  }
  return out;
}

/** A highest-tier service whose every node sits on its one active site. */
function noStandbyOffsite(
  name: string,
  svc: Service,
  index: PlanIndex,
  out: Diagnostic[],
): boolean {
  if (!index.highestTiers.has(svc.tier)) return false;
  const activeSites = sitesOf(svc.placement.active, index);
  if (activeSites.length !== 1) return false;
  const site = activeSites[0] as string;
  if ((svc.placement.standby ?? []).some((n) => index.nodeSite.get(n) !== site)) return false;
  out.push(
    diagnostic(
      'LB_E_CHECK_NO_STANDBY_OFFSITE',
      `\`${name}\` (tier ${svc.tier}) runs only on site \`${site}\` with no standby elsewhere: an outage of \`${site}\` stops it`,
      { path: ['services', name, 'placement'] },
    ),
  );
  return true;
}

/**
 * A standby sharing a node or failure domain with an active node is reported always: it does not
 * survive that domain. Sharing only the site is normal for a local HA peer, so it is reported
 * only when no standby at all is outside the active site (and NO_STANDBY_OFFSITE did not already say so).
 */
function standbyFindings(
  name: string,
  svc: Service,
  index: PlanIndex,
  offsiteMissing: boolean,
  out: Diagnostic[],
): void {
  const standby = svc.placement.standby ?? [];
  const sameSite: string[] = [];
  standby.forEach((sb, j) => {
    let closest: Shared;
    let activeNode = '';
    for (const a of svc.placement.active) {
      const s = sharedDomain(sb, a, index);
      if (closeness(s) < closeness(closest)) {
        closest = s;
        activeNode = a;
      }
    }
    if (!closest) return;
    if (closest.level === 'site') {
      sameSite.push(sb);
      return;
    }
    const where =
      closest.level === 'node'
        ? 'is the active node itself'
        : `shares ${describeDomain(closest.key, index)} with active node \`${activeNode}\``;
    out.push(
      diagnostic(
        'LB_E_CHECK_SAME_FAILURE_DOMAIN',
        `\`${name}\`: standby \`${sb}\` ${where}: both fail together`,
        { path: ['services', name, 'placement', 'standby', j] },
      ),
    );
  });
  if (
    sameSite.length > 0 &&
    sameSite.length === standby.length &&
    !offsiteMissing &&
    sitesOf(svc.placement.active, index).length === 1
  ) {
    const site = index.nodeSite.get(sameSite[0] as string);
    out.push(
      diagnostic(
        'LB_E_CHECK_SAME_FAILURE_DOMAIN',
        `\`${name}\`: every standby (${listNames(sameSite)}) is on site \`${site}\` with the active nodes: an outage of \`${site}\` stops it`,
        { path: ['services', name, 'placement', 'standby'] },
      ),
    );
  }
}

function describeDomain(key: string, index: PlanIndex): string {
  const { site, domain } = splitDomainKey(key);
  const kind = index.plan.sites?.[site]?.domains?.[domain]?.kind ?? 'domain';
  return `${kind} \`${domain}\``;
}

/** `a`, `a and b`, `a, b and c`, or the first ten and a count. */
export function listNames(names: readonly string[], max = 10): string {
  const shown = names.slice(0, max).map((n) => `\`${n}\``);
  if (names.length > max) return `${shown.join(', ')} and ${names.length - max} more`;
  if (shown.length <= 1) return shown.join('');
  return `${shown.slice(0, -1).join(', ')} and ${shown[shown.length - 1]}`;
}
