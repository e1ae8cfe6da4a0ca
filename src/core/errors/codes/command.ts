import { defineCodes } from '../code-info.js';

/** Codes of the command driver: local commands and commands over SSH. */
export const COMMAND_CODES = defineCodes({
  LB_E_COMMAND_FAILED: {
    summary:
      'A command run by Lifeboat (locally or over SSH) exited non-zero or was killed by a signal; the message has its exit status and the last lines of its stderr.',
    fix: 'Run the same argv by hand on that node to see the whole output, fix the cause, and run the step again.',
    retryable: false,
  },
  LB_E_COMMAND_NOT_FOUND: {
    summary: 'The program of a command is not installed (or not on PATH) where it was to run.',
    fix: 'Install the program on that node, or give its absolute path in the plan.',
    retryable: false,
  },
  LB_E_COMMAND_OUTPUT_LIMIT: {
    summary: 'A command wrote more output than Lifeboat keeps, and was stopped.',
    fix: 'Make the command quieter (or redirect its output to a file on the node); Lifeboat keeps 16 MiB of stdout by default.',
    retryable: false,
  },
});
