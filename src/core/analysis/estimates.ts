// The one table of default durations that `lifeboat check` uses when a plan gives no estimate.
// Each value is a deliberately pessimistic guess for a small infra team acting with Lifeboat
// (automated steps) on ordinary VMs; a plan overrides any of them with `service.estimates`,
// a step's `estimate`, `redeploy.duration` or a data set's `restoreDuration`.
import type { DerivedStep } from '../plan/index.js';

const S = 1_000;
const M = 60 * S;

export interface DefaultEstimate {
  ms: number;
  why: string;
}

/**
 * Derived steps with a default. Steps missing here (`redeploy`, `restore`, `rebuild`, `upgrade`,
 * `test`, `confirm`, `restart-original`, `delete-new`) depend entirely on the service, so no
 * honest default exists: without a plan value they count 0 with source `unknown`.
 */
export const DEFAULT_ESTIMATES: Partial<Record<DerivedStep, DefaultEstimate>> = {
  fence: {
    ms: 1 * M,
    why: 'Stop or isolate the old primary (stop the unit, block its port); a few commands plus a read-back, with SSH timeouts to a dying site.',
  },
  'check-ready': {
    ms: 30 * S,
    why: 'Read the replica status and lag, check disk space on the standby: a handful of queries.',
  },
  'read-only': {
    ms: 30 * S,
    why: 'Flip a read-only flag (database or HAProxy map entry) and confirm it.',
  },
  'wait-catch-up': {
    ms: 1 * M,
    why: 'Let an async replica apply what it already received; bounded by the expected lag, rounded up.',
  },
  promote: {
    ms: 1 * M,
    why: 'pg_promote() or STOP SLAVE/RESET SLAVE ALL, then wait until the server accepts writes.',
  },
  'switch-traffic': {
    ms: 1 * M,
    why: 'One automated DNS update (RFC 2136 or API) and its read-back from the authoritative server; the TTL is added separately.',
  },
  verify: {
    ms: 2 * M,
    why: 'Run the health probes until they pass: a few probe intervals, with a retry.',
  },
  provision: {
    ms: 10 * M,
    why: 'Start the stopped standby machines of a pilot light and their services (cloud API, boot, unit start).',
  },
};

/** Traffic switches that are not one automated DNS update. */
export const TRAFFIC_ESTIMATES = {
  dnsManual: {
    ms: 15 * M,
    why: 'A human logs in to the DNS provider console, edits the record and checks it.',
  },
  haproxy: {
    ms: 10 * S,
    why: 'Two runtime API commands (drain one server, ready the other) on a local socket.',
  },
  vip: {
    ms: 10 * S,
    why: 'keepalived moves the address within a few VRRP advertisement intervals and sends gratuitous ARP.',
  },
} as const satisfies Record<string, DefaultEstimate>;

/**
 * Restoring from a size when no `restoreDuration` is given: 25 MiB/s, i.e. about 88 GiB per
 * hour. A WAN copy plus a database load is rarely faster; logical dumps load slower still, which
 * is why a measured `restoreDuration` should replace this as soon as a drill gives one.
 */
export const RESTORE_BYTES_PER_SECOND = 25 * 1024 * 1024;

/** The replication lag to plan with for `async` replication that states none. */
export const DEFAULT_ASYNC_LAG_MS = 5 * S;

const SIZE_UNITS: Record<string, number> = {
  B: 1,
  KB: 1e3,
  MB: 1e6,
  GB: 1e9,
  TB: 1e12,
  KiB: 1024,
  MiB: 1024 ** 2,
  GiB: 1024 ** 3,
  TiB: 1024 ** 4,
};

/** Bytes of a size such as `200GiB` or `1.5 TB` (the schema's format), or undefined. */
export function parseSize(text: string): number | undefined {
  const m = /^([0-9]+(?:\.[0-9]+)?)\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/.exec(text);
  if (!m) return undefined;
  return Number(m[1]) * (SIZE_UNITS[m[2] as string] as number);
}

/** How long restoring `bytes` takes at the default rate, whole seconds rounded up. */
export function restoreMsForSize(bytes: number): number {
  return Math.ceil(bytes / RESTORE_BYTES_PER_SECOND) * S;
}
