// Fence leases, the controller's side. The agent on a database node (`lifeboat agent`) renews,
// for each data set with a `fenceLease` it holds a copy of, a lease of `ttl`; it counts the lease
// from the moment it *sent* the renewal, and stops its server if it is a writable primary once
// the lease runs out (ahead of the end by a guard). This side records when it *granted* each
// renewal: later than the agent's send, so the lease the agent believes in always ends before
// `lastRenewedAt + ttl`. Revoked, a lease is renewed no more: the agent fences on its next try or
// at its deadline, and the controller may take over from `safeAt` on, reachable node or not.
//
// A lease nobody renewed lately (no agent, or an agent dead for long) is not held: its node may
// still serve, and a run must fence it by reaching it or ask a person. One clock: wall-clock ms
// (Date.now) on this host; the agents' own clocks only measure intervals.
import type { FenceLeaseTerms } from '../core/plan/index.js';
import type { FenceLeases, LeaseRevocation } from '../engine/index.js';

/** What the agent must be told for one data set. */
export interface LeaseTerms {
  ttlMs: number;
  renewEveryMs: number;
}

export interface LeaseKey {
  service: string;
  dataSet: string;
}

export type LeaseAnswer =
  | ({ state: 'granted' } & LeaseKey & LeaseTerms)
  | ({ state: 'revoked' } & LeaseKey)
  | ({ state: 'unknown'; why: string } & LeaseKey);

interface Entry {
  lastRenewedAt?: number;
  revoked: boolean;
  ttlMs: number;
}

/** Added to the lease's end: clock-rate differences and the agent's timer firing late. */
export const SAFETY_MARGIN_MS = 100;
/** A lease renewed longer ago than this was not held by a live agent when the node failed. */
export const HELD_WITHIN_MS = 120_000;

export class LeaseBook implements FenceLeases {
  readonly #entries = new Map<string, Entry>();
  readonly #startedAt: number;

  /**
   * `terms(service, dataSet)`: the plan's fenceLease of the data set and the nodes holding a copy
   * (undefined when it has none); read on each call, so that a plan reload applies.
   */
  constructor(
    private readonly terms: (service: string, dataSet: string) => FenceLeaseTerms | undefined,
    private readonly now: () => number = Date.now,
  ) {
    this.#startedAt = now();
  }

  static key(service: string, dataSet: string, node: string): string {
    return `${service}\u0000${dataSet}\u0000${node}`;
  }

  /** An agent's renewal of its node's leases. */
  renew(node: string, keys: readonly LeaseKey[]): LeaseAnswer[] {
    const at = this.now();
    return keys.map((k): LeaseAnswer => {
      const t = this.terms(k.service, k.dataSet);
      if (!t) return { ...k, state: 'unknown', why: 'the plan gives this data set no fenceLease' };
      if (!t.nodes.includes(node))
        return { ...k, state: 'unknown', why: `${node} holds no copy of this data set` };
      const key = LeaseBook.key(k.service, k.dataSet, node);
      const e = this.#entries.get(key) ?? { revoked: false, ttlMs: t.ttlMs };
      this.#entries.set(key, e);
      if (e.revoked) return { ...k, state: 'revoked' };
      e.lastRenewedAt = at;
      e.ttlMs = t.ttlMs;
      return { ...k, state: 'granted', ttlMs: t.ttlMs, renewEveryMs: t.renewEveryMs };
    });
  }

  revoke(service: string, dataSet: string, node: string): LeaseRevocation {
    const t = this.terms(service, dataSet);
    if (!t) return { held: false, why: `${service}/${dataSet} has no fenceLease in the plan` };
    const key = LeaseBook.key(service, dataSet, node);
    const e = this.#entries.get(key) ?? { revoked: false, ttlMs: t.ttlMs };
    e.revoked = true;
    this.#entries.set(key, e);
    const now = this.now();
    if (e.lastRenewedAt === undefined || now - e.lastRenewedAt > HELD_WITHIN_MS)
      return {
        held: false,
        why:
          e.lastRenewedAt === undefined
            ? `no agent on ${node} renewed its lease since this controller started`
            : `the agent on ${node} last renewed its lease ${Math.round((now - e.lastRenewedAt) / 1000)} s ago`,
      };
    // Grants of a previous run of the controller (before a restart) end by startedAt + ttl too.
    const ttl = Math.max(e.ttlMs, t.ttlMs);
    const safeAt = Math.max(e.lastRenewedAt, this.#startedAt) + ttl + SAFETY_MARGIN_MS;
    return { held: true, safeAt, ttlMs: ttl, lastRenewedAt: e.lastRenewedAt };
  }

  restore(service: string, dataSet: string, node: string): void {
    const e = this.#entries.get(LeaseBook.key(service, dataSet, node));
    if (e) e.revoked = false;
  }

  /** For the API and metrics: every lease known, with its state now. */
  list(): {
    service: string;
    dataSet: string;
    node: string;
    revoked: boolean;
    lastRenewedAt?: number;
    ttlMs: number;
  }[] {
    return [...this.#entries].map(([key, e]) => {
      const [service = '', dataSet = '', node = ''] = key.split('\u0000');
      return {
        service,
        dataSet,
        node,
        revoked: e.revoked,
        ttlMs: e.ttlMs,
        ...(e.lastRenewedAt !== undefined ? { lastRenewedAt: e.lastRenewedAt } : {}),
      };
    });
  }
}
