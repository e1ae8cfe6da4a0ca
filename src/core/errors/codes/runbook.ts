import { defineCodes } from '../code-info.js';

/** Deriving a run from the plan (`lifeboat run`): what it cannot derive, and what it warns about. */
export const RUNBOOK_CODES = defineCodes({
  LB_E_RUNBOOK_UNKNOWN_RUNBOOK: {
    summary:
      'The runbook named is neither a derived kind (failover, switchover, failback, bluegreen, rollback, redeploy) nor a runbook of the plan.',
    fix: 'Use one of the names the message lists, or add the runbook under `runbooks:`.',
    retryable: false,
  },
  LB_E_RUNBOOK_UNKNOWN_SERVICE: {
    summary: 'The service or group named is no service, tier or site of the plan, nor `all`.',
    fix: 'Name a service, a tier, a site, `all`, or a comma list of them.',
    retryable: false,
  },
  LB_E_RUNBOOK_NO_TARGET: {
    summary: 'A derived runbook was asked for without a service or group to run it on.',
    fix: 'Add the service or group: `lifeboat run failover dlrn-db`.',
    retryable: false,
  },
  LB_E_RUNBOOK_UNKNOWN_SITE: {
    summary: '`--from` or `--to` names no site of the plan.',
    fix: "Use a site name from the plan's `sites:` (the message lists them).",
    retryable: false,
  },
  LB_E_RUNBOOK_SAME_SITE: {
    summary: 'The run would move a service from a site to the same site.',
    fix: 'Give different sites to `--from` and `--to`, or leave one out to take its default.',
    retryable: false,
  },
  LB_E_RUNBOOK_NOT_ON_SITE: {
    summary: 'The service has no node on the site it is asked to leave.',
    fix: "Check `--from`, or the service's `placement`.",
    retryable: false,
  },
  LB_E_RUNBOOK_NO_STANDBY: {
    summary:
      'The service has no node on the destination site (no standby, or no idle colour) to take over.',
    fix: 'Add a standby node on another site to `placement.standby`, or run `redeploy` to rebuild the service instead.',
    retryable: false,
  },
  LB_E_RUNBOOK_NO_REPLICA: {
    summary:
      'A database of the service has no copy on the destination site, so nothing there can take over its writes.',
    fix: "Add the standby node to the data set's `targets` (and replicate to it), or pick the site that has the replica with `--to`.",
    retryable: false,
  },
  LB_E_RUNBOOK_KIND_MISMATCH: {
    summary:
      'The derived runbook does not apply to the service: its strategy (or the lack of a `migration.rollback` or `redeploy`) rules it out.',
    fix: 'Run the kind its strategy provides: failover/switchover/failback for active-passive and pilot-light, bluegreen for blue-green, rollback for a migration, redeploy where a playbook exists.',
    retryable: false,
  },
  LB_E_RUNBOOK_SERVICE_SKIPPED: {
    summary: 'A service of the group is left out of the run: the runbook does not apply to it.',
    fix: 'Nothing to do if that is intended; otherwise run the kind that applies to that service separately.',
    retryable: false,
    severity: 'warning',
  },
  LB_E_RUNBOOK_NOTHING_TO_RUN: {
    summary: 'No service of the group fits the runbook: the run would do nothing.',
    fix: 'Name a group that holds services of the right strategy, or another runbook.',
    retryable: false,
  },
  LB_E_RUNBOOK_DEPENDENCY_CYCLE: {
    summary:
      'A service of the run depends on a cycle of services, so no order exists in which to bring it back.',
    fix: 'Break the cycle (`lifeboat check` shows it): make one dependency optional with a `fallback`.',
    retryable: false,
  },
  LB_E_RUNBOOK_NO_UPGRADE: {
    summary: "A blue/green run needs the service's `upgrade` playbook, and it has none.",
    fix: 'Add `upgrade: {playbook, duration}` to the service.',
    retryable: false,
  },
  LB_E_RUNBOOK_BLUEGREEN_STREAMED_DB: {
    summary:
      "The blue/green colours replicate a database by streaming: promoting the idle colour's replica before the confirm could not be undone.",
    fix: 'Seed the idle colour from a copy (a `backup` or `files` data set) instead, or write the procedure as an explicit runbook.',
    retryable: false,
  },
  LB_E_RUNBOOK_NO_READ_ONLY: {
    summary:
      'Writes cannot be refused during the blue/green window (no HAProxy `readOnlyMap`): writes taken meanwhile can be missing or lost.',
    fix: 'Give the HAProxy traffic item a `readOnlyMap` whose entry makes the frontend refuse writes.',
    retryable: false,
    severity: 'warning',
  },
  LB_E_RUNBOOK_LIMIT_REPLACED: {
    summary:
      "The upgrade playbook's `limit` in the plan is not the idle colour; the run limits it to the idle colour's nodes.",
    fix: 'Set `upgrade.limit` to the standby nodes, or leave it out.',
    retryable: false,
    severity: 'warning',
  },
  LB_E_RUNBOOK_NO_REDEPLOY: {
    summary: "A redeploy needs the service's `redeploy` playbook, and it has none.",
    fix: 'Add `redeploy: {playbook, inventory, duration}` to the service.',
    retryable: false,
  },
  LB_E_RUNBOOK_NO_DESTINATION: {
    summary:
      'The service is rebuilt onto machines the plan does not name, so its traffic cannot be switched automatically.',
    fix: 'Name the node to rebuild onto with `--to SITE` (a node of the service there), or add it to `placement.standby`.',
    retryable: false,
    severity: 'warning',
  },
  LB_E_RUNBOOK_NO_ROLLBACK: {
    summary:
      'The service has no `migration.rollback` runbook, or it names a runbook the plan lacks.',
    fix: 'Write the rollback runbook under `runbooks:` and name it in `migration.rollback`.',
    retryable: false,
  },
  LB_E_RUNBOOK_NO_FORWARD_PNR: {
    summary:
      'The migration runbook has no point of no return, so nothing limits when its rollback may run.',
    fix: 'Mark the step after which the migration cannot be rolled back with `pointOfNoReturn: true`.',
    retryable: false,
    severity: 'warning',
  },
  LB_E_RUNBOOK_SERVICE_MISMATCH: {
    summary: 'The explicit runbook is written for another service than the one named.',
    fix: "Leave the service out (`lifeboat run <runbook>`), or name the runbook's own service.",
    retryable: false,
  },
  LB_E_RUNBOOK_PARAM_IGNORED: {
    summary: 'An option was given that this runbook does not use.',
    fix: 'Leave the option out.',
    retryable: false,
    severity: 'warning',
  },
  LB_E_RUNBOOK_SHADOWED: {
    summary:
      'A runbook of the plan has the name of a derived kind; `run <kind>` always derives, so it cannot be run by that name.',
    fix: 'Rename the runbook under `runbooks:`.',
    retryable: false,
    severity: 'warning',
  },
  LB_E_RUNBOOK_TRAFFIC_UNMAPPED: {
    summary:
      'A traffic item cannot be pointed at the destination node: no DNS value or address, not an HAProxy server of the backend, or no VRRP priority.',
    fix: 'Add the node to the traffic item (`values`, `servers` or `priorities`), or give the node an `address`.',
    retryable: false,
  },
  LB_E_RUNBOOK_NO_PROBES: {
    summary:
      'The service has no health probe, so the run cannot tell that it serves: the verify (or test) step is done by hand.',
    fix: 'Add `health:` probes to the service.',
    retryable: false,
    severity: 'warning',
  },
  LB_E_RUNBOOK_UNREACHABLE_STEP: {
    summary: 'A step `needs` a step that is not part of the run: it could never start.',
    fix: 'Correct the step id in `needs`, or remove it.',
    retryable: false,
  },
  LB_E_RUNBOOK_CUSTOM_SKIPPED: {
    summary:
      'Custom steps of the service are anchored to a step this runbook does not derive, so they are not part of the run.',
    fix: 'Nothing to do if that is intended (they run with the runbooks that have that step).',
    retryable: false,
    severity: 'info',
  },
});
