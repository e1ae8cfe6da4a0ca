// What a run will do, decided before anything is touched ("plan, then apply"): the steps a
// runbook derives from the plan, in order, with their estimates, approvals, undos and the point
// of no return. `lifeboat run --dry-run` prints exactly this; the engine executes exactly this.
// Pure data, JSON-serialisable: no function, no secret (args hold references such as
// `env:NAME`, never values).
import type { EstimateSource } from '../analysis/types.js';
import type { Diagnostic, PlanPath } from '../plan/index.js';
import type { ArgValue } from '../plan/schema/primitives.js';
import type { RUNBOOK_KINDS } from '../plan/schema/runbook.js';
import type { DerivedStep } from '../plan/schema/steps.js';

export type { EstimateSource };

/** The runbooks Lifeboat derives from a service's topology, by kind. */
export const DERIVED_KINDS = [
  'failover',
  'switchover',
  'failback',
  'bluegreen',
  'rollback',
  'redeploy',
] as const;
export type DerivedKind = (typeof DERIVED_KINDS)[number];

/** A run's kind: a derived kind, or the `kind` of the explicit runbook it runs. */
export type RunKind = (typeof RUNBOOK_KINDS)[number];

/** A derived step name, or `custom` for steps written in the plan (custom and explicit). */
export type StepKind = DerivedStep | 'custom';

export type StepArgs = Record<string, ArgValue>;

export interface RunParams {
  /** The site the service leaves (default: per kind, see docs/runbooks.md). */
  from?: string;
  /** The site the service moves to. */
  to?: string;
  /** Failover only: promote even when the replica is further behind than the tier's RPO. */
  acceptDataLoss?: boolean;
  /** Why the run was started, for the journal. */
  reason?: string;
}

export interface PlannedApproval {
  /**
   * `always`: the step waits for an approval before it starts. `on-unreachable`: the engine asks
   * for one only when the step's target cannot be reached (an old primary that cannot be fenced).
   */
  when: 'always' | 'on-unreachable';
  /** The plan role whose members may approve; absent: any operator allowed to run the service. */
  role?: string;
  distinctFromRequester: boolean;
  /** What the approver is asked to decide, shown to them. */
  reason: string;
}

export interface PlannedUndo {
  action: string;
  target: string;
  args: StepArgs;
  description: string;
}

/** Where a step comes from in the plan, for messages and for `check`'s findings. */
export interface StepOrigin {
  path: PlanPath;
  /** For steps written in the plan (custom or explicit): their `id` there. */
  stepId?: string;
}

export interface PlannedStep {
  /** Unique in the run and stable across derivations of the same plan: `dlrn-db/promote/dlrn-db-replica`. */
  id: string;
  service: string;
  kind: StepKind;
  /** `driver.operation` (`postgres.promote`, `dns.switch`, `engine.check-ready`) or `manual`. */
  action: string;
  /** The plan object acted on: a node, `service/data-set`, a traffic item (record, backend, VIP), a service. */
  target: string;
  args: StepArgs;
  /** For the operator: what the step does and why. */
  description: string;
  estimateMs: number;
  estimateSource: EstimateSource;
  approval?: PlannedApproval;
  /** From this step on the run only goes forward: abort is refused, no undo runs. */
  pointOfNoReturn: boolean;
  /** How to reverse the step on abort; only steps before the point of no return have one. */
  undo?: PlannedUndo;
  timeoutMs: number;
  /** How many times a retryable failure is retried. */
  retries: number;
  /** Step ids that must finish first. Steps of services in the same wave never need each other. */
  needs: string[];
  /** The step changes nothing (checks, waits, probes, approvals). */
  readOnly: boolean;
  origin: StepOrigin;
}

/** A condition the engine checks before it starts the run. */
export interface RunGuard {
  /**
   * `before-point-of-no-return`: the run (a rollback) is only valid while the forward runbook's
   * run has not passed `step`, its point of no return.
   */
  kind: 'before-point-of-no-return';
  service: string;
  runbook: string;
  /** The forward runbook's step id (as written in the plan). */
  step: string;
}

export interface PlannedRun {
  /** What `run` was asked for: a derived kind or an explicit runbook's name. */
  runbook: string;
  kind: RunKind;
  /** Services in the order they are handled: dependencies first. */
  services: string[];
  /** The same services by wave: a wave's services need only earlier waves, so they may run in parallel. */
  waves: string[][];
  params: RunParams;
  steps: PlannedStep[];
  guards: RunGuard[];
  /** `sha256:<hex>` of the validated plan's canonical JSON: the engine refuses a changed plan. */
  planHash: string;
  warnings: Diagnostic[];
}

export interface Derivation {
  /** Absent when a diagnostic is an error: nothing may run. */
  run: PlannedRun | undefined;
  /** Every problem, errors and warnings (warnings also in `run.warnings`). */
  diagnostics: Diagnostic[];
}
