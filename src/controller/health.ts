// Health per site from consecutive probe results, and when a site's outage is confirmed. Pure
// state transitions, so that the thresholds are tested without timers.
//
// A probe slot goes `down` after `failures` consecutive failures, and `up` again after
// `successes` consecutive successes (the plan's thresholds; the first verdict of a slot takes
// the same counts). A site is down for the controller when one of the controller's own slots
// for it is down, up when all are up, unknown otherwise. An outage of a site is confirmed when
// the controller sees it down and every observer with probes of that site (the witness, another
// site) sees it down too: when the controller alone is cut off from the site, the witness still
// reaches it and nothing is declared. An observer that could not run its probe (unreachable
// itself) confirms nothing.
import type { Health } from './model.js';
import type { SlotSpec } from './probe-slots.js';

export interface SlotState {
  spec: SlotSpec;
  state: Health;
  failures: number;
  successes: number;
  /** When `state` last changed (ms). */
  since?: number;
  last?: { ok: boolean; at: number; detail?: string; ms: number };
}

export function newSlot(spec: SlotSpec): SlotState {
  return { spec, state: 'unknown', failures: 0, successes: 0 };
}

/**
 * Records one result: `ok`, a failure, or `undefined` when an observer could not run the probe
 * (its counts restart and its state becomes unknown). Returns true when the state changed.
 */
export function recordResult(slot: SlotState, ok: boolean | undefined, at: number): boolean {
  const before = slot.state;
  if (ok === undefined) {
    slot.failures = 0;
    slot.successes = 0;
    slot.state = 'unknown';
  } else if (ok) {
    slot.successes++;
    slot.failures = 0;
    if (slot.successes >= slot.spec.probe.successes) slot.state = 'up';
  } else {
    slot.failures++;
    slot.successes = 0;
    if (slot.failures >= slot.spec.probe.failures) slot.state = 'down';
  }
  if (slot.state !== before) slot.since = at;
  return slot.state !== before;
}

/** The slots that tell about `site`: its own, and those following the active site when it is. */
export function slotsOf(slots: readonly SlotState[], site: string, active: string | undefined) {
  return slots.filter(
    (s) => s.spec.site === site || (s.spec.site === undefined && site === active),
  );
}

/** The controller's own view of a site. */
export function siteHealth(slots: readonly SlotState[]): Health {
  const own = slots.filter((s) => !s.spec.observer);
  if (own.some((s) => s.state === 'down')) return 'down';
  if (own.length > 0 && own.every((s) => s.state === 'up')) return 'up';
  return 'unknown';
}

export interface Confirmation {
  confirmed: boolean;
  /** Who sees it down: `controller` first, then observers. */
  confirmedBy: string[];
  /** Observers with probes of the site that do not (yet) see it down. */
  waitingFor: string[];
}

/** Whether a site the controller sees down is confirmed down by every observer of it. */
export function confirmOutage(slots: readonly SlotState[]): Confirmation {
  const byObserver = new Map<string, SlotState[]>();
  for (const s of slots)
    if (s.spec.observer) byObserver.set(s.spec.from, [...(byObserver.get(s.spec.from) ?? []), s]);
  const confirmedBy = ['controller'];
  const waitingFor: string[] = [];
  for (const [from, list] of byObserver) {
    if (list.some((s) => s.state === 'down')) confirmedBy.push(from);
    else waitingFor.push(from);
  }
  return { confirmed: waitingFor.length === 0, confirmedBy, waitingFor };
}
