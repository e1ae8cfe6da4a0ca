// What the controller keeps per service: its probe slots and their samples, health per site,
// the active site and the outage, RPO and readiness, the run acting on it. Built for each plan
// applied, keeping what still applies from the state before; `ServiceStates` holds them all.
import { LifeboatError } from '../core/errors/index.js';
import type { Plan, Service } from '../core/plan/index.js';
import type { PlannedStep } from '../core/runbook/index.js';
import type { StepDrivers } from '../engine/index.js';
import { newSlot, type SlotState } from './health.js';
import type { Health, OutageStatus, ProbeSample, RpoStatus } from './model.js';
import { homeSite, probeSlots, serviceSites } from './probe-slots.js';
import { Ring } from './ring.js';
import type { Generation } from './running-plan.js';

export interface Slot extends SlotState {
  cancel?: () => void;
  busy: boolean;
  /** The probe running now: its abort, and when it started (the watchdog's). */
  ac?: AbortController;
  startedAt?: number;
  probing?: { gen: Generation; driver: ReturnType<StepDrivers['probe']> };
}

/** One probe result as kept in a service's history (made a ProbeSample when read). */
export interface Sample {
  t: number;
  probe: string;
  site: string | undefined;
  from: string;
  ok: boolean;
  ms: number;
  detail: string | undefined;
}

export interface ServiceState {
  name: string;
  slots: Slot[];
  history: Ring<Sample>;
  rpoHistory: Ring<{ at: string; dataSet: string; rpoMs?: number }>;
  health: Map<string, { health: Health; since?: string }>;
  activeSite?: string;
  outage?: OutageStatus;
  rpo: RpoStatus[];
  ready: boolean;
  readinessDetail?: string;
  activeRunId?: string;
  breached: Set<string>;
  failover?: { site: string | undefined; steps: PlannedStep[] | undefined; why?: string };
  acting: boolean;
  signature: string;
}

/** The state of every service of the running plan, by name. */
export class ServiceStates {
  readonly #byName = new Map<string, ServiceState>();

  get(name: string): ServiceState | undefined {
    return this.#byName.get(name);
  }

  values(): IterableIterator<ServiceState> {
    return this.#byName.values();
  }

  /** Whether `s` is still the state of its service (no plan applied since replaced it). */
  current(s: ServiceState): boolean {
    return this.#byName.get(s.name) === s;
  }

  /** `service`'s state (LB_E_CONTROLLER_UNKNOWN_SERVICE if none), or every service's. */
  pick(service?: string): ServiceState[] {
    if (service === undefined) return [...this.#byName.values()];
    const s = this.#byName.get(service);
    if (!s)
      throw new LifeboatError(
        'LB_E_CONTROLLER_UNKNOWN_SERVICE',
        `the running plan has no service \`${service}\``,
      );
    return [s];
  }

  /**
   * Takes the services of `plan` (see `serviceStateFor`). `dropped` is told of each state
   * removed or replaced, once the new one is built; `added` of each new state, once in place.
   */
  apply(
    plan: Plan,
    keep: { probeHistory: number; rpoHistory: number },
    dropped: (s: ServiceState) => void,
    added: (s: ServiceState) => void,
  ): void {
    const names = new Set(Object.keys(plan.services ?? {}));
    for (const [name, s] of this.#byName)
      if (!names.has(name)) {
        dropped(s);
        this.#byName.delete(name);
      }
    for (const name of names) {
      const svc = plan.services?.[name];
      if (!svc) continue;
      const old = this.#byName.get(name);
      const state = serviceStateFor(plan, name, svc, old, keep);
      if (old) dropped(old);
      this.#byName.set(name, state);
      added(state);
    }
  }
}

/**
 * The state of service `name` under `plan`, keeping from `old` (its state under the plan
 * before) the slots whose spec did not change, the histories, health, RPO and readiness, the
 * active site and the outage while their sites remain. The new slots hold no timer.
 */
export function serviceStateFor(
  plan: Plan,
  name: string,
  svc: Service,
  old: ServiceState | undefined,
  keep: { probeHistory: number; rpoHistory: number },
): ServiceState {
  const specs = probeSlots(plan, name, svc);
  const slots: Slot[] = specs.map((spec) => {
    const prev = old?.slots.find(
      (p) => p.spec.key === spec.key && JSON.stringify(p.spec) === JSON.stringify(spec),
    );
    return prev
      ? { ...prev, spec, cancel: undefined, busy: false }
      : { ...newSlot(spec), busy: false };
  });
  const sites = serviceSites(plan, svc);
  const activeSite =
    old?.activeSite !== undefined && plan.sites?.[old.activeSite]
      ? old.activeSite
      : homeSite(plan, svc);
  return {
    name,
    slots,
    history: old?.history ?? new Ring(keep.probeHistory),
    rpoHistory: old?.rpoHistory ?? new Ring(keep.rpoHistory),
    health: old?.health ?? new Map(),
    ...(activeSite !== undefined ? { activeSite } : {}),
    ...(old?.outage && sites.includes(old.outage.site) ? { outage: old.outage } : {}),
    rpo: old?.rpo ?? [],
    ready: old?.ready ?? false,
    ...(old?.readinessDetail !== undefined ? { readinessDetail: old.readinessDetail } : {}),
    ...(old?.activeRunId !== undefined ? { activeRunId: old.activeRunId } : {}),
    breached: old?.breached ?? new Set(),
    acting: false,
    signature: old?.signature ?? '',
  };
}

/** The sites of a service: the plan's, then any other site one of its probes tells about. */
export function sitesOf(plan: Plan, s: ServiceState): string[] {
  const svc = plan.services?.[s.name];
  const sites = svc ? serviceSites(plan, svc) : [];
  for (const slot of s.slots)
    if (slot.spec.site !== undefined && !sites.includes(slot.spec.site)) sites.push(slot.spec.site);
  return sites;
}

/** The newest `limit` samples of a service's history, oldest first, as the API shows them. */
export function probeSamples(s: ServiceState, limit: number): ProbeSample[] {
  return s.history.last(limit).map((x) => ({
    at: new Date(x.t).toISOString(),
    service: s.name,
    probe: x.probe,
    ...(x.site !== undefined ? { site: x.site } : {}),
    from: x.from,
    ok: x.ok,
    ms: x.ms,
    ...(x.detail !== undefined ? { detail: x.detail } : {}),
  }));
}
