// What the Controller is given: what it injects from the outside (the plan loader, the drivers,
// the store, the clock) and its bounds (timers, concurrency, buffers).
import type { LoadedPlan, Plan } from '../core/plan/index.js';
import type { EngineConfig, StepDrivers } from '../engine/index.js';
import type { StateStore } from '../store/index.js';
import type { Clock } from './clock.js';

/** The drivers of one plan; `close` releases their connections. */
export type ControllerDrivers = StepDrivers & { close?(): Promise<void> };

export interface ControllerOptions {
  /** The plan file, as shown in the plan status. */
  file: string;
  /** Reads and validates the plan (the composition root reads the files). */
  load: () => LoadedPlan;
  /** The drivers of a plan: built again for each plan applied, closed once replaced and idle. */
  drivers: (plan: Plan) => ControllerDrivers;
  store: StateStore;
  clock?: Clock;
  /** Who the controller is in journals and audit (the requester of the runs it starts). */
  actor?: string;
  /** Engine settings (lease TTL, polling, backoffs). */
  engine?: Partial<Pick<EngineConfig, 'leaseTtlMs' | 'pollMs' | 'siteGateMs' | 'retryBackoffMs'>>;
  /** The plan role whose members may approve a proposed failover; default: any operator. */
  approvalRole?: string;
  /** The probes' timer resolution. Default 20 ms. */
  tickMs?: number;
  /** Probes running at once, at most. Default 64. */
  maxConcurrentProbes?: number;
  /** Interval jitter, a fraction of the interval either way. Default 0.1. */
  jitter?: number;
  /** Samples kept per service. Defaults 200 (probes), 500 (RPO). */
  probeHistory?: number;
  rpoHistory?: number;
  /** Events kept for `eventsSince`. Default 10,000. */
  eventBuffer?: number;
  /** How often RPO and readiness are read. Default 10 s. */
  rpoIntervalMs?: number;
  /** How often runs are looked at (approvals given elsewhere, runs of other processes). Default 2 s. */
  runPollMs?: number;
  /** Where the controller says what went wrong in the background (a resume refused...). */
  log?: (line: string) => void;
  /** IANA time zone of the replication jobs' schedules. Default: the process's local time zone. */
  timeZone?: string;
}
