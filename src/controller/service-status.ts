// A service's status as the API shows it (ServiceStatus), and the signature of what it shows:
// the controller sends a `service` event only when the signature changes (a cheap check first).
import type { Plan } from '../core/plan/index.js';
import { slotsOf } from './health.js';
import type { ReplicationJobStatus, ServiceStatus, SiteStatus } from './model.js';
import { type ServiceState, sitesOf } from './service-state.js';

export function serviceStatus(
  plan: Plan,
  s: ServiceState,
  plannedRtoMs: number | undefined,
  jobs: ReplicationJobStatus[],
): ServiceStatus {
  const svc = plan.services?.[s.name];
  const tier = plan.tiers?.[svc?.tier ?? ''];
  const sites: SiteStatus[] = sitesOf(plan, s).map((site) => {
    const slots = slotsOf(s.slots, site, s.activeSite);
    const h = s.health.get(site);
    return {
      site,
      health: h?.health ?? 'unknown',
      failures: Math.max(0, ...slots.filter((x) => !x.spec.observer).map((x) => x.failures)),
      ...(h?.since !== undefined ? { since: h.since } : {}),
      probes: slots.map((x) => ({
        name: x.spec.observer ? `${x.spec.probe.name} (from ${x.spec.from})` : x.spec.probe.name,
        ok: x.last?.ok,
        ...(x.last ? { at: new Date(x.last.at).toISOString() } : {}),
        ...(x.last?.detail !== undefined ? { detail: x.last.detail } : {}),
      })),
    };
  });
  return {
    name: s.name,
    tier: svc?.tier ?? '',
    rtoTargetMs: tier?.rto ?? 0,
    rpoTargetMs: tier?.rpo ?? 0,
    ...(plannedRtoMs !== undefined ? { plannedRtoMs } : {}),
    ...(s.activeSite !== undefined ? { activeSite: s.activeSite } : {}),
    sites,
    rpo: s.rpo.map((r) => ({ ...r })),
    readyToFailOver: s.ready,
    ...(s.readinessDetail ? { readinessDetail: s.readinessDetail } : {}),
    ...(s.outage ? { outage: { ...s.outage, confirmedBy: [...s.outage.confirmedBy] } } : {}),
    onOutage: svc?.onOutage ?? 'propose',
    ...(s.activeRunId !== undefined ? { activeRunId: s.activeRunId } : {}),
    ...(jobs.length > 0 ? { jobs } : {}),
  };
}

/** What the status shows, in short: any change of it changes this string. */
export function statusSignature(s: ServiceState, jobs: ReplicationJobStatus[]): string {
  let sig = `${s.activeSite}|${s.activeRunId}|${s.ready}|${s.readinessDetail}|${s.outage?.action}|${s.outage?.runId}|${s.outage?.site}`;
  for (const [site, h] of s.health) sig += `|${site}:${h.health}`;
  for (const slot of s.slots) sig += `|${slot.failures > 0 ? slot.failures : ''}`;
  for (const r of s.rpo) sig += `|${r.within}`;
  for (const j of jobs)
    sig += `|${j.running}:${j.lastSuccessAt}:${j.lastFailure?.at}:${j.runs.skipped}`;
  return sig;
}
