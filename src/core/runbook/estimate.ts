// How long each derived step is expected to take, how long before it counts as stuck, and how
// often a retryable failure is retried. Durations come from the plan first, then from the one
// default table (src/core/analysis/estimates.ts); `lifeboat check` sums the same numbers, so a
// dry-run's total and check's planned RTO cannot disagree.
import {
  DEFAULT_ESTIMATES,
  type DefaultEstimate,
  parseSize,
  RESTORE_BYTES_PER_SECOND,
  restoreMsForSize,
  TRAFFIC_ESTIMATES,
} from '../analysis/estimates.js';
import type { DataSet, DerivedStep, Service, Traffic } from '../plan/index.js';
import type { EstimateSource } from './types.js';

const M = 60_000;
const H = 60 * M;

export interface Estimate {
  ms: number;
  source: EstimateSource;
  /** How a default was computed, for the description ("150GiB at 25 MiB/s"). */
  note?: string;
}

const UNKNOWN: Estimate = { ms: 0, source: 'unknown' };

/** The service's `estimates` entry, else the default, else unknown (counted 0). */
export function derivedEstimate(
  svc: Service,
  kind: DerivedStep,
  fallback: DefaultEstimate | undefined = DEFAULT_ESTIMATES[kind],
): Estimate {
  const planned = svc.estimates?.[kind];
  if (planned !== undefined) return { ms: planned, source: 'plan' };
  return fallback ? { ms: fallback.ms, source: 'default' } : UNKNOWN;
}

/**
 * A traffic switch: a DNS update by hand takes a human at a console, an automated one a
 * read-back; HAProxy and keepalived are a few commands. `estimates.switch-traffic` wins.
 */
export function trafficEstimate(svc: Service, t: Traffic, byHand: boolean): Estimate {
  const fallback =
    t.kind === 'dns'
      ? byHand
        ? TRAFFIC_ESTIMATES.dnsManual
        : DEFAULT_ESTIMATES['switch-traffic']
      : t.kind === 'haproxy'
        ? TRAFFIC_ESTIMATES.haproxy
        : TRAFFIC_ESTIMATES.vip;
  return derivedEstimate(svc, 'switch-traffic', fallback);
}

/** `restoreDuration`, else `estimates.restore`, else the size at the default rate, else unknown. */
export function restoreEstimate(svc: Service, d: DataSet): Estimate {
  if (d.restoreDuration !== undefined) return { ms: d.restoreDuration, source: 'plan' };
  const planned = svc.estimates?.restore;
  if (planned !== undefined) return { ms: planned, source: 'plan' };
  const bytes = d.size === undefined ? undefined : parseSize(d.size);
  if (bytes === undefined) return UNKNOWN;
  return {
    ms: restoreMsForSize(bytes),
    source: 'default',
    note: `${d.size} at ${RESTORE_BYTES_PER_SECOND / 1024 ** 2} MiB/s`,
  };
}

/** Rebuilding from scratch: `redeploy.duration`, else `estimates.redeploy`, else unknown. */
export function redeployEstimate(svc: Service): Estimate {
  const ms = svc.redeploy?.duration ?? svc.estimates?.redeploy;
  return ms === undefined ? UNKNOWN : { ms, source: 'plan' };
}

/** The idle colour's upgrade: `upgrade.duration` (required with `upgrade`), else `estimates.upgrade`. */
export function upgradeEstimate(svc: Service): Estimate {
  const ms = svc.upgrade?.duration ?? svc.estimates?.upgrade;
  return ms === undefined ? UNKNOWN : { ms, source: 'plan' };
}

/** A step written in the plan: its own `estimate`, else unknown. */
export function stepEstimate(estimate: number | undefined): Estimate {
  return estimate === undefined ? UNKNOWN : { ms: estimate, source: 'plan' };
}

/**
 * When a step counts as stuck: twice its estimate plus a minute (slow is fine, stuck is not), at
 * least 2 minutes, at most a day. A step waiting for a human gets at least an hour; one without
 * an estimate gets an hour (4 for a human), since nothing better is known.
 */
export function stepTimeoutMs(e: Estimate, human: boolean): number {
  if (e.source === 'unknown' || e.ms <= 0) return human ? 4 * H : H;
  return Math.min(Math.max(2 * e.ms + M, human ? H : 2 * M), 24 * H);
}

/**
 * Retries of a retryable failure, by operation. Effects are idempotent (drivers re-check their
 * target first), so retrying a fence, a switch or a sync is safe; a promote is retried once (a
 * second promote of a promoted server is a no-op); playbooks, rebuilds, checks and human steps
 * are not retried automatically: a failed playbook needs a look, a failed check is an answer.
 */
const RETRIES = new Map<string, number>([
  ['fence', 2],
  ['unfence', 2],
  ['promote', 1],
  ['switch', 2],
  ['read-only', 2],
  ['sync', 2],
  ['verify', 2],
]);

export function stepRetries(action: string): number {
  const dot = action.indexOf('.');
  return RETRIES.get(dot < 0 ? action : action.slice(dot + 1)) ?? 0;
}
