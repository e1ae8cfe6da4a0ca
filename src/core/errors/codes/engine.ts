import { defineCodes } from '../code-info.js';

/** Executing a run (`lifeboat run`, `resume`, `abort`, `approve`): what the engine refuses and why. */
export const ENGINE_CODES = defineCodes({
  LB_E_ENGINE_SERVICE_BUSY: {
    summary:
      'Another run of the same service has not ended (running, waiting for an approval, or aborting), or another process holds its lease.',
    fix: 'Finish that run first: `lifeboat show <run>`, then `lifeboat resume <run>` or `lifeboat abort <run>`. One run per service at a time.',
    retryable: true,
  },
  LB_E_ENGINE_UNKNOWN_RUN: {
    summary: 'No run with that id is in the state store.',
    fix: 'List the runs with `lifeboat runs` (and check `--state` points at the right file).',
    retryable: false,
  },
  LB_E_ENGINE_UNKNOWN_STEP: {
    summary: 'The run has no step with that id.',
    fix: 'Copy the step id from `lifeboat show <run>`.',
    retryable: false,
  },
  LB_E_ENGINE_RUN_ENDED: {
    summary:
      'The run has already ended (succeeded or aborted): it cannot be resumed, approved or aborted.',
    fix: 'Start a new run if more must be done.',
    retryable: false,
  },
  LB_E_ENGINE_PLAN_CHANGED: {
    summary:
      'The plan loaded now is not the plan the run was made from (its hash differs): resuming or approving it would act on steps nobody reviewed.',
    fix: 'Use the plan file the run was started with (its hash is in `lifeboat show <run>`), e.g. from git; or abort the run and start a new one.',
    retryable: false,
  },
  LB_E_ENGINE_PAST_POINT_OF_NO_RETURN: {
    summary:
      'The run has passed its point of no return: abort is refused and nothing can be undone; the run only goes forward.',
    fix: 'Resume the run (`lifeboat resume <run>`) to finish it, or handle what remains by hand.',
    retryable: false,
  },
  LB_E_ENGINE_NOT_READY: {
    summary:
      'The target is not ready to take over: a replica further behind than the tier’s RPO, not streaming with asynchronous replication, on a wrong timeline, or unreachable.',
    fix: 'Wait for the replica to catch up, or fail over anyway with `--accept-data-loss --reason "..."` (recorded in the journal and the audit log).',
    retryable: false,
  },
  LB_E_ENGINE_TWO_PRIMARIES: {
    summary:
      'Promoting would leave two writable primaries: another node of the data set still accepts writes, or could not be reached and was not fenced.',
    fix: 'Fence the old primary first (the runbook’s fence step), or approve the unfenced old primary once it is known to be down.',
    retryable: false,
  },
  LB_E_ENGINE_SITE_UNHEALTHY: {
    summary: 'Traffic would be moved to a site whose probes fail.',
    fix: 'Find out why the probes fail at that site (`lifeboat show <run>` has their answers), repair, then `lifeboat resume <run>`.',
    retryable: true,
  },
  LB_E_ENGINE_UNSUPPORTED_ACTION: {
    summary: 'A step’s action is not one the engine can execute.',
    fix: 'Use one of the actions listed in docs/runbooks.md (e.g. `command.run`, `postgres.promote`, `manual`).',
    retryable: false,
  },
  LB_E_ENGINE_BAD_STEP: {
    summary: 'A step lacks an argument its action needs, or names a target the plan does not have.',
    fix: 'Correct the step in the plan (the message names the argument); `lifeboat run --dry-run` shows each step’s args.',
    retryable: false,
  },
  LB_E_ENGINE_NO_APPROVAL_NEEDED: {
    summary: 'The step does not wait for an approval.',
    fix: 'Approve the step the run is waiting for (`lifeboat show <run>` names it).',
    retryable: false,
  },
  LB_E_ENGINE_APPROVER_IS_REQUESTER: {
    summary: 'The step needs an approval by someone other than the person who started the run.',
    fix: 'Ask another operator (a member of the role, when the step names one) to approve.',
    retryable: false,
  },
  LB_E_ENGINE_NOT_IN_ROLE: {
    summary: 'The approver is not a member of the role the step requires.',
    fix: 'Ask a member of the role (see `roles:` in the plan) to approve, or add the person to the role through review.',
    retryable: false,
  },
  LB_E_ENGINE_REASON_REQUIRED: {
    summary: '`--accept-data-loss` was given without `--reason`.',
    fix: 'Say why losing data is accepted: `--accept-data-loss --reason "site a burned down"`; it is recorded.',
    retryable: false,
  },
  LB_E_ENGINE_STEP_FAILED: {
    summary: 'A step failed (after its retries); the run stopped there.',
    fix: 'Read the step’s error in `lifeboat show <run>`. Repair and `lifeboat resume <run>` to retry it, or `lifeboat abort <run>` to undo what was done (before the point of no return).',
    retryable: false,
  },
  LB_E_ENGINE_REAPPLY_NEEDS_APPROVAL: {
    summary:
      'After a crash, a step that is not known to be idempotent (a command, a playbook) may or may not have run; the engine does not run it again on its own.',
    fix: 'Check on the target whether it ran, then `lifeboat approve <run> <step>` to run it again, or abort.',
    retryable: false,
  },
  LB_E_ENGINE_GUARD: {
    summary:
      'A condition of the run is not met: a rollback after the forward run passed its point of no return.',
    fix: 'The rollback is no longer possible; finish the forward run instead.',
    retryable: false,
  },
});
