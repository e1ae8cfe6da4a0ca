import { defineCodes } from '../code-info.js';

/** The controller (`lifeboat serve`): the plan it runs, the runs it starts. */
export const CONTROLLER_CODES = defineCodes({
  LB_E_CONTROLLER_PLAN_INVALID: {
    summary:
      'The controller cannot start: its plan is invalid or unreadable. (A plan that becomes invalid later is not applied: the controller keeps the running one and reports the error.)',
    fix: 'Run `lifeboat check <plan>` and fix every error it lists, then start the controller again.',
    retryable: false,
  },
  LB_E_CONTROLLER_NO_RUN: {
    summary: 'The runbook asked for cannot be derived for that target from the running plan.',
    fix: 'Run `lifeboat run <runbook> <target> --dry-run --plan <plan>` to see every diagnostic, and fix the plan or the request.',
    retryable: false,
  },
  LB_E_CONTROLLER_STOPPED: {
    summary: 'The controller is stopping or stopped: it starts no run and records no approval.',
    fix: 'Start the controller again (or use `lifeboat run`, `approve`, `abort` from the command line).',
    retryable: true,
  },
  LB_E_CONTROLLER_UNKNOWN_SERVICE: {
    summary: 'The running plan has no service of that name.',
    fix: 'Check the name against the plan (`lifeboat check <plan>` lists the services).',
    retryable: false,
  },
  LB_E_CONTROLLER_JOB_TIMEOUT: {
    summary:
      'A scheduled replication job (an rsync copy or a backup command) ran longer than its `replication.timeout` (default 1h) and was aborted: the copy is as old as the last one that succeeded.',
    fix: 'See why it is slow (network, size, the source node), or give the data set a longer `replication.timeout`; the next scheduled run tries again.',
    retryable: true,
  },
  LB_E_CONTROLLER_JOB_FAILED: {
    summary:
      "A scheduled replication job failed with an error that carries no code of its own (the drivers' failures keep their own codes: rsync's, a command's).",
    fix: "Read the job's `lastFailure` in the service's state (`GET /api/v1/services/<name>`) or the controller's log; the next scheduled run tries again.",
    retryable: true,
  },
});
