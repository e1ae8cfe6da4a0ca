import { defineCodes } from '../code-info.js';

export const CLI_CODES = defineCodes({
  LB_E_CLI_USAGE: {
    summary: 'The command line is not valid: an unknown option, a missing argument.',
    fix: 'Run the command with --help and correct the arguments.',
    retryable: false,
  },
  LB_E_CLI_FILE_READ: {
    summary: 'A file named on the command line or in `include:` could not be read.',
    fix: 'Check that the path exists and is readable by the user running lifeboat.',
    retryable: false,
  },
  LB_E_CLI_FILE_WRITE: {
    summary: 'An output file or directory could not be written.',
    fix: 'Check that the output directory is writable and the disk has space, then run again.',
    retryable: true,
  },
  LB_E_CLI_INTERNAL: {
    summary: 'An unexpected internal error: a bug in Lifeboat, not in your input.',
    fix: 'Run again with LIFEBOAT_DEBUG=1 to see the stack trace and report it with the command used.',
    retryable: false,
  },
});
