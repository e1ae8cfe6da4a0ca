import { defineCodes } from '../code-info.js';

/** Codes every driver shares; a driver adds its own in codes/<system>.ts. */
export const DRIVER_CODES = defineCodes({
  LB_E_DRIVER_UNREACHABLE: {
    summary: 'The system could not be reached: connection refused, timed out or reset.',
    fix: 'Check that the server runs and that the address and port in the plan are right and reachable from where lifeboat runs; a retry may succeed once it is back.',
    retryable: true,
  },
  LB_E_DRIVER_AUTH: {
    summary: "The system refused Lifeboat's credentials (password, key, TSIG key, API key).",
    fix: "Check the secret the plan references (`env:` or `file:`) and the user's rights on the server.",
    retryable: false,
  },
  LB_E_DRIVER_TIMEOUT: {
    summary: 'An operation did not finish, or a state was not reached, within its time limit.',
    fix: "Look at the target's own logs for why it is slow; raise the step's `timeout` only if the operation is known to take longer.",
    retryable: true,
  },
  LB_E_DRIVER_ABORTED: {
    summary:
      'The operation was aborted (by an operator, a timeout or a lost lease) before it finished.',
    fix: 'Observe the target to see what state it is in, then resume or re-run the step.',
    retryable: true,
  },
  LB_E_DRIVER_BAD_INPUT: {
    summary:
      'A value given to a driver cannot be passed safely (shell or SQL metacharacters, a newline, an option-like `-` prefix, `..` in a path) and was refused before anything ran.',
    fix: 'Correct the value in the plan: names are letters, digits, `.`, `_` and `-`; paths are absolute without `..`.',
    retryable: false,
  },
  LB_E_DRIVER_NOT_READY: {
    summary:
      'The target is not in a state where the operation is safe (a replica not streaming, too far behind, on the wrong timeline).',
    fix: 'Wait for the target to catch up, or repair its replication; overriding loses data and needs --accept-data-loss.',
    retryable: true,
  },
  LB_E_DRIVER_CONFLICT: {
    summary:
      'The target is in a state the operation did not expect (e.g. two primaries, a server missing from a backend).',
    fix: 'Observe every node of the service and resolve the conflict by hand before running the step again.',
    retryable: false,
  },
  LB_E_DRIVER_COMMAND_FAILED: {
    summary:
      'A command, query or request the driver ran failed; the message has its exit status or error.',
    fix: "Read the error in the message and the target's log; fix the cause and run the step again.",
    retryable: false,
  },
  LB_E_DRIVER_PROTOCOL: {
    summary: 'The system answered something the driver could not understand.',
    fix: 'Check that the server is the version Lifeboat supports (see docs/drivers/); report it if it is.',
    retryable: false,
  },
  LB_E_DRIVER_CONFIG: {
    summary:
      "The driver's configuration from the plan is incomplete or contradictory for this operation.",
    fix: 'Add the missing field named in the message to the plan (see docs/drivers/<driver>.md).',
    retryable: false,
  },
  LB_E_DRIVER_SECRET: {
    summary: 'A secret referenced by the plan (`env:NAME` or `file:/path`) could not be read.',
    fix: 'Set the environment variable or create the file (readable by lifeboat only) that the plan names.',
    retryable: false,
  },
});
