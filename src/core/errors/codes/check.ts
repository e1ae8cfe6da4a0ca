import { defineCodes } from '../code-info.js';

/** Findings of `lifeboat check`: what a valid plan cannot deliver. */
export const CHECK_CODES = defineCodes({
  LB_E_CHECK_RTO_EXCEEDED: {
    summary:
      "The planned recovery time (detection + every step of the contingency path + DNS TTL) is longer than the tier's RTO.",
    fix: 'Shorten the path: add a standby that is promoted instead of rebuilt, probe more often, lower the DNS TTL, or move the service to a tier whose RTO it can meet.',
    retryable: false,
    severity: 'error',
  },
  LB_E_CHECK_RPO_EXCEEDED: {
    summary: "The replication of a data set can lose more data than the tier's RPO allows.",
    fix: 'Replicate more often (shorter `interval`), switch to `async` or `sync` replication, or accept the loss by moving the service to a tier with a longer RPO.',
    retryable: false,
    severity: 'error',
  },
  LB_E_CHECK_SCHEDULE_RPO_EXCEEDED: {
    summary:
      "A data set's `replication.schedule` leaves more time between two runs than the tier's RPO allows (the longest gap of the cron expression, e.g. a weekend without runs), or never runs at all.",
    fix: 'Run the copy more often (e.g. `*/15 * * * *`, or every day of the week), or move the service to a tier with a longer RPO.',
    retryable: false,
    severity: 'error',
  },
  LB_E_CHECK_SCHEDULE_NOT_PERIODIC: {
    summary:
      'A data set has `replication.schedule` but its replication mode is not `periodic`: streamed or synchronous replication is not run on a schedule.',
    fix: 'Set `replication.mode: periodic` for a copy run on a schedule, or remove `schedule`.',
    retryable: false,
    severity: 'error',
  },
  LB_E_CHECK_SCHEDULE_NO_JOB: {
    summary:
      'A data set has `replication.schedule` but nothing to run on it: no `source`, an rsync copy of `files` without `targets` or `path`, or another kind without `replication.command`. The controller does not schedule it.',
    fix: 'Give the data set its `source`, and `targets` and `path` for an rsync copy, or `replication.command` (the backup program) for any other kind.',
    retryable: false,
    severity: 'error',
  },
  LB_E_CHECK_NO_DATA_COPY: {
    summary: 'A data set has no copy anywhere else: if its node is lost, the data is lost.',
    fix: 'Add `targets` and a `replication` mode, or a `backup` data set.',
    retryable: false,
    severity: 'error',
  },
  LB_E_CHECK_RTO_UNKNOWN: {
    summary:
      'A step of the contingency path has no duration estimate and no default, so the planned RTO is a guess.',
    fix: 'Give the step an `estimate` (runbook step) or the service an `estimates:` entry, or a `redeploy.duration`.',
    retryable: false,
    severity: 'warning',
  },
  LB_E_CHECK_RPO_UNKNOWN: {
    summary:
      'A data set has copies (targets or storage) but no replication mode or interval says how recent they are, so the planned RPO cannot be told.',
    fix: 'Set `replication.mode` (`sync`, `async`, or `periodic` with an `interval`) on the data set.',
    retryable: false,
    severity: 'warning',
  },
  LB_E_CHECK_STANDBY_MISSING: {
    summary:
      'The strategy (`active-passive`, `pilot-light` or `blue-green`) needs a standby node, and the service has none: its RTO is that of a rebuild.',
    fix: 'Add a standby node on another site (`placement.standby`), or change the strategy to the one the plan really follows (`redeploy`, `backup-restore`).',
    retryable: false,
    severity: 'error',
  },
  LB_E_CHECK_NO_STANDBY_OFFSITE: {
    summary:
      'A service of the highest tier has no standby outside the site where it runs: one site outage stops it.',
    fix: 'Add a standby node on another site (`placement.standby`), or active nodes on two sites.',
    retryable: false,
    severity: 'error',
  },
  LB_E_CHECK_SAME_FAILURE_DOMAIN: {
    summary:
      'A standby shares a failure domain (node, hypervisor, rack, region or site) with the node it protects.',
    fix: 'Place the standby in a different failure domain, as far away as the tier requires.',
    retryable: false,
    severity: 'warning',
  },
  LB_E_CHECK_SHARED_NODE: {
    summary: 'Several services run on the same node: they fail together.',
    fix: 'Accept it consciously (same tier, same plan) or split the services onto separate nodes.',
    retryable: false,
    severity: 'warning',
  },
  LB_E_CHECK_SINGLE_PROVIDER: {
    summary: 'A `multi-provider` service has all its active nodes at one site or provider.',
    fix: 'Add active nodes on a second site with another provider.',
    retryable: false,
    severity: 'error',
  },
  LB_E_CHECK_DEP_CYCLE: {
    summary: 'Services depend on each other in a cycle: no recovery order can restore them.',
    fix: 'Break the cycle: one of the dependencies must be optional or served from elsewhere.',
    retryable: false,
    severity: 'error',
  },
  LB_E_CHECK_DEP_LOWER_TIER: {
    summary:
      'A service depends on a service of a lower tier (longer RTO): it cannot recover faster than its dependency.',
    fix: "Raise the dependency's tier, or give the dependency a fallback.",
    retryable: false,
    severity: 'warning',
  },
  LB_E_CHECK_DEP_EXTERNAL_NO_FALLBACK: {
    summary:
      'A service depends on an external service and the plan says nothing about what to do when it is down.',
    fix: 'Add a `fallback` to the dependency (a mirror, a cache, or an accepted outage).',
    retryable: false,
    severity: 'warning',
  },
  LB_E_CHECK_COST_OVER_BUDGET: {
    summary:
      "The monthly cost of a tier's standby resources on offsite sites is over its `offsiteBudget`.",
    fix: 'Raise the budget, share standby nodes, or move services to a cheaper strategy (pilot-light, backup-restore).',
    retryable: false,
    severity: 'error',
  },
  LB_E_CHECK_COST_UNJUSTIFIED: {
    summary:
      'A service uses offsite resources although its tier requires a `justification` (or forbids offsite use).',
    fix: 'Add a `justification` to the service, or move its standby to the primary site.',
    retryable: false,
    severity: 'warning',
  },
  LB_E_CHECK_RUNBOOK_UNKNOWN_TARGET: {
    summary: 'A runbook step acts on a target the plan does not define.',
    fix: "Correct the step's `target` to a node, service, data set or traffic item of the plan.",
    retryable: false,
    severity: 'error',
  },
  LB_E_CHECK_RUNBOOK_UNREACHABLE: {
    summary:
      'A runbook step can never run: it needs a step that does not exist or that waits for it in a cycle.',
    fix: "Correct the step's `needs` list.",
    retryable: false,
    severity: 'error',
  },
  LB_E_CHECK_RUNBOOK_NO_UNDO: {
    summary: 'A step before the point of no return has no `undo`: an abort could not reverse it.',
    fix: 'Add an `undo` to the step, or mark it `action: manual` with a description of how to reverse it.',
    retryable: false,
    severity: 'error',
  },
  LB_E_CHECK_RUNBOOK_UNDO_AFTER_PNR: {
    summary: 'A step after the point of no return declares an `undo` that can never run.',
    fix: 'Remove the `undo`, or move the point of no return later.',
    retryable: false,
    severity: 'warning',
  },
  LB_E_CHECK_RUNBOOK_NO_APPROVER: {
    summary: 'A step requires approval by a role that is not defined or has no members.',
    fix: 'Define the role under `roles:` with at least one member (two when the approver must differ from the requester).',
    retryable: false,
    severity: 'error',
  },
  LB_E_CHECK_OPEN_QUESTION: {
    summary: 'The plan of a service still has an open question.',
    fix: 'Answer it and write the answer into the plan; then remove it from `openQuestions`.',
    retryable: false,
    severity: 'warning',
  },
  LB_E_CHECK_NO_HEALTH_PROBE: {
    summary: 'A service has no health probe: an outage is noticed only when a human does.',
    fix: 'Add a `health` probe (http, tcp, sql or command).',
    retryable: false,
    severity: 'info',
  },
  LB_E_CHECK_NO_REDEPLOY: {
    summary: 'A service has no automated way to be rebuilt from scratch.',
    fix: 'Add `redeploy:` with the Ansible playbook that builds it.',
    retryable: false,
    severity: 'warning',
  },
  LB_E_CHECK_DRILL_MISSING: {
    summary: 'A tier asks for drills (`drillEvery`) and a service of that tier has none declared.',
    fix: 'Declare a drill for the service under `drills:`.',
    retryable: false,
    severity: 'info',
  },
});
