// What the controller knows and tells: the live state of every service (health per site, the
// active site, RPO now against the tier, readiness to fail over, a confirmed outage), the probe
// and lag history behind it, the plan's reload status, and one sequenced event stream that the
// API's SSE (`Last-Event-ID` = `SequencedEvent.id`) and the dashboard follow. The server layer
// reads the controller only through `ControllerView`; the dashboard sees these shapes only as
// JSON, through src/server/api-types.ts. Times are ISO 8601 strings (UTC); durations are ms.
import type { Plan } from '../core/plan/index.js';
import type { JournalEntry, RunState, StateStore } from '../store/index.js';

export type Health = 'up' | 'down' | 'unknown';
export type Criticality = string;
export type OnOutage = 'notify' | 'propose' | 'failover';

/** One probe execution. */
export interface ProbeSample {
  at: string;
  service: string;
  probe: string;
  /** The site whose health the probe tells (its target's site), when it has one. */
  site?: string;
  /** Where it ran: `controller`, `witness`, or a site name. */
  from: string;
  ok: boolean;
  ms: number;
  /** What failed, for a failed probe (never a secret). */
  detail?: string;
}

export interface SiteStatus {
  site: string;
  health: Health;
  /** Consecutive failures of the worst probe right now. */
  failures: number;
  /** When `health` last changed. */
  since?: string;
  probes: { name: string; ok: boolean | undefined; at?: string; detail?: string }[];
}

/** RPO now for one data set: replica lag, or the age of the last good sync or backup. */
export interface RpoStatus {
  dataSet: string;
  kind: 'replica' | 'mirror' | 'backup' | 'none';
  /** undefined when it cannot be known right now (source unreachable, never synced). */
  rpoMs?: number;
  targetMs: number;
  /** rpoMs <= targetMs; undefined when rpoMs is. */
  within?: boolean;
  observedAt?: string;
  detail?: string;
}

/** A scheduled copy of a data set (`replication.schedule`) as the controller runs it. */
export interface ReplicationJobStatus {
  dataSet: string;
  /** `rsync`: the data set's files from its source to each target; `command`: its backup program. */
  kind: 'rsync' | 'command';
  schedule: string;
  /** Where it copies: `source → target, ...` (rsync) or the node the command runs on. */
  route: string;
  timeoutMs: number;
  running: boolean;
  nextRunAt?: string;
  lastStartAt?: string;
  /** When the last successful run ended. */
  lastSuccessAt?: string;
  /**
   * What the last success holds: every change before this time is copied (rsync's T0, a
   * command's start). The RPO now is the time since.
   */
  syncedThrough?: string;
  /** The last run that failed (or timed out): its registered code and message, never a secret. */
  lastFailure?: { at: string; code: string; message: string };
  /** How long the last run that ended took. */
  lastDurationMs?: number;
  /** Runs since the controller started; `skipped`: due while the previous run still ran. */
  runs: { succeeded: number; failed: number; skipped: number };
  /** Why it is not scheduled (the plan's schedule yields no job, or never runs). */
  problem?: string;
}

export interface OutageStatus {
  site: string;
  since: string;
  /** Who saw it down: `controller`, `witness`, site names. */
  confirmedBy: string[];
  /** What the policy did: nothing yet, notified, a run proposed or started. */
  action: 'detected' | 'notified' | 'proposed' | 'failing-over';
  runId?: string;
  /** Why the policy did less than it says (no failover derives, not ready, refused). */
  detail?: string;
}

export interface ServiceStatus {
  name: string;
  tier: string;
  rtoTargetMs: number;
  rpoTargetMs: number;
  /** The RTO the plan's runbook estimates (check's figure), when it has one. */
  plannedRtoMs?: number;
  /** Where it serves now: the primary's site, from the last run that moved it or the plan. */
  activeSite?: string;
  sites: SiteStatus[];
  rpo: RpoStatus[];
  /** True when a failover could start now without --accept-data-loss. */
  readyToFailOver: boolean;
  readinessDetail?: string;
  outage?: OutageStatus;
  onOutage: OnOutage;
  /** The run acting on it now, if any. */
  activeRunId?: string;
  /** Its scheduled copies (data sets with `replication.schedule`), when it has any. */
  jobs?: ReplicationJobStatus[];
}

export interface PlanStatus {
  file: string;
  /** The plan being used: loaded at, and its hash (runs and approvals bind to it). */
  loadedAt: string;
  hash: string;
  reloads: number;
  failedReloads: number;
  /** The last reload that failed, while the running plan stayed: cleared by a good reload. */
  lastError?: { at: string; message: string; diagnostics: string[] };
}

export type ControllerEvent =
  | { type: 'probe'; sample: ProbeSample }
  | { type: 'service'; service: ServiceStatus }
  | { type: 'outage'; service: string; outage: OutageStatus }
  | { type: 'recovered'; service: string; site: string }
  | { type: 'rpo-breach'; service: string; rpo: RpoStatus }
  | {
      type: 'replication-job';
      service: string;
      job: ReplicationJobStatus;
      /** Absent when a run starts; how it ended, or `skipped` (due while still running). */
      result?: 'succeeded' | 'failed' | 'skipped';
    }
  | {
      type: 'run';
      runId: string;
      service: string;
      runbook: string;
      state: RunState;
      message: string;
    }
  | { type: 'journal'; runId: string; entry: JournalEntry }
  | { type: 'plan'; status: PlanStatus };

export interface SequencedEvent {
  /** 1, 2, ... without gaps for the controller's lifetime: the SSE event id. */
  id: number;
  at: string;
  event: ControllerEvent;
}

export interface StartRunRequest {
  runbook: string;
  target: string;
  actor: string;
  reason?: string;
  acceptDataLoss?: boolean;
}

/** What the HTTP API needs from the controller. */
export interface ControllerView {
  readonly store: StateStore;
  plan(): Plan;
  planStatus(): PlanStatus;
  services(): ServiceStatus[];
  service(name: string): ServiceStatus | undefined;
  /** Newest last, at most `limit` (default 200). */
  probeHistory(service: string, limit?: number): ProbeSample[];
  /** RPO samples per data set, newest last, at most `limit` (default 500). */
  rpoHistory(service: string, limit?: number): { at: string; dataSet: string; rpoMs?: number }[];
  /** Events with id > afterId still in the bounded buffer; `gap` when some were dropped. */
  eventsSince(afterId: number): { events: SequencedEvent[]; gap: boolean };
  /** Calls `listener` for every new event until the returned function is called. */
  subscribe(listener: (e: SequencedEvent) => void): () => void;
  /** The rendered continuity-plan document (Markdown) and diagram (SVG) of the running plan. */
  rendered(): { markdown: string; svg?: string };
  /** Starts a run through the engine (all its interlocks); resolves once it is created. */
  startRun(req: StartRunRequest): Promise<{ runId: string }>;
  approve(runId: string, stepId: string, actor: string): Promise<void>;
  abort(runId: string, actor: string, reason: string): Promise<void>;
}
